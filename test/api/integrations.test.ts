// Per-workspace payment integrations: the signing secret set and listed through the API (never shown again), and
// the processors' endpoint /integrations/{processor}/{workspaceId}: signatures checked on the raw body, every event
// stored under its id before the answer (a redelivery stores nothing twice), unknown types answered 200 and listed
// as ignored with why.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiCall, apiJson, countRows, unique } from "../helpers/journey.js";
import {
  deliver,
  integrationEvents,
  post,
  processed,
  sendStripe,
  stripeEvent,
  stripeSignature,
} from "../helpers/processors.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
const SECRET = "whsec_test_5Cq9LfPzR2mW8tKx1NvB3hJd";

before(async () => {
  server = await startServer();
  await apiJson(server.origin, server.key, "PUT", "/integrations/stripe", { secret: SECRET });
});
after(async () => {
  await server.stop();
});

const storedEvents = (eventId: string) =>
  countRows(server, "select count(*) as n from integration_events where event_id = ?", eventId);

describe("configuring a processor's secret", () => {
  test("PUT answers where to point the processor and a fingerprint, never the secret; GET lists it so", async () => {
    const { key, workspaceId } = await server.newWorkspace();
    const secret = "whsec_configure_9XyZq2Wd7Lm4Np8R";
    const set = await apiCall(server.origin, key, "PUT", "/integrations/stripe", { secret });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.processor, "stripe");
    assert.equal(set.body.webhookUrl, `${server.origin}/integrations/stripe/${workspaceId}`);
    assert.match(set.body.secretFingerprint, /^[0-9a-f]{12}$/);
    assert.equal(set.body.previousSecretAcceptedUntil, null);
    const list = await apiCall(server.origin, key, "GET", "/integrations");
    assert.deepEqual(
      list.body.map((item: { processor: string }) => item.processor),
      ["stripe"],
    );
    for (const text of [JSON.stringify(set.body), JSON.stringify(list.body)])
      assert.ok(!text.includes(secret) && !text.includes("9XyZq2"), text);
  });

  test("a Stripe API key instead of a signing secret is a 422; an unknown processor a 422", async () => {
    await rejection(
      fetch(`${server.origin}/api/integrations/stripe`, {
        method: "PUT",
        headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
        body: JSON.stringify({ secret: "sk_live_51Hxxxxxxxxxxxxxxxx" }),
      }),
      422,
      { message: /whsec_/ },
    );
    await rejection(
      fetch(`${server.origin}/api/integrations/braintree`, {
        method: "PUT",
        headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
        body: JSON.stringify({ secret: "whsec_abcdefghijkl" }),
      }),
      422,
    );
  });

  test("a key without webhooks.write may not set a secret; webhooks.read may list", async () => {
    const { key } = await server.newWorkspace(["webhooks.read"]);
    await rejection(
      fetch(`${server.origin}/api/integrations/stripe`, {
        method: "PUT",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ secret: "whsec_abcdefghijkl" }),
      }),
      403,
    );
    assert.deepEqual(await apiJson(server.origin, key, "GET", "/integrations"), []);
  });

  test("DELETE removes it: deliveries are then refused with 404", async () => {
    const { key, workspaceId } = await server.newWorkspace();
    const secret = "whsec_removed_Tq8Zr3Mx5Kp1";
    await apiJson(server.origin, key, "PUT", "/integrations/stripe", { secret });
    const body = stripeEvent(unique("evt"), "product.created", { id: "prod_1", object: "product" });
    assert.equal((await sendStripe(server, body, secret, workspaceId)).status, 200);
    assert.deepEqual(await apiJson(server.origin, key, "DELETE", "/integrations/stripe"), {
      processor: "stripe",
      removed: true,
    });
    await rejection(
      post(server, "stripe", body, { "stripe-signature": stripeSignature(body, secret) }, workspaceId),
      404,
    );
    await rejection(
      fetch(`${server.origin}/api/integrations/stripe`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${key}` },
      }),
      404,
    );
  });
});

describe("the processor's endpoint", () => {
  test("a signed event of a type Clicktrail does not act on: 200, stored once, listed as ignored with why", async () => {
    const id = unique("evt");
    const body = stripeEvent(id, "product.created", { id: "prod_9", object: "product", name: "Pro" });
    const first = await sendStripe(server, body, SECRET);
    assert.deepEqual(first, { status: 200, body: { received: true, eventId: id, duplicate: false } });
    const event = await processed(server, "stripe", id);
    assert.equal(event.type, "product.created");
    assert.equal(event.status, "ignored");
    assert.equal(event.reason, "product.created events are not acted on");

    const again = await sendStripe(server, body, SECRET);
    assert.deepEqual(again, { status: 200, body: { received: true, eventId: id, duplicate: true } });
    assert.equal(await storedEvents(id), 1);
    assert.equal((await processed(server, "stripe", id)).attempts, 1, "a redelivery is not processed again");
  });

  test("a bad signature, a missing one or another secret's is a 401 and stores nothing", async () => {
    const id = unique("evt");
    const body = stripeEvent(id, "product.created", { id: "prod_2", object: "product" });
    const tampered = body.replace("prod_2", "prod_3");
    for (const [what, text, headers] of [
      ["tampered body", tampered, { "stripe-signature": stripeSignature(body, SECRET) }],
      ["no header", body, {}],
      ["another secret", body, { "stripe-signature": stripeSignature(body, "whsec_someone_else_entirely") }],
      ["garbage header", body, { "stripe-signature": "t=abc,v1=zz" }],
    ] as const) {
      await rejection(post(server, "stripe", text, headers), 401, {
        message: "Invalid stripe signature.",
        what,
      });
    }
    assert.equal(await storedEvents(id), 0);
  });

  test("a signature older than Stripe's five minutes of tolerance is refused (a replay)", async () => {
    const id = unique("evt");
    const body = stripeEvent(id, "product.created", { id: "prod_4", object: "product" });
    const old = stripeSignature(body, SECRET, Math.floor(Date.now() / 1000) - 301);
    await rejection(post(server, "stripe", body, { "stripe-signature": old }), 401);
    const recent = stripeSignature(body, SECRET, Math.floor(Date.now() / 1000) - 200);
    assert.equal((await deliver(server, "stripe", body, { "stripe-signature": recent })).status, 200);
  });

  test("while Stripe rolls its secret a header carries two v1 signatures; either matching is enough", async () => {
    const id = unique("evt");
    const body = stripeEvent(id, "product.created", { id: "prod_5", object: "product" });
    const t = Math.floor(Date.now() / 1000);
    const theirs = stripeSignature(body, "whsec_the_new_secret_nobody_set", t).split(",v1=")[1];
    const ours = stripeSignature(body, SECRET, t);
    const answer = await deliver(server, "stripe", body, { "stripe-signature": `${ours},v1=${theirs}` });
    assert.equal(answer.status, 200);
  });

  test("a new secret replaces the old one at once, or keeps it accepted for the seconds asked", async () => {
    const { key, workspaceId } = await server.newWorkspace();
    const [oldSecret, newSecret, newest] = ["whsec_old_AAAAAAAA", "whsec_new_BBBBBBBB", "whsec_newest_CCCC"];
    await apiJson(server.origin, key, "PUT", "/integrations/stripe", { secret: oldSecret });
    await apiJson(server.origin, key, "PUT", "/integrations/stripe", { secret: newSecret });
    const body = stripeEvent(unique("evt"), "product.created", { id: "prod_6", object: "product" });
    await rejection(
      post(server, "stripe", body, { "stripe-signature": stripeSignature(body, oldSecret) }, workspaceId),
      401,
    );
    const rotated = await apiJson(server.origin, key, "PUT", "/integrations/stripe", {
      secret: newest,
      keepPreviousSecretSeconds: 3600,
    });
    assert.ok(Date.parse(rotated.previousSecretAcceptedUntil) > Date.now() + 3500_000);
    assert.equal((await sendStripe(server, body, newSecret, workspaceId)).status, 200);
    const next = stripeEvent(unique("evt"), "product.created", { id: "prod_7", object: "product" });
    assert.equal((await sendStripe(server, next, newest, workspaceId)).status, 200);
  });

  test("an unknown workspace, a workspace without the integration and an unknown processor are 404s", async () => {
    const body = stripeEvent(unique("evt"), "product.created", { id: "prod_8", object: "product" });
    const headers = { "stripe-signature": stripeSignature(body, SECRET) };
    await rejection(post(server, "stripe", body, headers, "ws_nobody"), 404, {
      message: "Workspace not found.",
    });
    const { workspaceId } = await server.newWorkspace();
    await rejection(post(server, "stripe", body, headers, workspaceId), 404, {
      message: "This workspace has no stripe integration.",
    });
    await rejection(post(server, "braintree", body, headers), 404);
  });

  test("a signed body that is not a Stripe event is a 400", async () => {
    const body = JSON.stringify({ hello: "world" });
    await rejection(post(server, "stripe", body, { "stripe-signature": stripeSignature(body, SECRET) }), 400);
  });

  test("the list: newest first, by processor and status, a page at a time through the cursor", async () => {
    const { key, workspaceId } = await server.newWorkspace();
    const secret = "whsec_listing_DDDDDDDD";
    await apiJson(server.origin, key, "PUT", "/integrations/stripe", { secret });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = unique("evt");
      ids.push(id);
      await sendStripe(server, stripeEvent(id, "price.created", { id: `price_${i}` }), secret, workspaceId);
      await processed(server, "stripe", id, key);
    }
    const first = await integrationEvents(server, "?limit=2&processor=stripe&status=ignored", key);
    assert.deepEqual(
      first.map((event) => event.eventId),
      [ids[2], ids[1]],
    );
    const rest = await integrationEvents(
      server,
      `?limit=2&before=${encodeURIComponent(first[1].cursor)}`,
      key,
    );
    assert.deepEqual(
      rest.map((event) => event.eventId),
      [ids[0]],
    );
    assert.deepEqual(await integrationEvents(server, "?status=sale", key), []);
  });
});
