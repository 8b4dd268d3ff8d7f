// GET/PATCH /api/workspaces/{idOrSlug}: Workspaces.Get and Workspaces.Update of the seed-era Go SDK (dub-go 0.9.7).
// The `dub` npm SDK (0.73.5) has no workspace operations, so requests go over raw HTTP as that SDK sends them, and
// answers are checked key for key against its WorkspaceSchema (/work/shared/reference/seed-sdk-models.md §7).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { UNLIMITED } from "../../src/wire/workspace.js";
import { apiCall, clickIdFor, rawRequest, trackedLink, unique } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
});
after(() => server.stop());

const SEED_UA = "speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go";

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked key by key
type Json = any;

/** A request as Workspaces.Get / Workspaces.Update of the seed SDK send it. */
async function seedCall(method: "GET" | "PATCH", idOrSlug: string, key: string, body?: unknown) {
  const response = await rawRequest(`${server.origin}/api/workspaces/${idOrSlug}`, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      Accept: "application/json",
      "User-Agent": SEED_UA,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { ...response, contentType: String(response.headers["content-type"] ?? "") };
}

/** The seed SDK's success test (exactly 200, JSON), then its WorkspaceSchema decode; the decoded body. */
async function seedWorkspace(method: "GET" | "PATCH", idOrSlug: string, key: string, body?: unknown) {
  const response = await seedCall(method, idOrSlug, key, body);
  assert.equal(response.status, 200, response.text);
  assert.equal(response.contentType.split(";")[0].trim(), "application/json");
  const workspace = JSON.parse(response.text);
  assertSeedWorkspace(workspace);
  return workspace;
}

const PLANS = ["free", "pro", "business", "business plus", "business extra", "business max", "enterprise"];
/** WorkspaceSchema of dub-go 0.9.7: every key (all required but `logo` and `flags`) and its JSON type. */
const SEED_KEYS: Record<string, "string" | "string?" | "number" | "boolean" | "array" | "object"> = {
  id: "string",
  name: "string",
  slug: "string",
  logo: "string?",
  plan: "string",
  stripeId: "string?",
  billingCycleStart: "number",
  stripeConnectId: "string?",
  inviteCode: "string?",
  usage: "number",
  usageLimit: "number",
  linksUsage: "number",
  linksLimit: "number",
  salesUsage: "number",
  salesLimit: "number",
  domainsLimit: "number",
  tagsLimit: "number",
  usersLimit: "number",
  aiUsage: "number",
  aiLimit: "number",
  referralLinkId: "string?",
  conversionEnabled: "boolean",
  dotLinkClaimed: "boolean",
  createdAt: "string",
  users: "array",
  domains: "array",
  flags: "object",
  publishableKey: "string?",
};
/** Keys later Dub versions require, unknown to the seed SDK (which ignores unknown keys here). */
const LATER_KEYS = ["paymentFailedAt", "payoutMethodId", "partnersEnabled", "allowedHostnames"];

function assertSeedWorkspace(workspace: Json) {
  assert.deepEqual(Object.keys(workspace).sort(), [...Object.keys(SEED_KEYS), ...LATER_KEYS].sort());
  for (const [key, type] of Object.entries(SEED_KEYS)) {
    const value = workspace[key];
    const ok =
      type === "string?"
        ? value === null || typeof value === "string"
        : type === "array"
          ? Array.isArray(value)
          : type === "object"
            ? typeof value === "object" && value !== null && !Array.isArray(value)
            : typeof value === type;
    assert.ok(ok, `${key}: ${type} expected, got ${JSON.stringify(value)}`);
    if (type === "number") assert.ok(Number.isSafeInteger(value) && value >= 0, `${key}: ${value}`);
  }
  assert.ok(PLANS.includes(workspace.plan), workspace.plan);
  for (const user of workspace.users)
    assert.ok(["owner", "member"].includes(user.role), JSON.stringify(user));
  for (const domain of workspace.domains) {
    assert.equal(typeof domain.slug, "string");
    assert.equal(typeof domain.primary, "boolean");
    assert.equal(typeof domain.verified, "boolean");
  }
  for (const value of Object.values(workspace.flags)) assert.equal(typeof value, "boolean");
  assert.equal(new Date(workspace.createdAt).toISOString(), workspace.createdAt);
  assert.equal(typeof workspace.partnersEnabled, "boolean");
}

const row = (id: string) =>
  server.one<{ name: string; slug: string }>("select name, slug from workspaces where id = ?", id);

const keyWith = async (workspaceId: string, scopes: string[]) =>
  (await server.services.workspaces.createKey({ workspaceId, scopes })).key;

describe("Workspaces.Get", () => {
  test("the key's workspace by its id and by its slug, in every key the seed SDK knows", async () => {
    const byId = await seedWorkspace("GET", server.workspaceId, server.key);
    assert.equal(byId.id, server.workspaceId);
    assert.equal(byId.name, "Default workspace");
    assert.equal(byId.slug, "default-workspace");
    const bySlug = await seedWorkspace("GET", "default-workspace", server.key);
    assert.deepEqual(bySlug, byId);
    assert.deepEqual(await seedWorkspace("GET", "Default-Workspace", server.key), byId, "slugs ignore case");
  });

  test("a self-hosted install: enterprise plan, no billing, no limits, the key as owner", async () => {
    const workspace = await seedWorkspace("GET", server.workspaceId, server.key);
    assert.equal(workspace.plan, "enterprise");
    for (const key of ["linksLimit", "usageLimit", "salesLimit", "domainsLimit", "tagsLimit", "usersLimit"])
      assert.equal(workspace[key], UNLIMITED, key);
    assert.equal(UNLIMITED, 1_000_000_000, "Dub's own value for no limit");
    assert.deepEqual([workspace.aiUsage, workspace.aiLimit], [0, 0]);
    for (const key of [
      "logo",
      "inviteCode",
      "stripeId",
      "stripeConnectId",
      "referralLinkId",
      "publishableKey",
    ])
      assert.equal(workspace[key], null, key);
    assert.deepEqual(workspace.users, [{ role: "owner" }]);
    assert.equal(workspace.conversionEnabled, true);
    const created = await server.one<{ created_at: number }>(
      "select created_at from workspaces where id = ?",
      server.workspaceId,
    );
    const createdAt = Number(created?.created_at);
    assert.equal(workspace.createdAt, new Date(createdAt).toISOString());
    assert.equal(workspace.billingCycleStart, new Date(createdAt).getUTCDate());
  });

  test("usage counts this cycle's links, events (clicks, leads, sales) and revenue; domains are its own", async () => {
    const ws = await server.newWorkspace();
    const fresh = await seedWorkspace("GET", ws.workspaceId, ws.key);
    assert.deepEqual(
      [fresh.usage, fresh.linksUsage, fresh.salesUsage, fresh.domains],
      [0, 0, 0, []],
      "a new workspace has used nothing",
    );

    const link = await trackedLink(server, unique("wsu"), ws.key);
    const domain = `${unique("ws").toLowerCase()}.example`;
    await server.sdk(ws.key).links.create({ url: "https://example.com/x", domain });
    const clickId = await clickIdFor(server, link.key);
    const customerExternalId = unique("cust");
    const dub = server.sdk(ws.key);
    await dub.track.lead({ clickId, eventName: "Sign up", customerExternalId });
    await dub.track.sale({ customerExternalId, amount: 4900, currency: "usd", invoiceId: unique("inv") });

    const used = await seedWorkspace("GET", ws.workspaceId, ws.key);
    assert.deepEqual(
      { usage: used.usage, linksUsage: used.linksUsage, salesUsage: used.salesUsage, domains: used.domains },
      {
        usage: 3,
        linksUsage: 2,
        salesUsage: 4900,
        domains: [{ slug: domain, primary: false, verified: false }],
      },
    );
    const theDefault = await seedWorkspace("GET", server.workspaceId, server.key);
    assert.ok(!theDefault.domains.some((d: Json) => d.slug === domain), "not another workspace's domain");
  });

  test("another workspace, by id or slug, is not found, exactly like a workspace that does not exist", async () => {
    const other = await server.newWorkspace();
    const otherSlug = (await row(other.workspaceId))?.slug ?? "";
    assert.match(otherSlug, /^ws-0-\d+$/);
    for (const idOrSlug of [other.workspaceId, otherSlug, "ws_01NOSUCHWORKSPACE000000000", "no-such-slug"]) {
      const error = await rejection(seedCall("GET", idOrSlug, server.key), 404, { what: idOrSlug });
      assert.equal(error.message, "Workspace not found.");
    }
    // …while its own key sees it.
    assert.equal((await seedWorkspace("GET", otherSlug, other.key)).id, other.workspaceId);
  });

  test("needs a key (401) with workspaces.read (403 names it); workspaces.write and apis.read grant it", async () => {
    const noKey = await rawRequest(`${server.origin}/api/workspaces/${server.workspaceId}`, {
      method: "GET",
      headers: { "User-Agent": SEED_UA },
    });
    await rejection(noKey, 401);
    const linksOnly = await keyWith(server.workspaceId, ["links.read", "links.write"]);
    await rejection(seedCall("GET", server.workspaceId, linksOnly), 403, { message: /'workspaces\.read'/ });
    for (const scopes of [["workspaces.read"], ["workspaces.write"], ["apis.read"]]) {
      const key = await keyWith(server.workspaceId, scopes);
      assert.equal((await seedWorkspace("GET", server.workspaceId, key)).id, server.workspaceId, scopes[0]);
    }
  });
});

describe("Workspaces.Update", () => {
  test("renames and re-slugs the workspace; the new slug finds it and the old one no longer does", async () => {
    const ws = await server.newWorkspace();
    const newSlug = unique("renamed").toLowerCase();
    const updated = await seedWorkspace("PATCH", ws.workspaceId, ws.key, { name: "Acme EU", slug: newSlug });
    assert.equal(updated.id, ws.workspaceId);
    assert.equal(updated.name, "Acme EU");
    assert.equal(updated.slug, newSlug);
    assert.deepEqual(await row(ws.workspaceId), { name: "Acme EU", slug: newSlug });
    assert.deepEqual(await seedWorkspace("GET", newSlug, ws.key), updated);

    const byOldSlugThenName = await seedWorkspace("PATCH", newSlug, ws.key, { name: "Acme" });
    assert.equal(byOldSlugThenName.slug, newSlug, "a name alone leaves the slug");
    const lowered = await seedWorkspace("PATCH", newSlug, ws.key, { slug: "Acme-EU-Team" });
    assert.equal(lowered.slug, "acme-eu-team", "slugs are kept lowercase");
    await rejection(seedCall("GET", newSlug, ws.key), 404);
    assert.deepEqual(await row(ws.workspaceId), { name: "Acme", slug: "acme-eu-team" });
  });

  test("an empty body, or the workspace's own slug, changes nothing", async () => {
    const ws = await server.newWorkspace();
    const before = await seedWorkspace("GET", ws.workspaceId, ws.key);
    assert.deepEqual(await seedWorkspace("PATCH", ws.workspaceId, ws.key, {}), before);
    assert.deepEqual(await seedWorkspace("PATCH", before.slug, ws.key, { slug: before.slug }), before);
  });

  test("a slug another workspace has is a 409, and nothing changes", async () => {
    const mine = await server.newWorkspace();
    const theirs = await server.newWorkspace();
    const taken = (await row(theirs.workspaceId))?.slug ?? "";
    const before = await row(mine.workspaceId);
    await rejection(seedCall("PATCH", mine.workspaceId, mine.key, { name: "Mine", slug: taken }), 409, {
      message: `The slug "${taken}" is already in use.`,
    });
    await rejection(seedCall("PATCH", mine.workspaceId, mine.key, { slug: taken.toUpperCase() }), 409);
    assert.deepEqual(await row(mine.workspaceId), before, "the name did not change either");
  });

  test("invalid names and slugs are 422; a logo is refused rather than dropped", async () => {
    const ws = await server.newWorkspace();
    const before = await row(ws.workspaceId);
    const invalid: [unknown, RegExp][] = [
      [{ name: "" }, /name/],
      [{ name: "   " }, /name/],
      [{ name: "x".repeat(33) }, /name/],
      [{ name: 42 }, /name/],
      [{ slug: "ab" }, /slug/],
      [{ slug: "x".repeat(49) }, /slug/],
      [{ slug: "has space" }, /slug/],
      [{ slug: "ws_01ABC" }, /slug/],
      [{ slug: "café" }, /slug/],
      [{ logo: "https://example.com/logo.png" }, /logo: workspace logos are not stored by Clicktrail/],
    ];
    for (const [body, message] of invalid) {
      await rejection(seedCall("PATCH", ws.workspaceId, ws.key, body), 422, {
        message,
        what: JSON.stringify(body),
      });
    }
    assert.deepEqual(await row(ws.workspaceId), before);
    const withNullLogo = await seedWorkspace("PATCH", ws.workspaceId, ws.key, {
      logo: null,
      name: "Logo-less",
    });
    assert.equal(withNullLogo.name, "Logo-less");
  });

  test("another workspace is not found and stays as it was", async () => {
    const other = await server.newWorkspace();
    const before = await row(other.workspaceId);
    for (const idOrSlug of [other.workspaceId, before?.slug ?? ""]) {
      await rejection(
        seedCall("PATCH", idOrSlug, server.key, { name: "Hijacked", slug: unique("hj") }),
        404,
        {
          message: "Workspace not found.",
        },
      );
    }
    assert.deepEqual(await row(other.workspaceId), before);
  });

  test("needs workspaces.write: workspaces.read and apis.read are a 403 that names it", async () => {
    const ws = await server.newWorkspace();
    for (const scopes of [["workspaces.read"], ["apis.read"], ["links.write"]]) {
      const key = await keyWith(ws.workspaceId, scopes);
      await rejection(seedCall("PATCH", ws.workspaceId, key, { name: "Nope" }), 403, {
        message: /'workspaces\.write'/,
        what: scopes[0],
      });
    }
    const writer = await keyWith(ws.workspaceId, ["workspaces.write"]);
    assert.equal((await seedWorkspace("PATCH", ws.workspaceId, writer, { name: "Yes" })).name, "Yes");
    const all = await keyWith(ws.workspaceId, ["apis.all"]);
    assert.equal((await seedWorkspace("PATCH", ws.workspaceId, all, { name: "All" })).name, "All");
  });

  test("allowedHostnames, Dub's field, replaces the sites a publishable key tracks from", async () => {
    const ws = await server.newWorkspace();
    assert.deepEqual((await seedWorkspace("GET", ws.workspaceId, ws.key)).allowedHostnames, []);
    await server.sdk(ws.key).links.create({ url: "https://shop.example.com/", key: unique("hn") });
    const publishable = (
      await server.services.workspaces.createKey({ workspaceId: ws.workspaceId, publishable: true })
    ).key;
    const trackFrom = (site: string) =>
      fetch(`${server.origin}/api/track/lead/client`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${publishable}`,
          "content-type": "application/json",
          origin: site,
          referer: `${site}/checkout`,
        },
        body: JSON.stringify({ clickId: "nope", eventName: "Signup", customerExternalId: unique("c") }),
      });
    await rejection(trackFrom("https://shop.example.com"), 403, { message: /no allowed hostnames/ });

    const updated = await seedWorkspace("PATCH", ws.workspaceId, ws.key, {
      allowedHostnames: [" Shop.Example.com ", "*.example.org", "shop.example.com", ""],
    });
    assert.deepEqual(updated.allowedHostnames, ["shop.example.com", "*.example.org"]);
    assert.deepEqual(
      (await seedWorkspace("GET", ws.workspaceId, ws.key)).allowedHostnames,
      updated.allowedHostnames,
    );
    const fromShop = await trackFrom("https://shop.example.com");
    assert.notEqual(
      fromShop.status,
      403,
      "the allowed site passes the host check (then fails on its click id)",
    );
    await rejection(trackFrom("https://evil.example.net"), 403, { message: /evil\.example\.net/ });

    const renamed = await seedWorkspace("PATCH", ws.workspaceId, ws.key, { name: "Sites kept" });
    assert.deepEqual(renamed.allowedHostnames, updated.allowedHostnames, "a rename leaves the sites");
    assert.deepEqual(
      (await seedWorkspace("PATCH", ws.workspaceId, ws.key, { allowedHostnames: [] })).allowedHostnames,
      [],
    );
  });

  test("an allowedHostnames entry that is no host name is a 400 naming it, and nothing changes", async () => {
    const ws = await server.newWorkspace();
    await seedWorkspace("PATCH", ws.workspaceId, ws.key, { allowedHostnames: ["ok.example.com"] });
    for (const bad of ["https://example.com", "exa mple.com", "example.com/path", "*.*.example.com"]) {
      await rejection(
        seedCall("PATCH", ws.workspaceId, ws.key, { allowedHostnames: ["fine.example.com", bad] }),
        400,
        {
          message: new RegExp(bad.replace(/[.*/]/g, "\\$&")),
          what: bad,
        },
      );
    }
    await rejection(seedCall("PATCH", ws.workspaceId, ws.key, { allowedHostnames: "example.com" }), 422);
    assert.deepEqual((await seedWorkspace("GET", ws.workspaceId, ws.key)).allowedHostnames, [
      "ok.example.com",
    ]);
  });

  test("a body that is no JSON object is a 400 or 422 in Dub's envelope", async () => {
    const response = await fetch(`${server.origin}/api/workspaces/${server.workspaceId}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
      body: "{not json",
    });
    await rejection(response, 400);
    const array = await apiCall(server.origin, server.key, "PATCH", `/workspaces/${server.workspaceId}`, []);
    await rejection({ status: array.status, body: array.body }, 422);
  });
});

describe("workspace slugs at creation", () => {
  test("a new workspace takes the slug of its name, numbered when another workspace has it", async () => {
    const name = `Acme ${unique("co")}`;
    const first = await server.services.workspaces.createWorkspace(name);
    const second = await server.services.workspaces.createWorkspace(name);
    const third = await server.services.workspaces.createWorkspace(`  ${name.toUpperCase()}  `);
    const base = first.slug;
    assert.match(base, /^acme-co-[a-z0-9-]+$/);
    assert.deepEqual([second.slug, third.slug], [`${base}-2`, `${base}-3`]);
    assert.deepEqual(await row(third.id), { name: name.toUpperCase(), slug: `${base}-3` });
  });
});
