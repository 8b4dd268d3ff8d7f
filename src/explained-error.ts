import { EXIT_FAILURE } from "./exit-codes.js";

/**
 * A failure explained for the person who ran the command or started the server: it ends the process with its
 * message alone (no stack trace) and its exit status.
 */
export class ExplainedError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** Why the server cannot listen, in words. */
export function listenFailure(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: string }).code;
  const where = `${host}:${port}`;
  if (code === "EADDRINUSE") {
    return new ExplainedError(
      `clicktrail: ${where} is already in use by another process: stop it, or set PORT (or HOST) to a free one.`,
    );
  }
  if (code === "EACCES") {
    return new ExplainedError(
      `clicktrail: listening on ${where} is not allowed for this user: ports below 1024 need privileges; use PORT=8080 behind a proxy.`,
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return new ExplainedError(
      `clicktrail: HOST=${host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its own addresses.`,
    );
  }
  return error;
}
