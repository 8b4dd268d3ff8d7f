import pino, { type DestinationStream } from "pino";

/** `destination`: where the lines go instead of stdout (tests read them). */
export function createLogger(level: string, destination?: DestinationStream) {
  return pino(
    {
      level,
      redact: {
        // Passwords (links' and users'), session, invite and setup tokens, and the cookies that carry them never
        // reach the log, whatever logs them.
        paths: [
          "req.headers.authorization",
          "headers.authorization",
          "req.headers.cookie",
          "headers.cookie",
          'req.headers["x-csrf-token"]',
          'headers["x-csrf-token"]',
          'res.headers["set-cookie"]',
          'headers["set-cookie"]',
          "token",
          "*.token",
          "setupToken",
          "*.setupToken",
          "csrfToken",
          "*.csrfToken",
          "passwordHash",
          "*.passwordHash",
          "key",
          "*.key",
          "password",
          "*.password",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
