// A browser's side of the dashboard's session: the ct_session cookie it keeps, the CSRF token `me` gives, the Origin
// it sends on writes, and its own client address (X-Forwarded-For, for servers started with TRUST_PROXY).
import assert from "node:assert/strict";
import { uniqueIp } from "./journey.js";
import type { TestServer } from "./server.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked key by key
export type Json = any;

export type CallOptions = {
  body?: unknown;
  /** The Origin header: the server's own by default on writes; null sends none. */
  origin?: string | null;
  /** The X-CSRF-Token header: the session's own by default on writes; null sends none. */
  csrf?: string | null;
  headers?: Record<string, string>;
};

export class Browser {
  cookie: string | undefined;
  csrfToken: string | undefined;
  readonly address = uniqueIp();

  constructor(readonly server: Pick<TestServer, "origin">) {}

  /** A request as the dashboard sends it; the session cookie follows Set-Cookie like a browser's jar. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const writes = !["GET", "HEAD", "OPTIONS"].includes(method);
    const headers: Record<string, string> = { "x-forwarded-for": this.address, ...options.headers };
    if (this.cookie) headers.cookie = `ct_session=${this.cookie}`;
    const origin = options.origin === undefined ? (writes ? this.server.origin : null) : options.origin;
    if (origin !== null) headers.origin = origin;
    const csrf = options.csrf === undefined ? (writes ? this.csrfToken : undefined) : options.csrf;
    if (csrf) headers["x-csrf-token"] = csrf;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${this.server.origin}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    for (const line of response.headers.getSetCookie()) {
      const match = /^ct_session=([^;]*)/.exec(line);
      if (match) this.cookie = match[1] || undefined;
    }
    return response;
  }

  /** A call expected to succeed with 200; its JSON. */
  async json(method: string, path: string, options: CallOptions = {}): Promise<Json> {
    const response = await this.call(method, path, options);
    const text = await response.text();
    assert.equal(response.status, 200, `${method} ${path}: ${text}`);
    return JSON.parse(text);
  }

  /** Keeps the CSRF token of the `me` answer of a sign-in. */
  private keep(me: Json): Json {
    this.csrfToken = me.csrfToken;
    return me;
  }

  setup(token: string, email: string, password = PASSWORD): Promise<Json> {
    return this.json("POST", "/api/auth/setup", { body: { token, email, password } }).then((me) =>
      this.keep(me),
    );
  }

  login(email: string, password = PASSWORD): Promise<Json> {
    return this.json("POST", "/api/auth/login", { body: { email, password } }).then((me) => this.keep(me));
  }

  accept(token: string, body: Record<string, unknown> = {}): Promise<Json> {
    return this.json("POST", `/api/invites/${token}/accept`, { body }).then((me) => this.keep(me));
  }
}

export const PASSWORD = "correct horse battery";

let emails = 0;
/** An address no other test has used. */
export function uniqueEmail(prefix = "user"): string {
  emails += 1;
  return `${prefix}-${Date.now().toString(36)}-${emails}@example.com`;
}

/** A user made as an operator would (`clicktrail users create`), signed in in a new browser. */
export async function signedInUser(
  server: TestServer,
  role: "owner" | "member" = "owner",
  workspaceId = server.workspaceId,
): Promise<{ browser: Browser; email: string; userId: string }> {
  const email = uniqueEmail(role);
  const user = await server.services.accounts.createUser(
    { email, password: PASSWORD },
    { workspaceId, role },
  );
  const browser = new Browser(server);
  await browser.login(email);
  return { browser, email, userId: user.id };
}
