import { DomainError } from "../errors.js";

/** Too many failed sign-ins: answered 429 with Retry-After. */
export class Throttled extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super("rate_limit_exceeded", "Too many failed sign-ins. Try again later.");
  }
}

/** An invite or setup link that is used, revoked, expired or unknown: Dub's 410. */
export const linkExpired = (what: "invite" | "setup link") =>
  new DomainError("invite_expired", `This ${what} has expired or was already used.`);

export const wrongCredentials = () => new DomainError("unauthorized", "Wrong email or password.");
