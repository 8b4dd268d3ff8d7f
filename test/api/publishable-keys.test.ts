// Publishable keys (`dub_pk_…`): what a web page may do with one — track clicks, leads and sales from a site its
// workspace allows, as Dub's client tests (apps/web/tests/tracks/track-*-client) do — and everything it may not.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { countRows } from "../helpers/journey.js";
import type { Document } from "../helpers/openapi.js";
import { rejection } from "../helpers/rejection.js";
import { BROWSER_UA, startServer, type TestServer } from "../helpers/server.js";

const SHOP = "https://shop.example.com";

type Workspace = { workspaceId: string; secret: string; publishable: string; linkKey: string };

let server: TestServer;
let a: Workspace;
let b: Workspace;

async function workspaceWithSite(secret: string, workspaceId: string, linkKey: string): Promise<Workspace> {
  await server.sdk(secret).links.create({ url: `${SHOP}/`, key: linkKey, trackConversion: true });
  await server.services.workspaces.setAllowedHostnames(workspaceId, ["shop.example.com"]);
  const { key } = await server.services.workspaces.createKey({ workspaceId, publishable: true });
  return { workspaceId, secret, publishable: key, linkKey };
}

before(async () => {
  server = await startServer();
  a = await workspaceWithSite(server.key, server.workspaceId, "pk-a");
  const other = await server.newWorkspace();
  // Both workspaces allow the same site: only the key can tell them apart.
  b = await workspaceWithSite(other.key, other.workspaceId, "pk-b");
});
after(() => server.stop());

/** A call as a page of `page` makes it: Origin and Referer of that site, a browser's user agent. */
function fromPage(path: string, body: unknown, init: { key?: string; auth?: string; page?: string } = {}) {
  const page = init.page === undefined ? SHOP : init.page;
  const auth = init.auth ?? (init.key ? `Bearer ${init.key}` : undefined);
  return fetch(`${server.origin}/api${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": `${BROWSER_UA} ${Math.random()}`,
      ...(page ? { origin: page, referer: `${page}/checkout` } : {}),
      ...(auth ? { authorization: auth } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function clickOn(linkKey: string, key?: string): Promise<string> {
  const response = await fromPage("/track/click", { domain: server.host, key: linkKey }, { key });
  assert.equal(response.status, 200);
  return ((await response.json()) as { clickId: string }).clickId;
}

const customer = (id: string) => ({
  customerExternalId: id,
  customerName: `Name ${id}`,
  customerEmail: `${id}@example.com`,
  customerAvatar: `https://avatars.example.com/${id}.png`,
});

describe("from an allowed site, a publishable key", () => {
  test("tracks a lead on the click the page recorded, answering as Dub's client test expects", async () => {
    const clickId = await clickOn(a.linkKey, a.publishable);
    const response = await fromPage(
      "/track/lead/client",
      { clickId, eventName: "Signup", ...customer("pk-lead") },
      { key: a.publishable },
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    const body = (await response.json()) as { click: unknown; customer: unknown; link: { key: string } };
    assert.deepEqual(body.click, { id: clickId });
    const { id, ...details } = body.customer as { id: string };
    assert.match(id, /^cus_/);
    assert.deepEqual(details, {
      externalId: "pk-lead",
      name: "Name pk-lead",
      email: "pk-lead@example.com",
      avatar: "https://avatars.example.com/pk-lead.png",
    });
    assert.equal(body.link.key, a.linkKey);
    const row = await server.one<{ workspace_id: string }>(
      "select workspace_id from customers where external_id = ?",
      "pk-lead",
    );
    assert.equal(row?.workspace_id, a.workspaceId);
  });

  test("tracks a sale of that customer, answering as Dub's client test expects", async () => {
    const clickId = await clickOn(a.linkKey);
    assert.equal(
      (
        await fromPage(
          "/track/lead/client",
          { clickId, eventName: "Signup", ...customer("pk-sale") },
          { key: a.publishable },
        )
      ).status,
      200,
    );
    const sale = {
      eventName: "Subscription",
      amount: 4200,
      currency: "usd",
      invoiceId: "INV_pk_1",
      paymentProcessor: "stripe",
    };
    const response = await fromPage(
      "/track/sale/client",
      { ...sale, customerExternalId: "pk-sale" },
      { key: a.publishable },
    );
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(body.sale, {
      amount: 4200,
      currency: "usd",
      paymentProcessor: "stripe",
      invoiceId: "INV_pk_1",
      metadata: null,
    });
    // The same receipt as the server-side POST /track/sale.
    assert.equal(body.eventName, "Subscription");
    assert.equal((body.customer as { externalId: string }).externalId, "pk-sale");
  });

  test("answers CORS preflights of both endpoints with Authorization allowed", async () => {
    for (const path of ["/track/lead/client", "/track/sale/client"]) {
      const response = await fetch(`${server.origin}/api${path}`, {
        method: "OPTIONS",
        headers: {
          origin: SHOP,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      });
      assert.equal(response.status, 204, path);
      assert.equal(response.headers.get("access-control-allow-origin"), "*", path);
      assert.equal(response.headers.get("access-control-allow-methods"), "POST, OPTIONS", path);
      assert.equal(response.headers.get("access-control-allow-headers"), "Content-Type, Authorization", path);
    }
  });
});

describe("Dub's refusals on the client-side track endpoints, with CORS headers so the page can read them", () => {
  const cases: {
    what: string;
    auth?: string;
    key?: () => string;
    page?: string;
    status: number;
    message: RegExp | string;
  }[] = [
    { what: "no key", status: 401, message: "Missing publishable key." },
    {
      what: "a secret key",
      key: () => a.secret,
      status: 400,
      message: "Invalid or missing publishable key.",
    },
    {
      what: "not Bearer",
      auth: "Basic dub_pk_x",
      status: 400,
      message: "Invalid or missing publishable key.",
    },
    {
      what: "an unknown key",
      key: () => "dub_pk_unknownunknownunknown",
      status: 401,
      message: "Invalid publishable key.",
    },
    {
      what: "a page of another site",
      key: () => a.publishable,
      page: "https://evil.example.net",
      status: 403,
      message: /evil\.example\.net/,
    },
    { what: "no page at all", key: () => a.publishable, page: "", status: 403, message: /allowed hostnames/ },
  ];
  for (const c of cases) {
    test(`${c.what}: ${c.status}, nothing recorded`, async () => {
      const events = "select (select count(*) from lead_events) + (select count(*) from sale_events) as n";
      const before = await countRows(server, events);
      for (const path of ["/track/lead/client", "/track/sale/client"]) {
        const response = await fromPage(
          path,
          { clickId: "x", eventName: "E", amount: 1, ...customer(`refused-${c.what}`) },
          { auth: c.auth, key: c.key?.(), page: c.page },
        );
        assert.equal(response.headers.get("access-control-allow-origin"), "*", path);
        await rejection(response, c.status, { message: c.message, what: `${c.what} on ${path}` });
      }
      assert.equal(await countRows(server, events), before);
    });
  }

  test("a revoked key: 401", async () => {
    const created = await server.services.workspaces.createKey({
      workspaceId: a.workspaceId,
      publishable: true,
    });
    await server.services.workspaces.revokeKey(created.id);
    const response = fromPage(
      "/track/lead/client",
      { clickId: "x", eventName: "E", ...customer("revoked") },
      { key: created.key },
    );
    await rejection(response, 401, { message: "Invalid publishable key." });
  });

  test("a workspace that names no allowed host name takes no conversion from a key (stricter than Dub: ADR 21)", async () => {
    const bare = await server.newWorkspace();
    const { key } = await server.services.workspaces.createKey({
      workspaceId: bare.workspaceId,
      publishable: true,
    });
    const response = fromPage(
      "/track/lead/client",
      { clickId: "x", eventName: "E", ...customer("bare") },
      { key },
    );
    await rejection(response, 403, { message: /no allowed hostnames/ });
  });
});

describe("a publishable key never crosses into another workspace", () => {
  test("a click on B's link with A's key is B's link not found, and nothing is recorded", async () => {
    const before = await countRows(server, "select count(*) as n from clicks");
    const response = fromPage(
      "/track/click",
      { domain: server.host, key: b.linkKey },
      { key: a.publishable },
    );
    await rejection(response, 404, { message: /pk-b/ });
    assert.equal(await countRows(server, "select count(*) as n from clicks"), before);
  });

  test("a lead on B's click with A's key is refused, and B's click stays without a lead", async () => {
    const clickOfB = await clickOn(b.linkKey, b.publishable);
    const response = fromPage(
      "/track/lead/client",
      { clickId: clickOfB, eventName: "Signup", ...customer("cross-lead") },
      { key: a.publishable },
    );
    await rejection(response, 404);
    assert.equal(
      await countRows(server, "select count(*) as n from customers where external_id = ?", "cross-lead"),
      0,
    );
  });

  test("a sale for B's customer with A's key does not touch B", async () => {
    const clickOfB = await clickOn(b.linkKey);
    const lead = await fromPage(
      "/track/lead/client",
      { clickId: clickOfB, eventName: "Signup", ...customer("b-customer") },
      { key: b.publishable },
    );
    assert.equal(lead.status, 200);
    const sales = "select count(*) as n from sale_events where workspace_id = ?";
    const before = await countRows(server, sales, b.workspaceId);
    const response = await fromPage(
      "/track/sale/client",
      { customerExternalId: "b-customer", amount: 999, eventName: "Purchase", paymentProcessor: "stripe" },
      { key: a.publishable },
    );
    // A has no such customer: Dub's answer for an unknown customer, 200 with nothing recorded.
    assert.equal(response.status, 200);
    const body = (await response.json()) as { customer: unknown; sale: unknown };
    assert.deepEqual([body.customer, body.sale], [null, null]);
    assert.equal(await countRows(server, sales, b.workspaceId), before);
  });
});

describe("everywhere else a publishable key is refused", () => {
  test("the dub SDK with a publishable key gets Unauthorized", async () => {
    const sdk = server.sdk(a.publishable);
    await rejection(sdk.links.list(), 401, { message: /publishable key/ });
    await rejection(
      sdk.track.lead({ clickId: "x", eventName: "Signup", customerExternalId: "sdk-pk" }),
      401,
      { message: /publishable key/ },
    );
  });

  test("every operation of the OpenAPI document that takes a key, except the two client-side ones, answers 401", async () => {
    const document = (await (await fetch(`${server.origin}/api/openapi.json`)).json()) as Document;
    const client = new Set(["trackLeadClient", "trackSaleClient"]);
    let checked = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        // Operations that name their own security without the bearer token take no key (public, or a session's).
        const takesNoKey =
          Array.isArray(operation.security) &&
          !operation.security.some((s) => Object.hasOwn(s as object, "token"));
        if (takesNoKey || client.has(operation.operationId ?? "")) continue;
        const target = `${server.origin}/api${path.replace(/\{[^}]+\}/g, "x")}`;
        const hasBody = ["post", "put", "patch"].includes(method);
        const response = await fetch(target, {
          method: method.toUpperCase(),
          headers: {
            authorization: `Bearer ${a.publishable}`,
            origin: SHOP,
            referer: `${SHOP}/`,
            ...(hasBody ? { "content-type": "application/json" } : {}),
          },
          body: hasBody ? "{}" : undefined,
        });
        await rejection(response, 401, {
          message: /publishable key/,
          what: `${method.toUpperCase()} ${path}`,
        });
        checked++;
      }
    }
    assert.ok(checked > 30, `only ${checked} operations checked`);
  });
});
