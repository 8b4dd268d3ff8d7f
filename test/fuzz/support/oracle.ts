import { STATUS } from "../../../src/http/errors.js";
import { DOC_ANCHOR } from "../../helpers/rejection.js";
import type { RawRequest, RawResponse } from "./raw-http.js";

/** The one code each status carries; a body, URL or headers too large are a client's malformed request. */
const CODE_FOR_STATUS = new Map<number, string>([
  ...Object.entries(STATUS).map(([code, status]) => [status, code] as [number, string]),
  [413, "bad_request"],
  [414, "bad_request"],
  [431, "bad_request"],
]);

/**
 * What is wrong with an answer, whatever the request was: a 5xx, or (`api`) an error that is not exactly Dub's
 * envelope `{"error":{"code","message","doc_url"}}` with the code of its status. Empty when all is well.
 */
export function violations(request: RawRequest, response: RawResponse, api: boolean): string[] {
  const found: string[] = [];
  if (response.status >= 500) found.push(`answered ${response.status}: never for a client's request`);
  if (!api || response.status < 400 || request.method === "HEAD") return found;
  const code = CODE_FOR_STATUS.get(response.status);
  if (!code) found.push(`status ${response.status} has no Dub error code, so the SDKs cannot type it`);
  if (!/^application\/json(;|$)/.test(response.headers["content-type"] ?? "")) {
    found.push(`an error with content-type ${JSON.stringify(response.headers["content-type"])}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    found.push("an error body that is not JSON");
    return found;
  }
  const error = (body as { error?: Record<string, unknown> })?.error;
  if (!error || typeof error !== "object" || Object.keys(body as object).length !== 1) {
    found.push('an error body that is not {"error": {...}}');
    return found;
  }
  const keys = Object.keys(error).sort().join(",");
  if (keys !== "code,doc_url,message") found.push(`error keys ${keys}, not code,doc_url,message`);
  if (code && error.code !== code)
    found.push(`code ${JSON.stringify(error.code)} with status ${response.status}`);
  if (typeof error.message !== "string" || error.message.length === 0)
    found.push("an empty or missing message");
  const anchor = DOC_ANCHOR[String(error.code)];
  if (error.doc_url !== `https://dub.co/docs/api-reference/errors#${anchor}`) {
    found.push(`doc_url ${JSON.stringify(error.doc_url)} for code ${JSON.stringify(error.code)}`);
  }
  return found;
}

const excerpt = (text: string, length: number) =>
  text.length > length
    ? `${JSON.stringify(text.slice(0, length))}… (${text.length} chars)`
    : JSON.stringify(text);

/** The request and answer, short enough to read in a failure. */
export function describeExchange(request: RawRequest, response: RawResponse | undefined): string {
  const lines = [
    `${request.method} ${excerpt(request.target, 300)}`,
    ...request.headers.slice(0, 12).map(([name, value]) => `  ${name}: ${excerpt(value, 120)}`),
  ];
  if (request.headers.length > 12) lines.push(`  … and ${request.headers.length - 12} more headers`);
  if (request.body)
    lines.push(`  body (${request.body.length} bytes): ${excerpt(request.body.toString("utf8"), 300)}`);
  if (response) {
    lines.push(`→ ${response.status} ${response.reason}`);
    for (const [name, value] of Object.entries(response.headers))
      lines.push(`  ${name}: ${excerpt(value, 200)}`);
    lines.push(`  ${excerpt(response.text, 600)}`);
  }
  return lines.join("\n");
}

/** The longest limit any field declares (a destination URL): a field that takes more has no limit at all. */
const LONGEST_LIMIT = 32_000;

/**
 * Fields of an accepted body that are longer than any limit, i.e. fields with none: whatever is stored must be
 * bounded. `metadata` is left out (its limit is on the whole), and so are fields the schema does not name, which are
 * dropped unread.
 */
export function unboundedFields(body: unknown, fields: string[]): string[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [];
  const tooLong = (value: unknown) => typeof value === "string" && value.trim().length > LONGEST_LIMIT;
  return fields
    .filter((field) => field !== "metadata" && Object.hasOwn(body, field))
    .filter((field) => {
      const value = (body as Record<string, unknown>)[field];
      return tooLong(value) || (Array.isArray(value) && value.some(tooLong));
    });
}
