import pino, { type DestinationStream } from "pino";

/** `destination`: where the lines go instead of stdout (tests read them). */
export function createLogger(level: string, destination?: DestinationStream) {
  return pino(
    {
      level,
      redact: {
        // Links' passwords and the cookies that a right one earns never reach the log, whatever logs them.
        paths: [
          "req.headers.authorization",
          "headers.authorization",
          "req.headers.cookie",
          "headers.cookie",
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
