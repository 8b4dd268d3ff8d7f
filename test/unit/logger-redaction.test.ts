// The log never carries a secret, whoever logs the object that holds it: API keys, links' passwords, cookies.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "../../src/logger.js";

const logged = (write: (logger: ReturnType<typeof createLogger>) => void) => {
  const lines: string[] = [];
  write(createLogger("info", { write: (line: string) => lines.push(line) }));
  assert.equal(lines.length, 1);
  return JSON.parse(lines[0]);
};

test("a link's password is redacted, at the top level or in a logged object", () => {
  const line = logged((logger) =>
    logger.info({ password: "top secret", link: { id: "link_1", password: "hunter2" } }, "changed"),
  );
  assert.equal(line.password, "[redacted]");
  assert.deepEqual(line.link, { id: "link_1", password: "[redacted]" });
  assert.ok(!JSON.stringify(line).includes("hunter2"));
});

test("a request's cookie (a password's unlock token) and authorization are redacted", () => {
  const line = logged((logger) =>
    logger.info({ req: { headers: { cookie: "ct_unlock_link_1=123.abc", authorization: "Bearer dub_x" } } }),
  );
  assert.deepEqual(line.req.headers, { cookie: "[redacted]", authorization: "[redacted]" });
});

test("accounts: passwords, password hashes, session/invite/setup/CSRF tokens and the session cookie are redacted", () => {
  const line = logged((logger) =>
    logger.info(
      {
        body: { email: "a@example.com", password: "correct horse" },
        user: { id: "user_1", passwordHash: "scrypt$32768$8$1$salt$hash" },
        invite: { token: "invite-token" },
        setupToken: "setup-token",
        me: { csrfToken: "csrf-value" },
        req: { headers: { cookie: "ct_session=session-token", "x-csrf-token": "csrf-value" } },
        res: { headers: { "set-cookie": "ct_session=session-token; HttpOnly" } },
      },
      "signed in",
    ),
  );
  const text = JSON.stringify(line);
  for (const secret of [
    "correct horse",
    "scrypt$",
    "invite-token",
    "setup-token",
    "csrf-value",
    "session-token",
  ])
    assert.ok(!text.includes(secret), `${secret} in ${text}`);
  assert.equal(line.body.email, "a@example.com", "what is no secret stays");
});
