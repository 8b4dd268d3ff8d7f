/** A session lives 30 days from its last use, extended at most once an hour (one write per hour, not per request). */
export const SESSION_LIFETIME_MS = 30 * 24 * 3_600_000;
export const SESSION_REFRESH_MS = 3_600_000;

/** Invites and the setup link are good for 7 days. */
export const LINK_LIFETIME_MS = 7 * 24 * 3_600_000;

/** Failed sign-ins allowed per email and per address within the window, before 429. */
export const LOGIN_FAILURES = 5;
export const LOGIN_WINDOW_SECONDS = 15 * 60;
