// The Domains API through the official `dub` SDK (create, list, update, delete, checkStatus, register) and the
// seed-era Go SDK's bytes, one workspace against another, the default short domain, and what a domain's settings
// do to its visitors: the root goes to the placeholder, an unknown key to notFoundUrl, an expired link to
// expiredUrl.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import { DomainSchema$inboundSchema } from "dub/models/components";
import type { Principal } from "../../src/domain/workspaces/model.js";
import { apiCall, countRows, postRaw, rawRequest } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { requestWithHost, startServer, type TestServer } from "../helpers/server.js";
import { type Receiver, startReceiver, until } from "../helpers/webhook-receiver.js";

let server: TestServer;
let receiver: Receiver;

before(async () => {
  [server, receiver] = await Promise.all([
    startServer({ WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_POLL_MS: "50" }),
    startReceiver(),
  ]);
});
after(async () => {
  await server.stop();
  await receiver.close();
});

let counter = 0;
/** A domain no other test uses. */
const fresh = (label = "go") => `${label}-${Date.now().toString(36)}-${++counter}.example.test`;

/** A new workspace: its SDK, key and id. */
async function workspace(scopes?: string[]): Promise<{ dub: Dub; key: string; workspaceId: string }> {
  const { key, workspaceId } = await server.newWorkspace(scopes);
  return { dub: server.sdk(key), key, workspaceId };
}

const slugsOf = async (dub: Dub, request: Parameters<Dub["domains"]["list"]>[0] = {}) =>
  (await dub.domains.list(request)).result.map((domain) => domain.slug);

const visitOn = (host: string, path: string) => requestWithHost(server, path, host);

const DUB_DOMAIN_KEYS = [
  "appleAppSiteAssociation",
  "archived",
  "assetLinks",
  "createdAt",
  "expiredUrl",
  "id",
  "logo",
  "notFoundUrl",
  "placeholder",
  "primary",
  "registeredDomain",
  "slug",
  "updatedAt",
  "verified",
];

describe("create", () => {
  test("a new domain with every setting: 201 and Dub's DomainSchema, every key present", async () => {
    const { dub, key } = await workspace();
    const slug = fresh();
    const started = Date.now();
    const domain = await dub.domains.create({
      slug: slug.toUpperCase(),
      placeholder: "https://example.com/welcome",
      expiredUrl: "https://example.com/expired",
      notFoundUrl: "https://example.com/missing",
      logo: "https://example.com/logo.png",
    });
    assert.match(domain.id, /^dom_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(domain.slug, slug, "lower-cased");
    assert.equal(domain.placeholder, "https://example.com/welcome");
    assert.equal(domain.expiredUrl, "https://example.com/expired");
    assert.equal(domain.notFoundUrl, "https://example.com/missing");
    assert.equal(domain.logo, "https://example.com/logo.png");
    assert.equal(domain.archived, false);
    assert.equal(domain.verified, false, "no DNS is checked");
    assert.equal(domain.primary, false);
    assert.equal(domain.registeredDomain, null);
    assert.equal(domain.assetLinks, null);
    assert.equal(domain.appleAppSiteAssociation, null);
    assert.ok(Date.parse(domain.createdAt) >= started - 1000, domain.createdAt);
    assert.equal(domain.updatedAt, domain.createdAt);

    const listed = await apiCall(server.origin, key, "GET", "/domains");
    assert.equal(listed.status, 200);
    assert.deepEqual(Object.keys(listed.body[0]).sort(), DUB_DOMAIN_KEYS);
    DomainSchema$inboundSchema.parse(listed.body[0]);
  });

  test("only a slug: the settings are null and the domain is not archived", async () => {
    const { dub } = await workspace();
    const domain = await dub.domains.create({ slug: fresh() });
    assert.deepEqual(
      [domain.placeholder, domain.expiredUrl, domain.notFoundUrl, domain.logo, domain.archived],
      [null, null, null, null, false],
    );
  });

  test("a domain already in the workspace is a conflict, also one claimed by a link", async () => {
    const { dub } = await workspace();
    const slug = fresh();
    await dub.domains.create({ slug });
    await rejection(dub.domains.create({ slug }), 409, { message: /already in this workspace/ });

    const claimed = fresh();
    await dub.links.create({ url: "https://example.com/", domain: claimed });
    await rejection(dub.domains.create({ slug: claimed }), 409, { message: /already in this workspace/ });
    assert.deepEqual(await slugsOf(dub), [slug, claimed], "a domain claimed by a link is the workspace's");
  });

  test("the first of many workspaces racing for a domain owns it; the others get a conflict", async () => {
    const slug = fresh("race");
    const racers = await Promise.all(Array.from({ length: 6 }, () => workspace()));
    const results = await Promise.allSettled(racers.map(({ dub }) => dub.domains.create({ slug })));
    const won = results.filter((result) => result.status === "fulfilled");
    assert.equal(won.length, 1, "exactly one workspace got the domain");
    for (const result of results) {
      if (result.status === "rejected") await rejection(Promise.reject(result.reason), 409);
    }
    const owners = await server.query<{ workspace_id: string }>(
      "select workspace_id from domains where slug = ?",
      slug,
    );
    assert.equal(owners.length, 1);
  });

  test("validation: a host name, web addresses, no app-link files; 422 in Dub's envelope", async () => {
    const { dub, key } = await workspace();
    for (const body of [
      { slug: "not a host" },
      { slug: "" },
      { slug: `${"a".repeat(190)}.test` },
      { slug: fresh(), placeholder: "javascript:alert(1)" },
      { slug: fresh(), notFoundUrl: "/relative" },
      { slug: fresh(), expiredUrl: "ftp://example.com/" },
      { slug: fresh(), logo: "data:image/png;base64,iVBORw0KGgo=" },
      { slug: fresh(), assetLinks: "[]" },
      { slug: fresh(), appleAppSiteAssociation: "{}" },
    ]) {
      await rejection(apiCall(server.origin, key, "POST", "/domains", body), 422, {
        what: JSON.stringify(body),
      });
    }
    await rejection(apiCall(server.origin, key, "POST", "/domains"), 400);
    assert.deepEqual(await slugsOf(dub), [], "nothing was created");
  });
});

describe("one workspace's domain is no other's", () => {
  test("another workspace cannot create it (409), change or delete it (404), and never lists it", async () => {
    const owner = await workspace();
    const other = await workspace();
    const slug = fresh();
    await owner.dub.domains.create({ slug, notFoundUrl: "https://owner.example/missing" });

    await rejection(other.dub.domains.create({ slug }), 409, { message: /in use by another workspace/ });
    await rejection(other.dub.domains.update(slug, { placeholder: "https://evil.example/" }), 404);
    await rejection(other.dub.domains.delete(slug), 404);
    await rejection(other.dub.links.create({ url: "https://evil.example/", domain: slug }), 403);
    assert.deepEqual(await slugsOf(other.dub), []);
    assert.deepEqual(await slugsOf(other.dub, { archived: true }), []);

    const mine = await other.dub.domains.create({ slug: fresh() });
    await rejection(other.dub.domains.update(mine.slug, { slug }), 409, { message: /another workspace/ });
    assert.deepEqual(await slugsOf(owner.dub), [slug]);
    assert.equal((await visitOn(slug, "/nothing-here")).location, "https://owner.example/missing");
  });

  test("a domain that links of another workspace use cannot be created, even without an owner", async () => {
    const first = await workspace();
    const second = await workspace();
    const slug = fresh();
    await first.dub.links.create({ url: "https://first.example/", domain: slug });
    await server.storage.db.deleteFrom("domains").where("slug", "=", slug).execute();

    await rejection(second.dub.domains.create({ slug }), 409);
    const reclaimed = await first.dub.domains.create({ slug, placeholder: "https://first.example/home" });
    assert.equal(reclaimed.slug, slug, "the workspace whose links are on it may still add it");
  });

  test("the default short domain is everyone's: not listed, not created, changed or deleted", async () => {
    const { dub } = await workspace();
    await dub.links.create({ url: "https://example.com/on-default" });
    assert.deepEqual(await slugsOf(dub), []);
    await rejection(dub.domains.create({ slug: server.host }), 409, { message: /default short domain/ });
    await rejection(dub.domains.update(server.host, { notFoundUrl: "https://example.com/" }), 403, {
      message: /default short domain.*clicktrail short-domain set/,
    });
    await rejection(dub.domains.delete(server.host), 403, { message: /default short domain/ });
    const own = await dub.domains.create({ slug: fresh() });
    await rejection(dub.domains.update(own.slug, { slug: server.host }), 409, {
      message: /default short domain/,
    });
    assert.equal(await countRows(server, "select count(*) as n from domains where slug = ?", server.host), 0);
  });

  test("keys need the domains scopes; domains.read lists but does not write", async () => {
    const linksOnly = await workspace(["links.write"]);
    await rejection(linksOnly.dub.domains.list(), 403, { message: /domains\.read/ });
    await rejection(linksOnly.dub.domains.create({ slug: fresh() }), 403, { message: /domains\.write/ });
    const reader = await workspace(["domains.read"]);
    assert.deepEqual(await slugsOf(reader.dub), []);
    await rejection(reader.dub.domains.create({ slug: fresh() }), 403, { message: /domains\.write/ });
    const statuses = await reader.dub.domains.checkStatus({ domains: fresh() });
    assert.equal(statuses[0].available, true);
  });
});

describe("list", () => {
  test("the workspace's domains, oldest first: archived ones apart, search, pages", async () => {
    const { dub } = await workspace();
    // Ends in "-z": a stem ending in "b" would put "b." in every slug and match the search for "B." below.
    const stem = `list-${Date.now().toString(36)}-z`;
    const slugs = ["a", "b", "c", "d"].map((letter) => `${letter}.${stem}.test`);
    for (const slug of slugs) await dub.domains.create({ slug, archived: slug.startsWith("d") });

    assert.deepEqual(await slugsOf(dub), slugs.slice(0, 3), "archived domains are left out by default");
    assert.deepEqual(await slugsOf(dub, { archived: true }), [slugs[3]], "archived=true lists only them");
    assert.deepEqual(await slugsOf(dub, { search: "B." }), [slugs[1]]);
    assert.deepEqual(await slugsOf(dub, { search: "%" }), [], "LIKE wildcards are literal");
    assert.deepEqual(await slugsOf(dub, { page: 1, pageSize: 2 }), slugs.slice(0, 2));
    assert.deepEqual(await slugsOf(dub, { page: 2, pageSize: 2 }), [slugs[2]]);
    assert.deepEqual(await slugsOf(dub, { page: 3, pageSize: 2 }), []);
  });

  test("pageSize is at most 50, as Dub's", async () => {
    const { dub } = await workspace();
    await rejection(dub.domains.list({ pageSize: 51 }), 422);
  });
});

describe("update", () => {
  test("changes the given settings; null clears one; updatedAt moves", async () => {
    const { dub } = await workspace();
    const created = await dub.domains.create({
      slug: fresh(),
      placeholder: "https://example.com/welcome",
      notFoundUrl: "https://example.com/missing",
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await dub.domains.update(created.slug, {
      expiredUrl: "https://example.com/expired",
      notFoundUrl: null,
      archived: true,
    });
    assert.equal(updated.id, created.id);
    assert.equal(updated.placeholder, "https://example.com/welcome", "left as it was");
    assert.equal(updated.expiredUrl, "https://example.com/expired");
    assert.equal(updated.notFoundUrl, null);
    assert.equal(updated.archived, true);
    assert.equal(updated.createdAt, created.createdAt);
    assert.ok(updated.updatedAt > created.updatedAt, `${updated.updatedAt} > ${created.updatedAt}`);
    assert.deepEqual(await slugsOf(dub, { archived: true }), [created.slug]);
    await rejection(dub.domains.update(fresh(), { archived: false }), 404);
    await rejection(dub.domains.update(created.slug, { placeholder: "mailto:a@example.com" }), 422);
  });

  test("a new slug renames the domain and moves its links, each announced as link.updated", async () => {
    const { dub, key } = await workspace();
    const webhook = await apiCall(server.origin, key, "POST", "/webhooks", {
      name: "renames",
      url: receiver.url,
      triggers: ["link.updated"],
    });
    assert.equal(webhook.status, 200, JSON.stringify(webhook.body));
    const before = fresh("old");
    const renamed = fresh("new");
    await dub.domains.create({ slug: before, notFoundUrl: "https://example.com/missing" });
    const links = await Promise.all(
      ["one", "two"].map((linkKey) =>
        dub.links.create({ url: `https://example.com/${linkKey}`, domain: before, key: linkKey }),
      ),
    );
    assert.equal(
      (await visitOn(before, "/one")).location,
      "https://example.com/one",
      "cached under the old name",
    );

    const domain = await dub.domains.update(before, { slug: renamed.toUpperCase() });
    assert.equal(domain.slug, renamed);
    assert.equal(domain.notFoundUrl, "https://example.com/missing", "the settings travel with it");
    assert.deepEqual(await slugsOf(dub), [renamed]);
    for (const link of links) {
      const moved = await dub.links.get({ linkId: link.id });
      assert.equal(moved.domain, renamed);
      assert.equal(moved.shortLink, `http://${renamed}/${link.key}`);
      assert.equal((await visitOn(renamed, `/${link.key}`)).location, link.url);
      assert.equal((await visitOn(before, `/${link.key}`)).status, 404, "the old name no longer serves it");
    }
    const events = await until(() => {
      const got = receiver.of("link.updated", (d) => d.json.data.domain === renamed);
      return got.length === links.length ? got : null;
    }, "a link.updated event per moved link");
    assert.deepEqual(new Set(events.map((d) => d.json.data.id)), new Set(links.map((link) => link.id)));

    const other = await workspace();
    await other.dub.domains.create({ slug: before });
    assert.deepEqual(await slugsOf(other.dub), [before], "the old name is free for anyone");
  });

  test("renaming onto a name that links of any workspace use is a conflict, and nothing moves", async () => {
    const { dub } = await workspace();
    const mine = await dub.domains.create({ slug: fresh() });
    const link = await dub.links.create({ url: "https://example.com/stay", domain: mine.slug });
    const taken = fresh("taken");
    await (await workspace()).dub.links.create({ url: "https://other.example/", domain: taken });
    await server.storage.db.deleteFrom("domains").where("slug", "=", taken).execute();

    await rejection(dub.domains.update(mine.slug, { slug: taken }), 409);
    assert.equal((await dub.links.get({ linkId: link.id })).domain, mine.slug);
    assert.deepEqual(await slugsOf(dub), [mine.slug]);
  });
});

describe("delete", () => {
  test("deletes the domain and its links, each announced as link.deleted, as Dub does", async () => {
    const { dub, key, workspaceId } = await workspace();
    const webhook = await apiCall(server.origin, key, "POST", "/webhooks", {
      name: "deletions",
      url: receiver.url,
      triggers: ["link.deleted"],
    });
    assert.equal(webhook.status, 200, JSON.stringify(webhook.body));
    const slug = fresh();
    await dub.domains.create({ slug, notFoundUrl: "https://example.com/missing" });
    const links = await Promise.all(
      ["a", "b", "c"].map((linkKey) =>
        dub.links.create({ url: "https://example.com/", domain: slug, key: linkKey }),
      ),
    );
    const kept = await dub.links.create({ url: "https://example.com/kept" });
    assert.equal((await visitOn(slug, "/a")).status, 302, "cached before the deletion");

    assert.deepEqual(await dub.domains.delete(slug.toUpperCase()), { slug });

    assert.deepEqual(await slugsOf(dub), []);
    assert.deepEqual(
      (await dub.links.list({})).result.map((link) => link.id),
      [kept.id],
      "only the link on another domain is left",
    );
    for (const link of links) {
      const answer = await visitOn(slug, `/${link.key}`);
      assert.equal(answer.status, 404, "neither the link nor the domain's notFoundUrl answers");
      assert.equal(answer.location, undefined);
    }
    const events = await until(() => {
      const got = receiver.of("link.deleted", (d) => d.json.data.domain === slug);
      return got.length === links.length ? got : null;
    }, "a link.deleted event per link");
    assert.deepEqual(new Set(events.map((d) => d.json.data.id)), new Set(links.map((link) => link.id)));
    assert.equal(
      await countRows(server, "select count(*) as n from links where workspace_id = ?", workspaceId),
      1,
    );
    await rejection(dub.domains.delete(slug), 404);
    await (await workspace()).dub.domains.create({ slug });
  });

  test("a domain with more links than one batch loses them all", async () => {
    const { dub, workspaceId } = await workspace();
    const slug = fresh("big");
    await dub.domains.create({ slug });
    const principal: Principal = { workspaceId, keyId: "test", scopes: null, userId: null, role: null };
    for (let i = 0; i < 501; i++) {
      await server.services.links.create(principal, {
        url: `https://example.com/${i}`,
        domain: slug,
        key: `k${i}`,
      });
    }
    await dub.domains.delete(slug);
    assert.equal(await countRows(server, "select count(*) as n from links where domain = ?", slug), 0);
    assert.equal(await countRows(server, "select count(*) as n from domains where slug = ?", slug), 0);
  });
});

describe("checkStatus and register", () => {
  test("available means this workspace could add it here now", async () => {
    const { dub } = await workspace();
    const mine = await dub.domains.create({ slug: fresh() });
    const theirs = fresh();
    await (await workspace()).dub.domains.create({ slug: theirs });
    const free = fresh();
    const statuses = await dub.domains.checkStatus({
      domains: [free.toUpperCase(), mine.slug, theirs, server.host],
    });
    assert.deepEqual(statuses, [
      { domain: free, available: true, premium: null, prices: null, price: null },
      { domain: mine.slug, available: false, premium: null, prices: null, price: null },
      { domain: theirs, available: false, premium: null, prices: null, price: null },
      { domain: server.host, available: false, premium: null, prices: null, price: null },
    ]);
    await rejection(dub.domains.checkStatus({ domains: "not a domain" }), 422);
  });

  test("register is always a documented 403: Clicktrail cannot buy domains", async () => {
    const { dub } = await workspace();
    await rejection(dub.domains.register({ domain: fresh() }), 403, {
      message: /cannot register \(buy\) domains/,
    });
    await rejection(dub.domains.register({ domain: "not a domain" }), 422);
  });
});

describe("what a domain's settings do to its visitors", () => {
  test("the root goes to the placeholder; without one (or with Dub's default) it is the home page", async () => {
    const { dub } = await workspace();
    const slug = fresh();
    await dub.domains.create({ slug, placeholder: "https://example.com/welcome" });
    const root = await visitOn(slug, "/");
    assert.equal(root.status, 302);
    assert.equal(root.location, "https://example.com/welcome");

    await dub.domains.update(slug, { placeholder: "https://dub.co/help/article/what-is-dub" });
    const home = await visitOn(slug, "/");
    assert.equal(home.status, 200, "the change is seen at once");
    assert.match(home.body, /Clicktrail/);
    assert.equal((await visitOn(server.host, "/")).status, 200, "the default domain keeps its home page");
    assert.equal((await visitOn(fresh("unknown"), "/")).status, 200);
  });

  test("an unknown key goes to notFoundUrl, untracked; without one it is the 404 page", async () => {
    const { dub } = await workspace();
    const slug = fresh();
    await dub.domains.create({ slug });
    await dub.links.create({ url: "https://example.com/real", domain: slug, key: "real" });
    assert.equal((await visitOn(slug, "/missing")).status, 404, "the miss is now cached");

    await dub.domains.update(slug, { notFoundUrl: "https://example.com/missing?from=short" });
    const missing = await visitOn(slug, "/missing");
    assert.equal(missing.status, 302, "the change is seen at once");
    assert.equal(missing.location, "https://example.com/missing?from=short");
    assert.equal((await visitOn(slug, "/real")).location, "https://example.com/real");
    assert.equal(
      await countRows(server, "select count(*) as n from clicks where domain = ?", slug),
      1,
      "only the real link's visit is a click",
    );
    assert.equal((await visitOn(server.host, "/missing-everywhere")).status, 404);
  });

  test("an expired link goes to its own expiredUrl, else the domain's, else the 410 page", async () => {
    const { dub } = await workspace();
    const slug = fresh();
    await dub.domains.create({ slug });
    const past = new Date(Date.now() - 60_000).toISOString();
    await dub.links.create({
      url: "https://example.com/a",
      domain: slug,
      key: "own",
      expiresAt: past,
      expiredUrl: "https://example.com/own-expired",
    });
    await dub.links.create({ url: "https://example.com/b", domain: slug, key: "plain", expiresAt: past });
    assert.equal((await visitOn(slug, "/plain")).status, 410);

    await dub.domains.update(slug, { expiredUrl: "https://example.com/domain-expired" });
    assert.equal((await visitOn(slug, "/own")).location, "https://example.com/own-expired");
    const plain = await visitOn(slug, "/plain");
    assert.equal(plain.status, 302);
    assert.equal(plain.location, "https://example.com/domain-expired");
  });
});

describe("the seed-era Go SDK (v0.9.7) on the wire", () => {
  const SEED_UA = "speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go";
  const seedCall = (key: string, method: string, path: string, body?: string) =>
    rawRequest(`${server.origin}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        "user-agent": SEED_UA,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body,
    });
  /** The keys the seed SDK's DomainSchema requires, and the types it decodes. */
  const assertSeedDomain = (domain: Record<string, unknown>) => {
    for (const name of ["id", "slug", "createdAt", "updatedAt"])
      assert.equal(typeof domain[name], "string", name);
    assert.ok("expiredUrl" in domain, "expiredUrl is required (nullable)");
    for (const name of ["verified", "primary", "archived"])
      assert.equal(typeof domain[name], "boolean", name);
    assert.ok(domain.placeholder === null || typeof domain.placeholder === "string");
    assert.equal(domain.registeredDomain, null);
  };

  test("Create (201), List, Update and Delete with the bodies that SDK sends", async () => {
    const { key } = await workspace();
    const slug = fresh("seed");
    const created = await seedCall(
      key,
      "POST",
      "/domains",
      `{"slug":"${slug}","archived":false,"placeholder":"https://dub.co/help/article/what-is-dub"}`,
    );
    assert.equal(created.status, 201, created.text);
    assert.match(String(created.headers["content-type"]), /^application\/json/);
    const domain = JSON.parse(created.text);
    assertSeedDomain(domain);
    assert.equal(domain.placeholder, "https://dub.co/help/article/what-is-dub", "kept as sent");
    assert.equal((await visitOn(slug, "/")).status, 200, "but not followed");

    const listed = await seedCall(key, "GET", "/domains?page=1&pageSize=50");
    assert.equal(listed.status, 200);
    const list = JSON.parse(listed.text);
    assert.equal(list.length, 1);
    assertSeedDomain(list[0]);

    const updated = await seedCall(
      key,
      "PATCH",
      `/domains/${slug}`,
      `{"expiredUrl":"https://example.com/expired","archived":false,"placeholder":"https://dub.co/help/article/what-is-dub"}`,
    );
    assert.equal(updated.status, 200, updated.text);
    assertSeedDomain(JSON.parse(updated.text));

    const deleted = await seedCall(key, "DELETE", `/domains/${slug}`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(JSON.parse(deleted.text), { slug });
  });

  test("an error answers the envelope whose code the seed SDK's enum knows", async () => {
    const { key } = await workspace();
    const answer = await postRaw(server, "/domains", `{"slug":"${server.host}","archived":false}`, key);
    await rejection({ status: answer.status, text: answer.text, contentType: answer.contentType }, 409);
  });
});
