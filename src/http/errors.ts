import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { DomainError, type ErrorCode } from "../domain/errors.js";
import { type DatabaseAvailability, RETRY_AFTER_SECONDS } from "../infra/database-availability.js";
import { describeIssue } from "./schemas/common.js";

export const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invite_expired: 410,
  unprocessable_entity: 422,
  rate_limit_exceeded: 429,
  internal_server_error: 500,
};

const CODE_FOR_STATUS = new Map(Object.entries(STATUS).map(([code, status]) => [status, code as ErrorCode]));

export const INVALID_JSON =
  "Invalid JSON format in request body. Please ensure the request body is a valid JSON object.";
const INTERNAL =
  "An internal server error occurred. Please contact your administrator if the problem persists.";

/** Dub's anchors, code by code: only the first `_` becomes `-`, except in its generic 500 answer. */
export const docUrl = (code: ErrorCode) =>
  `https://dub.co/docs/api-reference/errors#${code === "internal_server_error" ? "internal-server-error" : code.replace("_", "-")}`;

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message, doc_url: docUrl(code) } };
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string) {
  // A failed writeHead (say, of a 302 with a bad Location) leaves its reason phrase and headers behind.
  reply.raw.statusMessage = STATUS_CODES[STATUS[code]] ?? "";
  reply.removeHeader("location");
  return reply.code(STATUS[code]).type("application/json; charset=utf-8").send(errorBody(code, message));
}

/**
 * Requests Node's parser refuses before fastify sees them (headers over 16 KB, malformed request lines) get
 * Dub's envelope too, written straight to the socket.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const status =
    error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const message =
    status === 431
      ? "Request headers are too large: the limit is 16 KB."
      : status === 408
        ? "The request took too long to arrive."
        : "The request is malformed.";
  const body = JSON.stringify(errorBody("bad_request", message));
  // As Node does: a request already being answered on this socket keeps its answer; no second one follows.
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !answering?.headersSent) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Every failure leaves as Dub's error envelope, with exactly the code its status implies. */
export function installErrorHandler(
  app: FastifyInstance,
  database: Pick<DatabaseAvailability, "failedWith">,
): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof DomainError) return sendError(reply, error.code, error.message);
    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0];
      const path = first.instancePath.replace(/^\//, "").split("/").filter(Boolean);
      const params = (first.params as { params?: Record<string, unknown> }).params;
      return sendError(
        reply,
        "unprocessable_entity",
        describeIssue({ code: first.keyword, path, message: first.message ?? "", params }),
      );
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return sendError(reply, "bad_request", "Request body is too large: the limit is 1 MB.");
    }
    if (error.code?.startsWith("FST_ERR_CTP") || error instanceof SyntaxError) {
      return sendError(reply, "bad_request", INVALID_JSON);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, CODE_FOR_STATUS.get(status) ?? "bad_request", error.message);
    }
    if (database.failedWith(error)) return sendDatabaseUnavailable(reply);
    request.log.error({ err: error, reqId: request.id }, "unhandled error");
    return sendError(reply, "internal_server_error", `${INTERNAL} (request id ${request.id})`);
  });
}

/**
 * 503 while the database is down, full or failing: the client should retry. Dub's closed set of error codes has
 * no such code, so the body carries the generic one (the SDKs treat a 503 as a generic error).
 */
export function sendDatabaseUnavailable(reply: FastifyReply) {
  return reply
    .code(503)
    .header("retry-after", RETRY_AFTER_SECONDS)
    .type("application/json; charset=utf-8")
    .send(errorBody("internal_server_error", DATABASE_UNAVAILABLE));
}

export const DATABASE_UNAVAILABLE =
  "The database is unavailable right now. Retry after the number of seconds in the Retry-After header.";
