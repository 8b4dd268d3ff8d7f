import { createHash, randomBytes } from "node:crypto";

/** 32 random bytes, base64url: a session, invite or setup token, or a CSRF token. */
export const newToken = () => randomBytes(32).toString("base64url");

/** Only this is stored: a stolen table lets nobody in. */
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
