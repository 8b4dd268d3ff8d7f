import { unprocessable } from "../errors.js";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./passwords.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed)) throw unprocessable("Invalid email address.");
  return trimmed;
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw unprocessable(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw unprocessable(`The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
}

export function checkName(name: string | null | undefined): string | null {
  const trimmed = name?.trim() ?? "";
  if (trimmed.length > 190) throw unprocessable("The name must be at most 190 characters long.");
  return trimmed || null;
}
