export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "invite_expired"
  | "unprocessable_entity"
  | "rate_limit_exceeded"
  | "internal_server_error";

/** A failure the caller caused or must be told about; the HTTP layer maps `code` to its status. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badRequest = (message: string) => new DomainError("bad_request", message);
export const forbidden = (message: string) => new DomainError("forbidden", message);
export const notFound = (message: string) => new DomainError("not_found", message);
export const conflict = (message: string) => new DomainError("conflict", message);
export const unprocessable = (message: string) => new DomainError("unprocessable_entity", message);

/** Raised by stores when a unique constraint refuses a write; `target` names the constraint. */
export class UniqueViolation extends Error {
  constructor(readonly target: string) {
    super(`unique constraint violated: ${target}`);
    this.name = "UniqueViolation";
  }
}

/** Raised by stores when a write names a row that is gone by the time it commits (a folder deleted meanwhile). */
export class MissingReference extends Error {
  constructor(readonly target: "folder" | "tag") {
    super(`referenced ${target} does not exist`);
    this.name = "MissingReference";
  }
}
