import pino from "pino";

export function createLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: ["req.headers.authorization", "headers.authorization", "key", "*.key"],
      censor: "[redacted]",
    },
  });
}
