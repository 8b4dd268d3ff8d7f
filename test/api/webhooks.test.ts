// Webhooks end to end: the CRUD API, every trigger's payload as a real receiver gets it (both signatures checked,
// decoded with the official SDK's schemas), retries, the delivery log, auto-disable and private-address refusal.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { lookup } from "node:dns/promises";
import { after, before, describe, test } from "node:test";
import {
  LeadCreatedEvent$inboundSchema,
  LinkClickedEvent$inboundSchema,
  LinkWebhookEvent$inboundSchema,
  SaleCreatedEvent$inboundSchema,
} from "dub/models/components";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { startServer as startRealServer } from "../../src/server.js";
import { apiCall, clickIdFor, countRows, trackedLink, unique } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { BROWSER_UA, freePort, startServer, type TestServer } from "../helpers/server.js";
import {
  type Delivery,
  type Receiver,
  startReceiver,
  until,
  verifyDubSignature,
  verifyStandardSignature,
} from "../helpers/webhook-receiver.js";

const FAST = {
  TRUST_PROXY: "true",
  WEBHOOK_POLL_MS: "50",
  WEBHOOK_RETRY_BASE_MS: "20",
  // Long enough that a receiver's answer is never mistaken for a hang on a loaded machine.
  WEBHOOK_TIMEOUT_MS: "1500",
};

/** Allows private receivers (the receiver is on 127.0.0.1); 8 attempts, the default. */
let server: TestServer;
/** The same with WEBHOOK_MAX_ATTEMPTS=3 (and the default WEBHOOK_DISABLE_AFTER=20). */
let threeAttempts: TestServer;
const receivers: Receiver[] = [];

before(async () => {
  [server, threeAttempts] = await Promise.all([
    startServer({ ...FAST, WEBHOOK_ALLOW_PRIVATE: "true" }),
    startServer({ ...FAST, WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_MAX_ATTEMPTS: "3" }),
  ]);
});
after(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await Promise.all([server?.stop(), threeAttempts?.stop()]);
});

async function receiver(respond?: Parameters<typeof startReceiver>[0], host?: string): Promise<Receiver> {
  const started = await startReceiver(respond, 0, host);
  receivers.push(started);
  return started;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
type Json = any;

const api = (target: TestServer | string, key: string, method: string, path: string, body?: unknown) =>
  apiCall(typeof target === "string" ? target : target.origin, key, method, path, body);

type Workspace = { key: string; workspaceId: string };

/** Creates a webhook for `rx` (200 expected) and tells the receiver its secret. */
async function createWebhook(
  target: TestServer,
  ws: Workspace,
  rx: Receiver,
  fields: Record<string, unknown>,
): Promise<Json> {
  const created = await api(target, ws.key, "POST", "/webhooks", {
    name: "receiver",
    url: rx.url,
    ...fields,
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  rx.secret = created.body.secret;
  return created.body;
}

type AttemptLog = {
  attemptedAt: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseExcerpt: string | null;
};
type EventLog = {
  eventId: string;
  event: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
  payload: Json;
  attemptLog: AttemptLog[];
};

async function eventLog(target: TestServer | string, key: string, webhookId: string, query = "") {
  const answer = await api(target, key, "GET", `/webhooks/${webhookId}/events${query}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as EventLog[];
}

/** Waits until the only event of the webhook has reached `status`, and returns its log entry. */
async function settledEvent(
  target: TestServer | string,
  key: string,
  webhookId: string,
  status: "delivered" | "failed",
  ms = 10_000,
): Promise<EventLog> {
  let last: EventLog[] = [];
  return until(
    async () => {
      last = await eventLog(target, key, webhookId);
      return last.length === 1 && last[0].status === status ? last[0] : null;
    },
    () => `the event of ${webhookId} to be ${status}; log: ${JSON.stringify(last)}`,
    ms,
  );
}

const messages = (target: TestServer, webhookId: string, trigger?: string) =>
  countRows(
    target,
    `select count(*) as n from webhook_messages where webhook_id = ?${trigger ? " and trigger = ?" : ""}`,
    ...(trigger ? [webhookId, trigger] : [webhookId]),
  );

const pendingMessages = (target: TestServer, webhookId: string) =>
  countRows(
    target,
    "select count(*) as n from webhook_messages where webhook_id = ? and status = 'pending'",
    webhookId,
  );

/** Waits until every queued message of the webhook is delivered or failed (the outbox is the truth). */
const settled = (target: TestServer, webhookId: string) =>
  until(async () => (await pendingMessages(target, webhookId)) === 0, `${webhookId} to have nothing pending`);

/** What every delivery must carry: Dub's envelope, both valid signatures, the event id as webhook-id. */
function assertSignedEnvelope(delivery: Delivery, event: string) {
  assert.ok(delivery.dubSignatureValid, `Dub-Signature verifies for ${delivery.body.slice(0, 80)}`);
  assert.ok(delivery.standardSignatureValid, "webhook-signature (Standard Webhooks) verifies");
  assert.match(String(delivery.headers["dub-signature"]), /^[0-9a-f]{64}$/);
  assert.match(String(delivery.headers["content-type"]), /^application\/json/);
  assert.equal(Number(delivery.headers["content-length"]), delivery.raw.length);
  assert.deepEqual(Object.keys(delivery.json), ["id", "event", "createdAt", "data"]);
  assert.equal(delivery.json.event, event);
  assert.match(delivery.json.id, /^evt_[0-9A-Za-z]{25}$/);
  assert.equal(new Date(delivery.json.createdAt).toISOString(), delivery.json.createdAt);
  assert.equal(delivery.headers["webhook-id"], delivery.json.id);
  const timestamp = Number(delivery.headers["webhook-timestamp"]);
  assert.ok(Number.isInteger(timestamp), `webhook-timestamp is whole seconds: ${timestamp}`);
  assert.ok(Math.abs(timestamp - Date.now() / 1000) < 60, "webhook-timestamp is now");
  assert.equal(JSON.stringify(delivery.json), delivery.body, "the body is JSON.stringify of the payload");
}

const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

describe("the receiver's signature checks", () => {
  test("reject a changed body, another secret and a missing header", () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const raw = Buffer.from('{"id":"evt_x"}');
    const dub = createHmac("sha256", secret).update(raw).digest("hex");
    assert.ok(verifyDubSignature(secret, raw, dub));
    assert.ok(!verifyDubSignature(secret, Buffer.from('{"id":"evt_y"}'), dub));
    assert.ok(!verifyDubSignature(`${secret}x`, raw, dub));
    assert.ok(!verifyDubSignature(secret, raw, undefined));
    const signature = createHmac("sha256", Buffer.alloc(32, 7))
      .update(`msg_1.1700000000.${raw}`)
      .digest("base64");
    const headers = { "webhook-id": "msg_1", "webhook-timestamp": "1700000000" };
    assert.ok(verifyStandardSignature(secret, raw, { ...headers, "webhook-signature": `v1,${signature}` }));
    assert.ok(
      verifyStandardSignature(secret, raw, { ...headers, "webhook-signature": `v1,bogus v1,${signature}` }),
    );
    assert.ok(
      !verifyStandardSignature(secret, raw, {
        ...headers,
        "webhook-timestamp": "1700000001",
        "webhook-signature": `v1,${signature}`,
      }),
    );
    assert.ok(!verifyStandardSignature(secret, raw, headers));
  });
});

describe("webhooks CRUD", () => {
  test("create returns a generated whsec_ secret once; GET and list hide it", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver();
    const created = await api(server, ws.key, "POST", "/webhooks", {
      name: "  CRM  ",
      url: rx.url,
      triggers: ["lead.created", "sale.created", "lead.created"],
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const webhook = created.body;
    assert.match(webhook.id, /^wh_/);
    assert.equal(webhook.name, "CRM");
    assert.equal(webhook.url, rx.url);
    assert.match(webhook.secret, SECRET);
    assert.equal(Buffer.from(webhook.secret.slice(6), "base64").length, 32);
    assert.deepEqual([...webhook.triggers].sort(), ["lead.created", "sale.created"]);
    assert.deepEqual(webhook.linkIds, []);
    assert.equal(webhook.disabled, false);
    assert.equal(webhook.disabledAt, null);
    assert.equal(webhook.disabledReason, null);
    assert.equal(webhook.consecutiveFailures, 0);
    assert.equal(new Date(webhook.createdAt).toISOString(), webhook.createdAt);

    const got = await api(server, ws.key, "GET", `/webhooks/${webhook.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, { ...webhook, secret: null });

    const second = await createWebhook(server, ws, rx, { name: "second", triggers: ["link.clicked"] });
    assert.notEqual(second.secret, webhook.secret, "every webhook gets its own secret");
    const listed = await api(server, ws.key, "GET", "/webhooks");
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.map((entry: Json) => [entry.id, entry.secret]),
      [
        [webhook.id, null],
        [second.id, null],
      ],
    );
  });

  test("a secret given on creation is used as is", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver();
    const secret = `whsec_${Buffer.alloc(32, 1).toString("base64")}`;
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created"], secret });
    assert.equal(webhook.secret, secret);
    const link = await trackedLink(server, undefined, ws.key);
    const delivery = await until(() => rx.of("link.created")[0], "link.created");
    assert.equal(delivery.json.data.id, link.id);
    assertSignedEnvelope(delivery, "link.created");
  });

  test("linkIds of another workspace, or of no link, are refused on create and PATCH and nothing changes", async () => {
    const ws = await server.newWorkspace();
    const stranger = await server.newWorkspace();
    const rx = await receiver();
    const own = await trackedLink(server, undefined, ws.key);
    const theirs = await trackedLink(server, undefined, stranger.key);
    for (const linkIds of [[theirs.id], [own.id, theirs.id], ["link_missing"]]) {
      const created = api(server, ws.key, "POST", "/webhooks", {
        name: "x",
        url: rx.url,
        triggers: ["link.clicked"],
        linkIds,
      });
      await rejection(created, 422, { message: /linkIds/, what: JSON.stringify(linkIds) });
    }
    assert.equal((await api(server, ws.key, "GET", "/webhooks")).body.length, 0, "nothing was created");

    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.clicked"], linkIds: [own.id] });
    const patched = await api(server, ws.key, "PATCH", `/webhooks/${webhook.id}`, { linkIds: [theirs.id] });
    assert.equal(patched.status, 422, JSON.stringify(patched.body));
    const got = await api(server, ws.key, "GET", `/webhooks/${webhook.id}`);
    assert.deepEqual(got.body.linkIds, [own.id], "the filter is unchanged");
  });

  test("PATCH changes triggers, url, linkIds and disabled", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver();
    const other = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["lead.created"] });
    const link = await trackedLink(server, undefined, ws.key);

    const patched = await api(server, ws.key, "PATCH", `/webhooks/${webhook.id}`, {
      name: "renamed",
      url: other.url,
      triggers: ["link.clicked", "link.updated"],
      linkIds: [link.id, link.id],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.name, "renamed");
    assert.equal(patched.body.url, other.url);
    assert.deepEqual([...patched.body.triggers].sort(), ["link.clicked", "link.updated"]);
    assert.deepEqual(patched.body.linkIds, [link.id]);
    assert.equal(patched.body.secret, null, "the secret is not shown again");
    assert.ok(Date.parse(patched.body.updatedAt) >= Date.parse(webhook.updatedAt));

    const onlyName = await api(server, ws.key, "PATCH", `/webhooks/${webhook.id}`, { name: "again" });
    assert.equal(onlyName.status, 200);
    assert.deepEqual([...onlyName.body.triggers].sort(), ["link.clicked", "link.updated"]);
    assert.deepEqual(onlyName.body.linkIds, [link.id], "fields left out are kept");
    assert.equal(onlyName.body.url, other.url);

    const disabled = await api(server, ws.key, "PATCH", `/webhooks/${webhook.id}`, { disabled: true });
    assert.equal(disabled.body.disabled, true);
    assert.ok(disabled.body.disabledAt);
    assert.match(disabled.body.disabledReason, /request/);

    const enabled = await api(server, ws.key, "PATCH", `/webhooks/${webhook.id}`, {
      disabled: false,
      linkIds: [],
    });
    assert.equal(enabled.body.disabled, false);
    assert.equal(enabled.body.disabledAt, null);
    assert.equal(enabled.body.disabledReason, null);
    assert.deepEqual(enabled.body.linkIds, [], "an empty list removes the filter");
    const got = await api(server, ws.key, "GET", `/webhooks/${webhook.id}`);
    assert.deepEqual(got.body, enabled.body);

    await rejection(api(server, ws.key, "PATCH", "/webhooks/wh_missing", { name: "x" }), 404);
  });

  test("DELETE removes it: 404 afterwards, gone from the list, no more events", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created"] });
    const deleted = await api(server, ws.key, "DELETE", `/webhooks/${webhook.id}`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body, { id: webhook.id });
    assert.equal((await api(server, ws.key, "GET", `/webhooks/${webhook.id}`)).status, 404);
    assert.equal((await api(server, ws.key, "DELETE", `/webhooks/${webhook.id}`)).status, 404);
    assert.equal((await api(server, ws.key, "GET", `/webhooks/${webhook.id}/events`)).status, 404);
    assert.deepEqual((await api(server, ws.key, "GET", "/webhooks")).body, []);
    await trackedLink(server, undefined, ws.key);
    assert.equal(await messages(server, webhook.id), 0);
  });

  test("another workspace's webhook is 404 for every route", async () => {
    const owner = await server.newWorkspace();
    const stranger = await server.newWorkspace();
    const rx = await receiver();
    const webhook = await createWebhook(server, owner, rx, { triggers: ["link.created"] });
    const link = await trackedLink(server, undefined, owner.key);
    const delivery = await until(() => rx.of("link.created")[0], "link.created");
    assert.equal(delivery.json.data.id, link.id);
    const eventId = delivery.json.id;

    for (const [method, path, body] of [
      ["GET", `/webhooks/${webhook.id}`],
      ["PATCH", `/webhooks/${webhook.id}`, { name: "mine now" }],
      ["DELETE", `/webhooks/${webhook.id}`],
      ["GET", `/webhooks/${webhook.id}/events`],
      ["POST", `/webhooks/${webhook.id}/events/${eventId}/retry`],
    ] as const) {
      await rejection(api(server, stranger.key, method, path, body), 404, { what: `${method} ${path}` });
    }
    assert.deepEqual((await api(server, stranger.key, "GET", "/webhooks")).body, []);
    const still = await api(server, owner.key, "GET", `/webhooks/${webhook.id}`);
    assert.equal(still.body.name, "receiver");
  });

  test("webhooks.read reads, webhooks.write writes, other keys get 403", async () => {
    const rx = await receiver();
    const linksOnly = await server.newWorkspace(["links.read", "links.write"]);
    const reader = await server.newWorkspace(["webhooks.read"]);
    const writer = await server.newWorkspace(["webhooks.write"]);
    const body = { name: "x", url: rx.url, triggers: ["lead.created"] };

    for (const [method, path] of [
      ["GET", "/webhooks"],
      ["POST", "/webhooks"],
      ["GET", "/webhooks/wh_x"],
      ["PATCH", "/webhooks/wh_x"],
      ["DELETE", "/webhooks/wh_x"],
      ["GET", "/webhooks/wh_x/events"],
      ["POST", "/webhooks/wh_x/events/evt_x/retry"],
    ] as const) {
      const answer = api(server, linksOnly.key, method, path, method === "GET" ? undefined : body);
      await rejection(answer, 403, { what: `${method} ${path}` });
    }

    assert.equal((await api(server, reader.key, "GET", "/webhooks")).status, 200);
    for (const [method, path] of [
      ["POST", "/webhooks"],
      ["PATCH", "/webhooks/wh_x"],
      ["DELETE", "/webhooks/wh_x"],
      ["POST", "/webhooks/wh_x/events/evt_x/retry"],
    ] as const) {
      await rejection(api(server, reader.key, method, path, body), 403, {
        message: /webhooks\.write/,
        what: `a read-only key may not ${method} ${path}`,
      });
    }

    const created = await api(server, writer.key, "POST", "/webhooks", body);
    assert.equal(created.status, 200);
    assert.equal((await api(server, writer.key, "GET", `/webhooks/${created.body.id}`)).status, 200);
    assert.equal((await api(server, writer.key, "GET", `/webhooks/${created.body.id}/events`)).status, 200);
    assert.equal((await api(server, writer.key, "DELETE", `/webhooks/${created.body.id}`)).status, 200);
  });

  test("a bad url, an unknown trigger or no trigger at all is 422", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver();
    const good = { name: "x", url: rx.url, triggers: ["lead.created"] };
    for (const [what, body] of [
      ["an ftp url", { ...good, url: "ftp://127.0.0.1/hooks" }],
      ["not a url", { ...good, url: "not a url" }],
      ["a javascript: url", { ...good, url: "javascript:alert(1)" }],
      ["an unknown trigger", { ...good, triggers: ["link.exploded"] }],
      ["no triggers", { ...good, triggers: [] }],
      ["triggers missing", { name: "x", url: rx.url }],
      ["url missing", { name: "x", triggers: ["lead.created"] }],
      ["an empty name", { ...good, name: "" }],
    ] as const) {
      await rejection(api(server, ws.key, "POST", "/webhooks", body), 422, { what });
    }
    const webhook = await createWebhook(server, ws, rx, { triggers: ["lead.created"] });
    for (const body of [{ url: "ftp://127.0.0.1/" }, { triggers: [] }, { triggers: ["nope"] }]) {
      const answer = await api(server, ws.key, "PATCH", `/webhooks/${webhook.id}`, body);
      assert.equal(answer.status, 422, JSON.stringify(body));
    }
    assert.deepEqual((await api(server, ws.key, "GET", "/webhooks")).body.length, 1);
  });
});

describe("each trigger delivers Dub's payload, signed both ways", () => {
  test("link.created, link.updated and link.deleted through the SDK", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver();
    await createWebhook(server, ws, rx, { triggers: ["link.created", "link.updated", "link.deleted"] });
    const sdk = server.sdk(ws.key);
    const key = unique("lnk");
    const link = await sdk.links.create({ url: "https://example.com/created", key, trackConversion: true });

    const created = await until(() => rx.of("link.created")[0], "link.created");
    assertSignedEnvelope(created, "link.created");
    const parsedCreated = LinkWebhookEvent$inboundSchema.parse(created.json);
    assert.equal(parsedCreated.data.id, link.id);
    assert.equal(parsedCreated.data.url, "https://example.com/created");
    assert.equal(parsedCreated.data.key, key);
    assert.equal(parsedCreated.data.shortLink, link.shortLink);
    assert.equal(parsedCreated.data.trackConversion, true);
    assert.equal(created.json.data.workspaceId, ws.workspaceId);

    await sdk.links.update(link.id, { url: "https://example.com/updated" });
    const updated = await until(() => rx.of("link.updated")[0], "link.updated");
    assertSignedEnvelope(updated, "link.updated");
    const parsedUpdated = LinkWebhookEvent$inboundSchema.parse(updated.json);
    assert.equal(parsedUpdated.data.id, link.id);
    assert.equal(parsedUpdated.data.url, "https://example.com/updated");

    await sdk.links.delete(link.id);
    const deleted = await until(() => rx.of("link.deleted")[0], "link.deleted");
    assertSignedEnvelope(deleted, "link.deleted");
    const parsedDeleted = LinkWebhookEvent$inboundSchema.parse(deleted.json);
    assert.equal(parsedDeleted.data.id, link.id);
    assert.equal(parsedDeleted.data.url, "https://example.com/updated");

    const ids = new Set([created.json.id, updated.json.id, deleted.json.id]);
    assert.equal(ids.size, 3, "every event has its own id");
    assert.equal(rx.deliveries.length, 3);
  });

  test("link.clicked for a redirect, not for the same visitor's repeat click", async () => {
    const ws = await server.newWorkspace();
    const link = await trackedLink(server, undefined, ws.key);
    const rx = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.clicked"] });
    const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const visit = () =>
      fetch(`${server.origin}/${link.key}`, {
        redirect: "manual",
        headers: { "user-agent": BROWSER_UA, "x-forwarded-for": ip, referer: "https://news.example.org/a" },
      });
    const response = await visit();
    assert.equal(response.status, 302);
    const clickId = new URL(response.headers.get("location") ?? "").searchParams.get("dub_id");
    assert.ok(clickId);

    const clicked = await until(() => rx.of("link.clicked")[0], "link.clicked");
    assertSignedEnvelope(clicked, "link.clicked");
    const parsed = LinkClickedEvent$inboundSchema.parse(clicked.json);
    assert.equal(parsed.data.click.id, clickId);
    assert.equal(parsed.data.click.url, link.url);
    assert.equal(parsed.data.click.ua, BROWSER_UA);
    assert.equal(parsed.data.click.qr, false);
    assert.equal(parsed.data.click.referer, "news.example.org");
    assert.equal(parsed.data.click.browser, "Chrome");
    assert.equal(parsed.data.link.id, link.id);
    assert.equal(parsed.data.link.shortLink, link.shortLink);

    const again = await visit();
    assert.equal(again.status, 302);
    await settled(server, webhook.id);
    assert.equal(await messages(server, webhook.id), 1, "a deduplicated click queues no event");
    assert.equal(rx.of("link.clicked").length, 1);
  });

  test("lead.created for dub.track.lead: shape, metadata, once for eventQuantity 3, not for a duplicate", async () => {
    const ws = await server.newWorkspace();
    const link = await trackedLink(server, undefined, ws.key);
    const clickId = await clickIdFor(server, link.key);
    const rx = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["lead.created"] });
    const externalId = unique("user");
    const sdk = server.sdk(ws.key);

    await sdk.track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId: externalId,
      customerName: "Zoë Ångström 😀",
      customerEmail: "ann@example.com",
      metadata: { plan: "pro", seats: 3 },
    });
    const lead = await until(() => rx.of("lead.created")[0], "lead.created");
    assertSignedEnvelope(lead, "lead.created");
    const parsed = LeadCreatedEvent$inboundSchema.parse(lead.json);
    assert.equal(parsed.data.eventName, "Sign up");
    assert.equal(parsed.data.customer.externalId, externalId);
    assert.equal(parsed.data.customer.name, "Zoë Ångström 😀", "signed over the UTF-8 bytes sent");
    assert.equal(parsed.data.customer.email, "ann@example.com");
    assert.match(parsed.data.customer.id, /^cus_/);
    assert.ok(!("country" in lead.json.data.customer), "Dub removes country from the webhook customer");
    assert.equal(parsed.data.click.id, clickId);
    assert.equal(parsed.data.link.id, link.id);
    assert.equal(parsed.data.link.shortLink, link.shortLink);
    assert.deepEqual(parsed.data.metadata, { plan: "pro", seats: 3 });
    assert.deepEqual(
      Object.keys(lead.json.data).sort(),
      ["click", "customer", "eventName", "link", "metadata", "partner"].sort(),
    );

    // The same customer and event name again: a duplicate, nothing recorded, no webhook.
    const duplicate = await sdk.track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    assert.equal(duplicate.link, null);

    // Three lead events in one call: one webhook.
    const many = unique("user");
    const manyClick = await clickIdFor(server, link.key);
    await sdk.track.lead({
      clickId: manyClick,
      eventName: "Seat added",
      customerExternalId: many,
      eventQuantity: 3,
    });
    const manyLead = await until(
      () => rx.of("lead.created", (d) => d.json.data.customer.externalId === many)[0],
      "lead.created for eventQuantity 3",
    );
    LeadCreatedEvent$inboundSchema.parse(manyLead.json);
    assert.equal(manyLead.json.data.click.id, manyClick);
    assert.equal(
      await countRows(
        server,
        "select count(*) as n from lead_events l join customers c on c.id = l.customer_id where c.external_id = ?",
        many,
      ),
      3,
      "three lead events were recorded",
    );
    await settled(server, webhook.id);
    assert.equal(
      await messages(server, webhook.id, "lead.created"),
      2,
      "one message per call, none for the duplicate",
    );
    assert.equal(rx.of("lead.created", (d) => d.json.data.customer.externalId === many).length, 1);
    assert.equal(rx.of("lead.created", (d) => d.json.data.customer.externalId === externalId).length, 1);
  });

  test("sale.created for dub.track.sale, not again for a replayed invoiceId", async () => {
    const ws = await server.newWorkspace();
    const link = await trackedLink(server, undefined, ws.key);
    const clickId = await clickIdFor(server, link.key);
    const rx = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["sale.created"] });
    const externalId = unique("buyer");
    const sdk = server.sdk(ws.key);
    await sdk.track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    const invoiceId = unique("in");
    const sale = {
      customerExternalId: externalId,
      amount: 4900,
      paymentProcessor: "stripe" as const,
      invoiceId,
      metadata: { order: 42 },
    };
    await sdk.track.sale(sale);

    const delivered = await until(() => rx.of("sale.created")[0], "sale.created");
    assertSignedEnvelope(delivered, "sale.created");
    const parsed = SaleCreatedEvent$inboundSchema.parse(delivered.json);
    assert.equal(parsed.data.eventName, "Purchase");
    assert.deepEqual(delivered.json.data.sale, {
      amount: 4900,
      currency: "usd",
      paymentProcessor: "stripe",
      invoiceId,
    });
    assert.equal(parsed.data.customer.externalId, externalId);
    assert.equal(parsed.data.customer.sales, 1);
    assert.equal(parsed.data.customer.saleAmount, 4900);
    assert.ok(parsed.data.customer.firstSaleAt);
    assert.equal(parsed.data.click.id, clickId);
    assert.equal(parsed.data.link.id, link.id);
    assert.deepEqual(parsed.data.metadata, { order: 42 });
    assert.ok(!("country" in delivered.json.data.customer));

    const replay = await sdk.track.sale(sale);
    assert.equal(replay.sale?.invoiceId, invoiceId);
    await sdk.track.sale({ ...sale, invoiceId: unique("in"), amount: 100 });
    await until(() => rx.of("sale.created").length === 2, "the second, different sale");
    await settled(server, webhook.id);
    assert.equal(await messages(server, webhook.id, "sale.created"), 2, "the replay queued nothing");
    assert.deepEqual(
      rx.of("sale.created").map((d) => d.json.data.sale.amount),
      [4900, 100],
    );
  });

  test("a deferred lead sends nothing; the lead recorded later does", async () => {
    const ws = await server.newWorkspace();
    const link = await trackedLink(server, undefined, ws.key);
    const clickId = await clickIdFor(server, link.key);
    const rx = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["lead.created"] });
    const externalId = unique("deferred");
    const sdk = server.sdk(ws.key);
    await sdk.track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId, mode: "deferred" });
    assert.equal(await messages(server, webhook.id), 0, "deferred mode records no lead and queues nothing");
    await sdk.track.lead({ clickId: "", eventName: "Sign up", customerExternalId: externalId });
    const lead = await until(() => rx.of("lead.created")[0], "lead.created of the completed deferred lead");
    assert.equal(LeadCreatedEvent$inboundSchema.parse(lead.json).data.click.id, clickId);
    await settled(server, webhook.id);
    assert.equal(rx.deliveries.length, 1);
  });

  test("a sale of amount 0 sends no sale.created; a QR click says qr", async () => {
    const ws = await server.newWorkspace();
    const link = await trackedLink(server, undefined, ws.key);
    const rx = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["sale.created", "link.clicked"] });
    const response = await fetch(`${server.origin}/${link.key}?qr=1`, {
      redirect: "manual",
      headers: { "user-agent": BROWSER_UA, "x-forwarded-for": "198.51.100.7" },
    });
    assert.equal(response.status, 302);
    const clickId = new URL(response.headers.get("location") ?? "").searchParams.get("dub_id");
    assert.ok(clickId);
    const click = await until(() => rx.of("link.clicked")[0], "the QR click");
    const parsed = LinkClickedEvent$inboundSchema.parse(click.json);
    assert.equal(parsed.data.click.qr, true);
    assert.equal(parsed.data.click.trigger, "qr");
    const externalId = unique("free");
    await server.sdk(ws.key).track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    const free = await server.sdk(ws.key).track.sale({ customerExternalId: externalId, amount: 0 });
    assert.equal(free.sale, null);
    await settled(server, webhook.id);
    assert.equal(await messages(server, webhook.id, "sale.created"), 0);
    assert.equal(rx.of("sale.created").length, 0);
  });

  test("a direct sale (new customer with a clickId) sends lead.created and sale.created", async () => {
    const ws = await server.newWorkspace();
    const link = await trackedLink(server, undefined, ws.key);
    const clickId = await clickIdFor(server, link.key);
    const rx = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["lead.created", "sale.created"] });
    const externalId = unique("direct");
    await server.sdk(ws.key).track.sale({
      clickId,
      customerExternalId: externalId,
      customerEmail: "direct@example.com",
      amount: 1500,
      invoiceId: unique("in"),
    });
    const lead = await until(() => rx.of("lead.created")[0], "the direct sale's lead.created");
    const sale = await until(() => rx.of("sale.created")[0], "the direct sale's sale.created");
    assertSignedEnvelope(lead, "lead.created");
    assertSignedEnvelope(sale, "sale.created");
    const parsedLead = LeadCreatedEvent$inboundSchema.parse(lead.json);
    const parsedSale = SaleCreatedEvent$inboundSchema.parse(sale.json);
    assert.equal(parsedLead.data.eventName, "Direct sale tracking lead event");
    assert.equal(parsedLead.data.customer.externalId, externalId);
    assert.equal(parsedLead.data.click.id, clickId);
    assert.equal(parsedSale.data.customer.id, parsedLead.data.customer.id);
    assert.equal(parsedSale.data.sale.amount, 1500);
    assert.equal(parsedSale.data.click.id, clickId);
    await settled(server, webhook.id);
    assert.equal(rx.deliveries.length, 2);
  });

  test("a webhook limited to one link gets only that link's events", async () => {
    const ws = await server.newWorkspace();
    const one = await trackedLink(server, undefined, ws.key);
    const two = await trackedLink(server, undefined, ws.key);
    const limitedRx = await receiver();
    const allRx = await receiver();
    const limited = await createWebhook(server, ws, limitedRx, {
      triggers: ["link.clicked", "lead.created", "link.updated"],
      linkIds: [one.id],
    });
    assert.deepEqual(limited.linkIds, [one.id]);
    await createWebhook(server, ws, allRx, { triggers: ["link.clicked", "lead.created", "link.updated"] });

    const clickOne = await clickIdFor(server, one.key);
    const clickTwo = await clickIdFor(server, two.key);
    await server
      .sdk(ws.key)
      .track.lead({ clickId: clickTwo, eventName: "Sign up", customerExternalId: unique("u") });
    await server.sdk(ws.key).links.update(two.id, { title: "two" });
    await until(
      () => allRx.deliveries.length === 4,
      () => `4 events for the unfiltered webhook, got ${allRx.deliveries.length}`,
    );
    await settled(server, limited.id);
    assert.equal(await messages(server, limited.id), 1);
    assert.equal(limitedRx.deliveries.length, 1);
    assert.equal(limitedRx.deliveries[0].json.event, "link.clicked");
    assert.equal(limitedRx.deliveries[0].json.data.click.id, clickOne);
    assert.equal(limitedRx.deliveries[0].json.data.link.id, one.id);

    // Lifting the filter: the next event of the other link arrives too.
    const lifted = await api(server, ws.key, "PATCH", `/webhooks/${limited.id}`, { linkIds: null });
    assert.equal(lifted.status, 200);
    assert.deepEqual(lifted.body.linkIds, []);
    await server.sdk(ws.key).links.update(two.id, { title: "two again" });
    const update = await until(
      () => limitedRx.of("link.updated")[0],
      "link.updated after lifting the filter",
    );
    assert.equal(update.json.data.id, two.id);
  });

  test("a disabled webhook gets nothing, and events again once enabled", async () => {
    const ws = await server.newWorkspace();
    const offRx = await receiver();
    const onRx = await receiver();
    const off = await createWebhook(server, ws, offRx, { triggers: ["link.created"], disabled: true });
    assert.equal(off.disabled, true);
    await createWebhook(server, ws, onRx, { triggers: ["link.created"] });
    const first = await trackedLink(server, undefined, ws.key);
    await until(() => onRx.of("link.created")[0], "link.created for the enabled webhook");
    assert.equal(await messages(server, off.id), 0, "nothing is queued for a disabled webhook");
    assert.equal(offRx.deliveries.length, 0);

    await api(server, ws.key, "PATCH", `/webhooks/${off.id}`, { disabled: false });
    const second = await trackedLink(server, undefined, ws.key);
    const delivered = await until(() => offRx.of("link.created")[0], "link.created once enabled");
    assert.equal(delivered.json.data.id, second.id);
    assert.notEqual(delivered.json.data.id, first.id);
  });
});

describe("delivery, retries and the delivery log", () => {
  test("a webhook URL with a host name (not an IP literal) is delivered", async () => {
    const ws = await server.newWorkspace();
    // The receiver listens where the resolver sends "localhost" first, as the sender connects to that address.
    const [first] = await lookup("localhost", { all: true, verbatim: true });
    const rx = await receiver(() => 200, first.address);
    const url = `http://localhost:${rx.port}/hooks`;
    const webhook = await createWebhook(server, ws, rx, { url, triggers: ["link.created"] });
    assert.equal(webhook.url, url);
    const link = await trackedLink(server, undefined, ws.key);
    const event = await settledEvent(server, ws.key, webhook.id, "delivered");
    assert.deepEqual(
      event.attemptLog.map((attempt) => [attempt.statusCode, attempt.error]),
      [[200, null]],
    );
    assert.equal(rx.deliveries.length, 1);
    assertSignedEnvelope(rx.deliveries[0], "link.created");
    assert.equal(rx.deliveries[0].json.data.id, link.id);
    assert.equal(
      rx.deliveries[0].headers.host,
      `localhost:${rx.port}`,
      "the Host header names the host, not its address",
    );
  });

  test("a receiver failing 3 times then answering 200 gets the event exactly 4 times, same id each time", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver((n) => (n <= 3 ? 500 : 200));
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created"] });
    const link = await trackedLink(server, undefined, ws.key);
    const event = await settledEvent(server, ws.key, webhook.id, "delivered");

    assert.equal(rx.deliveries.length, 4);
    for (const delivery of rx.deliveries) assertSignedEnvelope(delivery, "link.created");
    const [first, ...rest] = rx.deliveries;
    for (const later of rest) {
      assert.equal(later.headers["webhook-id"], first.headers["webhook-id"]);
      assert.equal(later.json.id, first.json.id);
      assert.ok(later.raw.equals(first.raw), "every attempt sends the same bytes");
      assert.equal(later.headers["dub-signature"], first.headers["dub-signature"]);
    }
    assert.equal(first.json.data.id, link.id);

    assert.equal(event.eventId, first.json.id);
    assert.equal(event.event, "link.created");
    assert.equal(event.attempts, 4);
    assert.equal(event.lastError, null);
    assert.equal(event.nextAttemptAt, null);
    assert.ok(event.deliveredAt);
    assert.deepEqual(event.payload, first.json);
    assert.deepEqual(
      event.attemptLog.map((attempt) => attempt.statusCode),
      [500, 500, 500, 200],
    );
    assert.deepEqual(
      event.attemptLog.map((attempt) => attempt.error),
      ["answered 500", "answered 500", "answered 500", null],
    );
    assert.deepEqual(
      event.attemptLog.map((attempt) => attempt.responseExcerpt),
      [1, 2, 3, 4].map((n) => `receiver answered ${n <= 3 ? 500 : 200} to request ${n}`),
    );
    for (const attempt of event.attemptLog) {
      assert.ok(
        Number.isInteger(attempt.latencyMs) && attempt.latencyMs >= 0,
        `latency ${attempt.latencyMs}`,
      );
      assert.ok(attempt.latencyMs < 5_000);
    }
    const times = event.attemptLog.map((attempt) => Date.parse(attempt.attemptedAt));
    for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1], "attempts in order");
    assert.ok(times[3] - times[0] >= 0.8 * (20 + 60 + 180) - 5, "exponential backoff between attempts");

    const hook = await api(server, ws.key, "GET", `/webhooks/${webhook.id}`);
    assert.equal(hook.body.consecutiveFailures, 0);
    assert.deepEqual(await eventLog(server, ws.key, webhook.id, "?status=failed"), []);
    assert.equal((await eventLog(server, ws.key, webhook.id, "?status=delivered")).length, 1);
  });

  test("a 400 answer is not retried: failed after one attempt", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver(() => 400);
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created"] });
    await trackedLink(server, undefined, ws.key);
    const event = await settledEvent(server, ws.key, webhook.id, "failed");
    assert.equal(event.attempts, 1);
    assert.equal(event.lastError, "answered 400");
    assert.equal(event.deliveredAt, null);
    assert.deepEqual(
      event.attemptLog.map((attempt) => attempt.statusCode),
      [400],
    );
    assert.equal(rx.deliveries.length, 1);
    const hook = await api(server, ws.key, "GET", `/webhooks/${webhook.id}`);
    assert.equal(hook.body.consecutiveFailures, 1);
    assert.equal(hook.body.disabled, false);
  });

  test("408 and 429 are retried", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver((n) => (n === 1 ? 408 : n === 2 ? 429 : 200));
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created"] });
    await trackedLink(server, undefined, ws.key);
    const event = await settledEvent(server, ws.key, webhook.id, "delivered");
    assert.deepEqual(
      event.attemptLog.map((attempt) => attempt.statusCode),
      [408, 429, 200],
    );
    assert.equal(rx.deliveries.length, 3);
    assert.equal(new Set(rx.deliveries.map((d) => d.json.id)).size, 1);
  });

  test("POST …/events/{eventId}/retry redelivers a failed event with the same id", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver(() => 400);
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created"] });
    await trackedLink(server, undefined, ws.key);
    const failed = await settledEvent(server, ws.key, webhook.id, "failed");

    rx.respond = () => 200;
    const retried = await api(
      server,
      ws.key,
      "POST",
      `/webhooks/${webhook.id}/events/${failed.eventId}/retry`,
    );
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.deepEqual(retried.body, { eventId: failed.eventId, status: "pending" });
    const delivered = await settledEvent(server, ws.key, webhook.id, "delivered");
    assert.equal(rx.deliveries.length, 2);
    assert.equal(rx.deliveries[1].json.id, failed.eventId);
    assert.equal(rx.deliveries[1].headers["webhook-id"], failed.eventId);
    assert.ok(rx.deliveries[1].raw.equals(rx.deliveries[0].raw));
    assertSignedEnvelope(rx.deliveries[1], "link.created");
    assert.equal(delivered.attempts, 2);
    assert.deepEqual(
      delivered.attemptLog.map((attempt) => attempt.statusCode),
      [400, 200],
    );
    assert.equal(delivered.lastError, null);

    // A delivered event can be sent again on request too.
    const again = await api(server, ws.key, "POST", `/webhooks/${webhook.id}/events/${failed.eventId}/retry`);
    assert.equal(again.status, 200);
    await until(() => rx.deliveries.length === 3, "a third delivery on request");
    await settledEvent(server, ws.key, webhook.id, "delivered");

    await rejection(api(server, ws.key, "POST", `/webhooks/${webhook.id}/events/evt_unknown/retry`), 404);
  });

  test("POST /webhooks/{id}/test queues a signed sample event for that webhook alone, logged and retried", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver((n) => (n === 1 ? 500 : 200));
    const other = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created", "link.updated"] });
    const bystander = await createWebhook(server, ws, other, { triggers: ["sale.created", "link.created"] });

    const queued = await api(server, ws.key, "POST", `/webhooks/${webhook.id}/test`, {
      trigger: "sale.created",
    });
    assert.equal(queued.status, 200, JSON.stringify(queued.body));
    assert.equal(queued.body.event, "sale.created", "any trigger, also one the webhook does not listen to");
    assert.equal(queued.body.status, "pending");
    assert.match(queued.body.eventId, /^evt_[0-9A-Za-z]{25}$/);

    const delivered = await settledEvent(server, ws.key, webhook.id, "delivered");
    assert.equal(delivered.eventId, queued.body.eventId);
    assert.equal(delivered.event, "sale.created");
    assert.deepEqual(
      delivered.attemptLog.map((attempt) => attempt.statusCode),
      [500, 200],
      "retried through the outbox like any event",
    );
    assert.equal(rx.deliveries.length, 2);
    assertSignedEnvelope(rx.deliveries[1], "sale.created");
    assert.equal(rx.deliveries[1].json.id, queued.body.eventId);
    SaleCreatedEvent$inboundSchema.parse(rx.deliveries[1].json);
    assert.equal(await messages(server, bystander.id), 0, "the other webhook of the workspace got nothing");

    const byDefault = await api(server, ws.key, "POST", `/webhooks/${webhook.id}/test`, {});
    assert.equal(byDefault.status, 200, JSON.stringify(byDefault.body));
    assert.equal(byDefault.body.event, "link.created", "without a trigger: the webhook's first one");
    const sample = await until(() => rx.of("link.created")[0], "the default test event");
    assertSignedEnvelope(sample, "link.created");
    LinkWebhookEvent$inboundSchema.parse(sample.json);
    await settled(server, webhook.id);
    assert.equal((await eventLog(server, ws.key, webhook.id)).length, 2);

    await rejection(
      api(server, ws.key, "POST", `/webhooks/${webhook.id}/test`, { trigger: "link.exploded" }),
      422,
    );
    const stranger = await server.newWorkspace();
    await rejection(api(server, stranger.key, "POST", `/webhooks/${webhook.id}/test`, {}), 404);
    const reader = (
      await server.services.workspaces.createKey({ workspaceId: ws.workspaceId, scopes: ["webhooks.read"] })
    ).key;
    await rejection(api(server, reader, "POST", `/webhooks/${webhook.id}/test`, {}), 403, {
      message: /'webhooks\.write'/,
    });
    assert.equal(await messages(server, webhook.id), 2, "refused requests queued nothing");
  });

  test("a receiver that does not answer within WEBHOOK_TIMEOUT_MS: the attempt says so and is retried", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver((n) => (n === 1 ? "hang" : 200));
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created"] });
    await trackedLink(server, undefined, ws.key);
    const event = await settledEvent(server, ws.key, webhook.id, "delivered");
    assert.equal(rx.deliveries.length, 2);
    const [timedOut, ok] = event.attemptLog;
    assert.equal(timedOut.statusCode, null);
    assert.match(String(timedOut.error), /1500 ms/);
    assert.match(String(timedOut.error), /within|time/i);
    assert.ok(timedOut.latencyMs >= 1490, `the attempt waited for the timeout: ${timedOut.latencyMs}`);
    assert.ok(timedOut.latencyMs < 15_000, "not much longer than the timeout");
    assert.equal(ok.statusCode, 200);
    assert.equal(rx.deliveries[0].json.id, rx.deliveries[1].json.id);
  });

  test("a receiver that sends headers but never finishes its body is timed out too", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver((n) => (n === 1 ? "stall" : 200));
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created"] });
    await trackedLink(server, undefined, ws.key);
    const event = await settledEvent(server, ws.key, webhook.id, "delivered");
    assert.equal(event.attemptLog.length, 2);
    assert.notEqual(event.attemptLog[0].statusCode, 200, "an unfinished answer is no delivery");
    assert.match(String(event.attemptLog[0].error), /1500 ms/);
    assert.equal(event.attemptLog[1].statusCode, 200);
  });

  test("disabling or deleting a webhook stops the retries of its pending events", async () => {
    const ws = await server.newWorkspace();
    const disabledRx = await receiver(() => 500);
    const deletedRx = await receiver(() => 500);
    const toDisable = await createWebhook(server, ws, disabledRx, { triggers: ["link.created"] });
    const toDelete = await createWebhook(server, ws, deletedRx, { triggers: ["link.created"] });
    await trackedLink(server, undefined, ws.key);
    await until(
      () => disabledRx.deliveries.length >= 1 && deletedRx.deliveries.length >= 1,
      "first attempts",
    );
    await api(server, ws.key, "PATCH", `/webhooks/${toDisable.id}`, { disabled: true });
    await api(server, ws.key, "DELETE", `/webhooks/${toDelete.id}`);

    const stopped = await settledEvent(server, ws.key, toDisable.id, "failed");
    assert.equal(stopped.lastError, "the webhook is disabled");
    assert.equal(
      disabledRx.deliveries.length,
      stopped.attemptLog.filter((attempt) => attempt.statusCode === 500).length,
      "every request the receiver got is in the log, and none came after disabling",
    );
    const hook = await api(server, ws.key, "GET", `/webhooks/${toDisable.id}`);
    assert.equal(hook.body.disabledReason, "disabled by request", "the reason given is kept");
    assert.equal(hook.body.consecutiveFailures, 0, "events dropped by disabling do not count as failures");

    const leftBehind = await countRows(
      server,
      "select count(*) as n from webhook_messages where webhook_id = ?",
      toDelete.id,
    );
    assert.equal(leftBehind, 0, "a deleted webhook's messages and attempts are deleted with it");
    const before = deletedRx.deliveries.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(
      deletedRx.deliveries.length <= before + 1,
      "at most the attempt already in flight arrives after the delete",
    );
  });

  test("PATCH with a new secret: later deliveries are signed with it", async () => {
    const ws = await server.newWorkspace();
    const rx = await receiver();
    const webhook = await createWebhook(server, ws, rx, { triggers: ["link.created"] });
    const secret = `whsec_${Buffer.alloc(32, 9).toString("base64")}`;
    const rotated = await api(server, ws.key, "PATCH", `/webhooks/${webhook.id}`, { secret });
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.secret, secret, "the new secret is shown in the answer that set it");
    assert.equal((await api(server, ws.key, "GET", `/webhooks/${webhook.id}`)).body.secret, null);
    rx.secret = secret;
    await trackedLink(server, undefined, ws.key);
    const delivery = await until(() => rx.of("link.created")[0], "link.created");
    assertSignedEnvelope(delivery, "link.created");
    assert.ok(!verifyDubSignature(webhook.secret, delivery.raw, delivery.headers["dub-signature"] as string));
  });

  test("a receiver that is down (connection refused) is retried", async () => {
    const ws = await server.newWorkspace();
    const down = await receiver();
    const port = down.port;
    await down.close();
    const url = `http://127.0.0.1:${port}/hooks`;
    const created = await api(server, ws.key, "POST", "/webhooks", {
      name: "down",
      url,
      triggers: ["link.created"],
    });
    assert.equal(created.status, 200);
    await trackedLink(server, undefined, ws.key);
    const log = await until(async () => {
      const [event] = await eventLog(server, ws.key, created.body.id);
      return event && event.attemptLog.length >= 2 ? event : null;
    }, "two refused attempts");
    assert.equal(log.status, "pending");
    assert.equal(log.attemptLog[0].statusCode, null);
    assert.match(String(log.attemptLog[0].error), /ECONNREFUSED|refused/i);
    assert.ok(log.nextAttemptAt);
    await api(server, ws.key, "DELETE", `/webhooks/${created.body.id}`);
  });
});

describe("giving up: WEBHOOK_MAX_ATTEMPTS=3", () => {
  test("an always-500 receiver: failed after 3 attempts", async () => {
    const ws = await threeAttempts.newWorkspace();
    const rx = await receiver(() => 500);
    const webhook = await createWebhook(threeAttempts, ws, rx, { triggers: ["link.created"] });
    await trackedLink(threeAttempts, undefined, ws.key);
    const event = await settledEvent(threeAttempts, ws.key, webhook.id, "failed");
    assert.equal(event.attempts, 3);
    assert.equal(event.lastError, "answered 500");
    assert.equal(event.nextAttemptAt, null);
    assert.deepEqual(
      event.attemptLog.map((attempt) => attempt.statusCode),
      [500, 500, 500],
    );
    assert.equal(rx.deliveries.length, 3);
    assert.equal(new Set(rx.deliveries.map((d) => d.headers["webhook-id"])).size, 1);
    const hook = await api(threeAttempts, ws.key, "GET", `/webhooks/${webhook.id}`);
    assert.equal(hook.body.consecutiveFailures, 1);
    assert.equal(hook.body.disabled, false);
  });

  test("20 consecutive failed events disable the webhook with a reason; nothing is queued after", async () => {
    const ws = await threeAttempts.newWorkspace();
    const rx = await receiver(() => 500);
    const webhook = await createWebhook(threeAttempts, ws, rx, { triggers: ["link.created"] });
    const sdk = threeAttempts.sdk(ws.key);
    for (let i = 0; i < 20; i++) await sdk.links.create({ url: `https://example.com/fail/${i}` });
    const hook = await until(
      async () => {
        const got = await api(threeAttempts, ws.key, "GET", `/webhooks/${webhook.id}`);
        return got.body.disabled ? got.body : null;
      },
      "the webhook to be disabled",
      20_000,
    );
    assert.equal(hook.consecutiveFailures, 20);
    assert.ok(hook.disabledAt);
    assert.match(hook.disabledReason, /20 consecutive failed/);
    assert.match(hook.disabledReason, /answered 500/);
    await settled(threeAttempts, webhook.id);
    const failed = await eventLog(threeAttempts, ws.key, webhook.id, "?status=failed&limit=100");
    assert.equal(failed.length, 20);
    const pages = await Promise.all(
      [1, 2, 3, 4, 5].map((page) => eventLog(threeAttempts, ws.key, webhook.id, `?limit=5&page=${page}`)),
    );
    assert.deepEqual(
      pages.map((page) => page.length),
      [5, 5, 5, 5, 0],
    );
    assert.equal(new Set(pages.flat().map((event) => event.eventId)).size, 20, "pages do not overlap");
    assert.equal((await eventLog(threeAttempts, ws.key, webhook.id, "?status=delivered")).length, 0);
    assert.ok(failed.every((event) => event.attempts === 3));
    assert.equal(rx.deliveries.length, 60);

    await sdk.links.create({ url: "https://example.com/after-disable" });
    assert.equal(await messages(threeAttempts, webhook.id), 20, "a disabled webhook gets no new messages");

    const enabled = await api(threeAttempts, ws.key, "PATCH", `/webhooks/${webhook.id}`, { disabled: false });
    assert.equal(enabled.body.disabled, false);
    assert.equal(enabled.body.consecutiveFailures, 0);
    assert.equal(enabled.body.disabledReason, null);
  });

  test("a success in between resets the count of consecutive failures", async () => {
    const ws = await threeAttempts.newWorkspace();
    let fail = true;
    const rx = await receiver(() => (fail ? 400 : 200));
    const webhook = await createWebhook(threeAttempts, ws, rx, { triggers: ["link.created"] });
    const sdk = threeAttempts.sdk(ws.key);
    for (let i = 0; i < 3; i++) await sdk.links.create({ url: `https://example.com/reset/${i}` });
    await until(() => rx.deliveries.length === 3, "three failed events");
    await settled(threeAttempts, webhook.id);
    assert.equal(
      (await api(threeAttempts, ws.key, "GET", `/webhooks/${webhook.id}`)).body.consecutiveFailures,
      3,
    );
    fail = false;
    await sdk.links.create({ url: "https://example.com/reset/ok" });
    await until(() => rx.deliveries.length === 4, "the successful event");
    await settled(threeAttempts, webhook.id);
    assert.equal(
      (await api(threeAttempts, ws.key, "GET", `/webhooks/${webhook.id}`)).body.consecutiveFailures,
      0,
    );
  });
});

type SecondServer = { origin: string; stop(): Promise<void> };

/** Another server process's worth of services on `first`'s database (its SQLite directory or PostgreSQL database). */
async function secondServerOn(first: TestServer, env: Record<string, string>): Promise<SecondServer> {
  const port = await freePort();
  let database: Record<string, string>;
  if (first.store === "postgres") {
    const row = await first.one<{ name: string }>("select current_database() as name");
    const url = new URL(process.env.CLICKTRAIL_TEST_PG_URL ?? "");
    url.pathname = `/${row?.name}`;
    database = { DATABASE_URL: url.toString(), REDIS_URL: process.env.CLICKTRAIL_TEST_REDIS_URL ?? "" };
  } else database = { DATA_DIR: first.dataDir };
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "silent",
    ...database,
    ...env,
  });
  return startRealServer(config, { logger: createLogger("silent") });
}

describe("private addresses, without WEBHOOK_ALLOW_PRIVATE", () => {
  /** Allows private addresses, but its delivery worker is stopped: it only writes events. */
  let writer: TestServer;
  /** The same database, served without WEBHOOK_ALLOW_PRIVATE: its worker delivers. */
  let strict: SecondServer;

  before(async () => {
    writer = await startServer({ ...FAST, WEBHOOK_ALLOW_PRIVATE: "true" });
    await writer.services.delivery.stop();
    strict = await secondServerOn(writer, {
      TRUST_PROXY: "true",
      WEBHOOK_POLL_MS: "50",
      WEBHOOK_RETRY_BASE_MS: "20",
      WEBHOOK_TIMEOUT_MS: "300",
    });
  });
  after(async () => {
    await strict?.stop();
    await writer?.stop();
  });

  test("creating or pointing a webhook at loopback, private or link-local addresses is 422", async () => {
    const rx = await receiver();
    const ws = await writer.newWorkspace();
    for (const url of [
      `http://127.0.0.1:${rx.port}/hooks`,
      "http://10.0.0.1/",
      "http://192.168.1.20:8080/hook",
      "http://172.16.5.4/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://169.254.169.254/latest/meta-data",
      "http://0.0.0.0/",
      `http://localhost:${rx.port}/hooks`,
      "http://2130706433/",
      "http://[::127.0.0.1]/",
      "http://[::7f00:1]/",
      "http://[64:ff9b:1::7f00:1]/",
      "http://[::ffff:0:7f00:1]/",
    ]) {
      const answer = api(strict.origin, ws.key, "POST", "/webhooks", {
        name: "x",
        url,
        triggers: ["lead.created"],
      });
      await rejection(answer, 422, { message: /private|loopback/, what: url });
    }
    const publicHook = await api(strict.origin, ws.key, "POST", "/webhooks", {
      name: "public",
      url: "https://8.8.8.8/hooks",
      triggers: ["lead.created"],
    });
    assert.equal(publicHook.status, 200, JSON.stringify(publicHook.body));
    const repointed = await api(strict.origin, ws.key, "PATCH", `/webhooks/${publicHook.body.id}`, {
      url: "http://10.1.2.3/hooks",
    });
    assert.equal(repointed.status, 422);
    const kept = await api(strict.origin, ws.key, "GET", `/webhooks/${publicHook.body.id}`);
    assert.equal(kept.body.url, "https://8.8.8.8/hooks");
    await api(strict.origin, ws.key, "DELETE", `/webhooks/${publicHook.body.id}`);
    assert.equal(rx.deliveries.length, 0);
  });

  test("a URL that was accepted but is private at delivery time is refused then, without reaching it", async () => {
    const rx = await receiver();
    const ws = await writer.newWorkspace();
    const webhook = await createWebhook(writer, ws, rx, { triggers: ["lead.created"] });
    const link = await trackedLink(writer, undefined, ws.key);
    const clickId = await clickIdFor(writer, link.key);
    await writer.sdk(ws.key).track.lead({ clickId, eventName: "Sign up", customerExternalId: unique("u") });

    const event = await until(async () => {
      const [logged] = await eventLog(strict.origin, ws.key, webhook.id);
      return logged && logged.attemptLog.length >= 2 ? logged : null;
    }, "the strict server's refused attempts");
    assert.equal(event.event, "lead.created");
    assert.equal(event.status, "pending", "refusals are retried: DNS may change back");
    for (const attempt of event.attemptLog) {
      assert.equal(attempt.statusCode, null);
      assert.match(String(attempt.error), /127\.0\.0\.1/);
      assert.match(String(attempt.error), /private|loopback/);
    }
    assert.equal(rx.deliveries.length, 0, "the receiver was never contacted");
  });
});

describe("two servers delivering from one database", () => {
  let first: TestServer;
  let second: SecondServer;
  before(async () => {
    // Leases (3 × the timeout) long enough that a busy machine never lets one lapse mid-delivery: a lapsed
    // lease is redelivered by design (at least once), which is not what this test is about.
    const env = { ...FAST, WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_TIMEOUT_MS: "5000" };
    first = await startServer(env);
    second = await secondServerOn(first, env);
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
  });

  test("every event is delivered exactly once although both workers claim messages", async () => {
    const ws = await first.newWorkspace();
    // A receiver slow enough that both workers hold leases at the same time.
    const rx = await receiver(() => ({ status: 200, afterMs: 30 }));
    const webhook = await createWebhook(first, ws, rx, { triggers: ["link.created", "link.updated"] });
    const origins = [first.origin, second.origin];
    const created: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const answer = await api(origins[i % 2], ws.key, "POST", "/links", {
          url: `https://example.com/both/${i}`,
        });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        created.push(answer.body.id);
      }),
    );
    await until(
      () => rx.deliveries.length >= 40,
      () => `40 deliveries, got ${rx.deliveries.length}`,
    );
    await settled(first, webhook.id);
    assert.equal(rx.deliveries.length, 40, "no event was sent twice");
    assert.equal(new Set(rx.deliveries.map((d) => d.json.id)).size, 40);
    assert.deepEqual(new Set(rx.deliveries.map((d) => d.json.data.id)), new Set(created));
    assert.ok(rx.deliveries.every((d) => d.dubSignatureValid && d.standardSignatureValid));
    assert.equal(
      await countRows(first, "select count(*) as n from webhook_attempts where webhook_id = ?", webhook.id),
      40,
    );
  });
});

describe("delivery starts when the commit is announced, not at the next poll", () => {
  /** Polls once a minute: anything delivered within seconds was woken by its commit. */
  let slow: TestServer;
  before(async () => {
    slow = await startServer({ ...FAST, WEBHOOK_POLL_MS: "60000", WEBHOOK_ALLOW_PRIVATE: "true" });
  });
  after(async () => slow?.stop());

  /** Waits for the delivery of `event` far below the poll interval, and says how long it took. */
  async function deliveredSoon(rx: Receiver, event: string, since: number, count = 1): Promise<number> {
    await until(() => rx.of(event).length >= count, `${event} (delivery #${count})`, 5_000, 5);
    return Date.now() - since;
  }

  test("every trigger, and a retried event, reach the receiver within seconds with WEBHOOK_POLL_MS=60000", async (t) => {
    const rx = await receiver();
    const triggers = [
      "link.created",
      "link.updated",
      "link.deleted",
      "link.clicked",
      "lead.created",
      "sale.created",
    ];
    const hook = await createWebhook(slow, { key: slow.key, workspaceId: slow.workspaceId }, rx, {
      triggers,
    });
    const sdk = slow.sdk();
    const waited: Record<string, number> = {};

    let since = Date.now();
    const link = await trackedLink(slow);
    waited["link.created"] = await deliveredSoon(rx, "link.created", since);

    since = Date.now();
    await sdk.links.update(link.id, { url: "https://example.com/updated" });
    waited["link.updated"] = await deliveredSoon(rx, "link.updated", since);

    since = Date.now();
    const clickId = await clickIdFor(slow, link.key);
    waited["link.clicked"] = await deliveredSoon(rx, "link.clicked", since);

    since = Date.now();
    await sdk.track.lead({ clickId, eventName: "Sign up", customerExternalId: unique("announced") });
    waited["lead.created"] = await deliveredSoon(rx, "lead.created", since);

    since = Date.now();
    const customer = rx.of("lead.created")[0].json.data.customer;
    await sdk.track.sale({
      customerExternalId: customer.externalId,
      amount: 1200,
      paymentProcessor: "stripe",
    });
    waited["sale.created"] = await deliveredSoon(rx, "sale.created", since);

    since = Date.now();
    await sdk.links.delete(link.id);
    waited["link.deleted"] = await deliveredSoon(rx, "link.deleted", since);

    since = Date.now();
    const eventId = rx.of("link.created")[0].json.id;
    const retried = await api(slow, slow.key, "POST", `/webhooks/${hook.id}/events/${eventId}/retry`);
    assert.equal(retried.status, 200);
    waited.retry = await deliveredSoon(rx, "link.created", since, 2);

    t.diagnostic(`ms from the answer to the delivery: ${JSON.stringify(waited)}`);
  });
});
