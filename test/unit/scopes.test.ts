import assert from "node:assert/strict";
import { test } from "node:test";
import { grants, isScope, SCOPES, type Scope } from "../../src/domain/workspaces/scopes.js";

test("an unrestricted key (null scopes) is granted every scope", () => {
  for (const scope of SCOPES) assert.equal(grants(null, scope), true, scope);
});

test("apis.all grants every scope", () => {
  for (const scope of SCOPES) assert.equal(grants(["apis.all"], scope), true, scope);
});

test("apis.read grants every .read scope and no write scope", () => {
  for (const scope of SCOPES) {
    assert.equal(grants(["apis.read"], scope), scope.endsWith(".read"), scope);
  }
});

test("a scope grants itself; a .write scope implies its own .read only", () => {
  assert.equal(grants(["links.read"], "links.read"), true);
  assert.equal(grants(["links.write"], "links.write"), true);
  assert.equal(grants(["links.write"], "links.read"), true);
  assert.equal(grants(["customers.write"], "customers.read"), true);
  assert.equal(grants(["webhooks.write"], "webhooks.read"), true);
  assert.equal(grants(["links.write"], "customers.read"), false);
  assert.equal(grants(["links.write"], "analytics.read"), false);
});

test("a .read scope never grants a write", () => {
  assert.equal(grants(["links.read"], "links.write"), false);
  assert.equal(grants(["customers.read"], "customers.write"), false);
});

test("an empty scope list grants nothing", () => {
  for (const scope of SCOPES) assert.equal(grants([], scope), false, scope);
});

test("unrelated scopes grant nothing", () => {
  const scopes: Scope[] = ["analytics.read", "webhooks.read"];
  assert.equal(grants(scopes, "links.read"), false);
  assert.equal(grants(scopes, "links.write"), false);
  assert.equal(grants(scopes, "conversions.write"), false);
  assert.equal(grants(scopes, "analytics.read"), true);
});

test("isScope knows exactly the listed scopes", () => {
  for (const scope of SCOPES) assert.equal(isScope(scope), true, scope);
  for (const value of ["bogus", "links", "links.READ", "links.read ", "", "tags.delete"]) {
    assert.equal(isScope(value), false, JSON.stringify(value));
  }
});
