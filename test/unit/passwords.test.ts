// Users' passwords: scrypt with a random salt, stored as one self-describing string, checked in constant time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { passwordHasher } from "../../src/composition/store-services.js";
import { loadConfig } from "../../src/config.js";
import { scryptPasswords } from "../../src/domain/accounts/passwords.js";

test("a hash names its cost and salt, differs for the same password, and verifies only the right password", async () => {
  const [a, b] = await Promise.all([
    scryptPasswords.hash("correct horse"),
    scryptPasswords.hash("correct horse"),
  ]);
  assert.match(a, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.notEqual(a, b, "a fresh salt each time");
  assert.equal(await scryptPasswords.verify("correct horse", a), true);
  assert.equal(await scryptPasswords.verify("correct horse", b), true);
  assert.equal(await scryptPasswords.verify("Correct horse", a), false);
  assert.equal(await scryptPasswords.verify("", a), false);
});

test("the same password typed in another Unicode normalisation verifies", async () => {
  const composed = "caf\u00e9 au lait";
  const decomposed = "cafe\u0301 au lait";
  assert.equal(await scryptPasswords.verify(decomposed, await scryptPasswords.hash(composed)), true);
});

test("a stored value of another scheme or a damaged one never verifies", async () => {
  const hash = await scryptPasswords.hash("correct horse");
  for (const stored of ["", "plain", hash.replace("scrypt", "bcrypt"), hash.split("$").slice(0, 5).join("$")])
    assert.equal(await scryptPasswords.verify("correct horse", stored), false, stored);
});

test("a hash made at another cost still verifies (the cost is read from the stored value)", async () => {
  const hash = await scryptPasswords.hash("correct horse");
  const [, , , , salt] = hash.split("$");
  const { scryptSync } = await import("node:crypto");
  const cheaper = scryptSync("correct horse", Buffer.from(salt, "base64url"), 32, { N: 1024, r: 8, p: 1 });
  const stored = ["scrypt", 1024, 8, 1, salt, cheaper.toString("base64url")].join("$");
  assert.equal(await scryptPasswords.verify("correct horse", stored), true);
});

test("a server hashes at the production cost unless its configuration is a test suite's; both verify", async () => {
  const production = passwordHasher(loadConfig({ CLICKTRAIL_TEST_PASSWORD_COST: "low" }));
  const suite = passwordHasher(loadConfig({ NODE_ENV: "test", CLICKTRAIL_TEST_PASSWORD_COST: "low" }));
  const [strong, cheap] = await Promise.all([production.hash("correct horse"), suite.hash("correct horse")]);
  assert.match(strong, /^scrypt\$32768\$8\$1\$/);
  assert.match(cheap, /^scrypt\$1024\$8\$1\$/);
  for (const hasher of [production, suite])
    for (const stored of [strong, cheap]) assert.equal(await hasher.verify("correct horse", stored), true);
});
