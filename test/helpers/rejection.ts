// Dub's error answer, {"error":{"code","message","doc_url"}}, asserted one way whatever the client: a call of the
// dub SDK (which must throw its typed error for the status), a fetch Response, or an answer already read.
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import {
  BadRequest,
  Conflict,
  DubError,
  Forbidden,
  InternalServerError,
  InviteExpired,
  NotFound,
  RateLimitExceeded,
  Unauthorized,
  UnprocessableEntity,
} from "dub/models/errors";

/** Dub's code for each status, and the error class its SDK throws for it. */
const DUB_STATUS: Record<number, { code: string; sdkError: abstract new (...args: never[]) => DubError }> = {
  400: { code: "bad_request", sdkError: BadRequest },
  401: { code: "unauthorized", sdkError: Unauthorized },
  403: { code: "forbidden", sdkError: Forbidden },
  404: { code: "not_found", sdkError: NotFound },
  409: { code: "conflict", sdkError: Conflict },
  410: { code: "invite_expired", sdkError: InviteExpired },
  422: { code: "unprocessable_entity", sdkError: UnprocessableEntity },
  429: { code: "rate_limit_exceeded", sdkError: RateLimitExceeded },
  500: { code: "internal_server_error", sdkError: InternalServerError },
};

/** Dub's documentation anchors, code by code (its generic 500 differs from its first-underscore rule). */
export const DOC_ANCHOR: Record<string, string> = {
  bad_request: "bad-request",
  unauthorized: "unauthorized",
  forbidden: "forbidden",
  not_found: "not-found",
  conflict: "conflict",
  invite_expired: "invite-expired",
  unprocessable_entity: "unprocessable-entity",
  rate_limit_exceeded: "rate-limit_exceeded",
  internal_server_error: "internal-server-error",
};

/** An answer already read: a status with the text as sent (and its headers, when known) or its parsed body. */
export type ReadAnswer = {
  status: number;
  text?: string;
  body?: unknown;
  contentType?: string;
  headers?: Headers | IncomingHttpHeaders;
};

export type DubErrorAnswer = {
  code: string;
  message: string;
  doc_url: string;
  /** The body as sent, when the client kept it. */
  text: string;
  headers: Headers;
};

type Received = { status: number; contentType?: string; text: string; headers: Headers };

function fromRead(answer: ReadAnswer): Received {
  const headers = new Headers(answer.headers instanceof Headers ? answer.headers : undefined);
  if (!(answer.headers instanceof Headers))
    for (const [name, value] of Object.entries(answer.headers ?? {}))
      if (value !== undefined) headers.set(name, String(value));
  if (answer.contentType !== undefined) headers.set("content-type", answer.contentType);
  const text = answer.text ?? (typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
  return { status: answer.status, contentType: headers.get("content-type") ?? undefined, text, headers };
}

async function receive(answer: Promise<unknown> | Response | ReadAnswer, fail: (what: string) => string) {
  let settled: unknown;
  try {
    settled = await answer;
  } catch (error) {
    if (!(error instanceof DubError)) throw error;
    const expected = DUB_STATUS[error.statusCode]?.sdkError;
    if (expected)
      assert.ok(
        error instanceof expected,
        fail(`the SDK's ${expected.name}, not ${error.name}: ${error.message}`),
      );
    return {
      status: error.statusCode,
      contentType: error.contentType,
      text: error.body,
      headers: error.headers,
    };
  }
  if (settled instanceof Response) {
    const contentType = settled.headers.get("content-type") ?? "";
    return { status: settled.status, contentType, text: await settled.text(), headers: settled.headers };
  }
  const read = settled as ReadAnswer | undefined;
  if (typeof read?.status === "number" && (read.text !== undefined || read.body !== undefined))
    return fromRead(read);
  assert.fail(fail(`an error, not a success: ${JSON.stringify(settled)}`));
}

/**
 * Asserts that `answer` is Dub's error with `status` and its code (Dub's code for the status unless `code` is
 * given), exactly the envelope's three fields with the documentation link of the code, and a message (equal to
 * or matching `message` when given). `what` names the request in failures. Returns what the error said.
 */
export async function rejection(
  answer: Promise<unknown> | Response | ReadAnswer,
  status: number,
  expected: { code?: string; message?: string | RegExp; what?: string } = {},
): Promise<DubErrorAnswer> {
  const fail = (detail: string) =>
    `${expected.what ? `${expected.what}: ` : ""}expected Dub's ${status}: ${detail}`;
  const received: Received = await receive(answer, fail);
  assert.equal(received.status, status, fail(received.text));
  if (received.contentType !== undefined)
    assert.match(received.contentType, /^application\/json(;|$)/, fail(`JSON, not ${received.contentType}`));
  const code = expected.code ?? DUB_STATUS[status]?.code;
  assert.ok(code, `Dub has no code for ${status}: name the expected one`);
  let body: { error?: Record<string, unknown> };
  try {
    body = JSON.parse(received.text);
  } catch {
    assert.fail(fail(`JSON, not ${received.text}`));
  }
  assert.deepEqual(Object.keys(body ?? {}), ["error"], fail(received.text));
  assert.deepEqual(Object.keys(body.error ?? {}).sort(), ["code", "doc_url", "message"], fail(received.text));
  const error = body.error as { code: string; message: string; doc_url: string };
  assert.equal(error.code, code, fail(received.text));
  assert.ok(typeof error.message === "string" && error.message.length > 0, fail("a message"));
  if (typeof expected.message === "string")
    assert.equal(error.message, expected.message, fail(received.text));
  else if (expected.message) assert.match(error.message, expected.message, fail(received.text));
  assert.equal(
    error.doc_url,
    `https://dub.co/docs/api-reference/errors#${DOC_ANCHOR[code]}`,
    fail(received.text),
  );
  return { ...error, text: received.text, headers: received.headers };
}
