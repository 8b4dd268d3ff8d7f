import { connect } from "node:net";

/** One HTTP/1.1 request exactly as written on the socket: fetch and node:http would normalise or refuse much of it. */
export type RawRequest = {
  method: string;
  /** The request target as sent, byte for byte (`latin1`): percent-escapes, dot segments, raw bytes and all. */
  target: string;
  headers: [string, string][];
  body?: Buffer;
  /** Send the body with `Transfer-Encoding: chunked` instead of a Content-Length. */
  chunked?: boolean;
  /** Write `headers` and `body` exactly as given: no Content-Length, no chunking, no `Connection: close`. */
  verbatim?: boolean;
  /** The protocol on the request line; HTTP/1.1 unless told. */
  version?: string;
};

export type RawResponse = {
  status: number;
  reason: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
};

export class Hang extends Error {}

/**
 * Sends `request` on a fresh connection (`Connection: close`) and reads the whole answer, body included, so a
 * stream that breaks off midway fails too. Rejects with `Hang` when nothing complete arrives within `timeoutMs`.
 */
export function sendRaw(
  origin: { host: string; port: number },
  request: RawRequest,
  timeoutMs: number,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: origin.host, port: origin.port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Hang(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      clearTimeout(timer);
      // The server may answer (e.g. 413, 431) and close while the request is still being written.
      if (chunks.length > 0) finish();
      else reject(error);
    });
    socket.on("end", () => {
      clearTimeout(timer);
      finish();
    });
    let finished = false;
    function finish() {
      if (finished) return;
      finished = true;
      try {
        resolve(parseResponse(Buffer.concat(chunks), request.method === "HEAD"));
      } catch (error) {
        reject(error);
      }
    }
    // No half-close after writing: Node's server drops a request whose client has ended its side before the
    // answer is ready. `Connection: close` makes the server close once it has answered.
    socket.on("connect", () => socket.write(serialise(request)));
  });
}

function serialise(request: RawRequest): Buffer {
  const body = request.body;
  const headers = request.verbatim ? request.headers : [...request.headers, ["connection", "close"]];
  if (body !== undefined && !request.verbatim) {
    headers.push(
      request.chunked ? ["transfer-encoding", "chunked"] : ["content-length", String(body.length)],
    );
  }
  const head = `${request.method} ${request.target} ${request.version ?? "HTTP/1.1"}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
  const parts: Buffer[] = [Buffer.from(head, "latin1")];
  if (body !== undefined && request.chunked && !request.verbatim) {
    if (body.length > 0)
      parts.push(Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n"));
    parts.push(Buffer.from("0\r\n\r\n"));
  } else if (body !== undefined) {
    parts.push(body);
  }
  return Buffer.concat(parts);
}

function parseResponse(bytes: Buffer, head: boolean): RawResponse {
  // Interim answers (100 Continue to `Expect: 100-continue`) come before the real one.
  while (/^HTTP\/1\.[01] 1\d\d/.test(bytes.subarray(0, 12).toString("latin1"))) {
    const interimEnd = bytes.indexOf("\r\n\r\n");
    if (interimEnd < 0) break;
    bytes = bytes.subarray(interimEnd + 4);
  }
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0)
    throw new Error(`an incomplete answer: ${JSON.stringify(bytes.toString("latin1").slice(0, 300))}`);
  const [statusLine, ...lines] = bytes.subarray(0, end).toString("latin1").split("\r\n");
  const status = statusLine.match(/^HTTP\/1\.[01] (\d{3}) ?(.*)$/);
  if (!status) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  let body = bytes.subarray(end + 4);
  if (head) body = Buffer.alloc(0);
  else if (/\bchunked\b/i.test(headers["transfer-encoding"] ?? "")) body = dechunk(body);
  else if (headers["content-length"] !== undefined && body.length < Number(headers["content-length"])) {
    throw new Error(`the body broke off after ${body.length} of ${headers["content-length"]} bytes`);
  }
  return { status: Number(status[1]), reason: status[2], headers, body, text: body.toString("utf8") };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = bytes.indexOf("\r\n", offset);
    if (lineEnd < 0) throw new Error("a chunked body that broke off (no last chunk)");
    const size = Number.parseInt(bytes.subarray(offset, lineEnd).toString("latin1"), 16);
    if (Number.isNaN(size)) throw new Error("a malformed chunk size");
    if (size === 0) return Buffer.concat(parts);
    if (lineEnd + 2 + size > bytes.length) throw new Error("a chunked body that broke off mid-chunk");
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}
