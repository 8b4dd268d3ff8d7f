// Webhooks across crashes and from the command line: the compiled server and CLI as child processes over a real
// SQLite directory, with a real receiver on 127.0.0.1 that checks both signatures.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import {
  LeadCreatedEvent$inboundSchema,
  LinkClickedEvent$inboundSchema,
  LinkWebhookEvent$inboundSchema,
  SaleCreatedEvent$inboundSchema,
} from "dub/models/components";
import { apiJson, clickIdAt } from "../helpers/journey.js";
import {
  cleanUp,
  cli,
  ensureBuilt,
  freePort,
  install,
  type Receiver,
  startMain,
  startReceiver,
  tempDir,
  until,
} from "../helpers/processes.js";

const receivers: Receiver[] = [];

before(ensureBuilt);

after(async () => {
  cleanUp();
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

/** A fresh data directory with a workspace and an unrestricted key, made with the CLI. */
async function newInstall(): Promise<{ dir: string; key: string }> {
  const dir = tempDir();
  return { dir, key: await install({ DATA_DIR: dir }) };
}

/** A tracked link, a click on it, and a lead for that click; resolves when the API has answered. */
async function trackLead(origin: string, key: string, externalId: string) {
  const linkKey = `d${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const link = await apiJson(origin, key, "POST", "/links", {
    url: `https://example.com/${linkKey}`,
    key: linkKey,
    trackConversion: true,
  });
  const clickId = await clickIdAt(origin, linkKey);
  await apiJson(origin, key, "POST", "/track/lead", {
    clickId,
    eventName: "Sign up",
    customerExternalId: externalId,
  });
  return { link, clickId };
}

type MessageRow = { event_id: string; status: string; attempts: number; trigger: string };

function messagesIn(dir: string, webhookId: string): MessageRow[] {
  const db = new SQLite(join(dir, "clicktrail.sqlite"), { readonly: true });
  try {
    return db
      .prepare("select event_id, status, attempts, trigger from webhook_messages where webhook_id = ?")
      .all(webhookId) as MessageRow[];
  } finally {
    db.close();
  }
}

const FAST = {
  WEBHOOK_ALLOW_PRIVATE: "true",
  WEBHOOK_POLL_MS: "50",
  WEBHOOK_RETRY_BASE_MS: "100",
  // The lease on a claimed message is three timeouts: a crashed worker's message comes back after 3 s.
  WEBHOOK_TIMEOUT_MS: "1000",
};

describe("at-least-once delivery across crashes", () => {
  test("receiver down, server SIGKILLed right after the API answered: lead.created arrives after restart", async () => {
    const { dir, key } = await newInstall();
    const env = { DATA_DIR: dir, ...FAST };
    const receiverPort = await freePort(); // nothing listens there yet
    let server = await startMain(env);
    const webhook = await apiJson(server.origin, key, "POST", "/webhooks", {
      name: "crm",
      url: `http://127.0.0.1:${receiverPort}/hooks`,
      triggers: ["lead.created"],
    });
    const { link, clickId } = await trackLead(server.origin, key, "crash-1");
    await server.kill();

    const queued = messagesIn(dir, webhook.id);
    assert.equal(queued.length, 1, "the message was committed with the lead, before the API answered");
    assert.equal(queued[0].status, "pending");
    assert.equal(queued[0].trigger, "lead.created");

    const rx = await startReceiver(() => 200, receiverPort);
    receivers.push(rx);
    rx.secret = webhook.secret;
    server = await startMain(env, { port: server.port });
    const delivery = await until(() => rx.of("lead.created")[0], "lead.created after the restart");
    assert.ok(delivery.dubSignatureValid && delivery.standardSignatureValid, "signed both ways");
    assert.equal(delivery.json.id, queued[0].event_id);
    assert.equal(delivery.headers["webhook-id"], queued[0].event_id);
    const parsed = LeadCreatedEvent$inboundSchema.parse(delivery.json);
    assert.equal(parsed.data.customer.externalId, "crash-1");
    assert.equal(parsed.data.click.id, clickId);
    assert.equal(parsed.data.link.id, link.id);
    await until(() => messagesIn(dir, webhook.id)[0]?.status === "delivered", "the message to be delivered");
    assert.equal(rx.deliveries.length, 1);
    await server.kill();
  });

  test("server SIGKILLed while a delivery is in flight: the event is sent again, same id, after restart", async () => {
    const { dir, key } = await newInstall();
    const env = { DATA_DIR: dir, ...FAST };
    const rx = await startReceiver((n) => (n === 1 ? "hang" : 200));
    receivers.push(rx);
    let server = await startMain(env);
    const webhook = await apiJson(server.origin, key, "POST", "/webhooks", {
      name: "crm",
      url: rx.url,
      triggers: ["lead.created"],
    });
    rx.secret = webhook.secret;
    await trackLead(server.origin, key, "crash-2");
    await until(() => rx.deliveries.length === 1, "the first attempt to reach the receiver");
    await server.kill();
    assert.equal(messagesIn(dir, webhook.id)[0].attempts, 0, "the crash left the attempt unrecorded");

    server = await startMain(env, { port: server.port });
    await until(
      () => messagesIn(dir, webhook.id)[0]?.status === "delivered",
      "delivery after restart",
      15_000,
    );
    assert.equal(rx.deliveries.length, 2);
    assert.equal(rx.deliveries[1].json.id, rx.deliveries[0].json.id);
    assert.ok(rx.deliveries[1].raw.equals(rx.deliveries[0].raw));
    assert.ok(rx.deliveries[1].dubSignatureValid && rx.deliveries[1].standardSignatureValid);
    await server.kill();
  });
});

describe("clicktrail webhooks test ID", () => {
  let dir: string;
  let key: string;
  let origin: string;
  before(async () => {
    ({ dir, key } = await newInstall());
    const server = await startMain({ DATA_DIR: dir, ...FAST });
    origin = server.origin;
  });

  async function webhookFor(rx: Receiver, triggers: string[]) {
    const webhook = await apiJson(origin, key, "POST", "/webhooks", { name: "cli", url: rx.url, triggers });
    rx.secret = webhook.secret;
    return webhook;
  }

  test("sends a signed sample event, prints the answer and exits 0", async () => {
    const rx = await startReceiver(() => 200);
    receivers.push(rx);
    const webhook = await webhookFor(rx, ["lead.created", "sale.created"]);
    const run = await cli(["webhooks", "test", webhook.id], { DATA_DIR: dir, WEBHOOK_ALLOW_PRIVATE: "true" });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(rx.deliveries.length, 1);
    const [delivery] = rx.deliveries;
    assert.ok(delivery.dubSignatureValid, "Dub-Signature verifies");
    assert.ok(delivery.standardSignatureValid, "webhook-signature verifies");
    assert.equal(delivery.headers["webhook-id"], delivery.json.id);
    LeadCreatedEvent$inboundSchema.parse(delivery.json);
    assert.ok(run.stdout.includes(delivery.json.id), run.stdout);
    assert.ok(run.stdout.includes(rx.url), run.stdout);
    assert.match(run.stdout, /lead\.created .*: 200 in \d+ ms/);
    assert.match(run.stdout, /receiver answered 200/);
  });

  test("--trigger picks the sample; every trigger's sample decodes with the SDK schemas", async () => {
    const rx = await startReceiver(() => 204);
    receivers.push(rx);
    const webhook = await webhookFor(rx, ["lead.created"]);
    const schemas = {
      "lead.created": LeadCreatedEvent$inboundSchema,
      "sale.created": SaleCreatedEvent$inboundSchema,
      "link.clicked": LinkClickedEvent$inboundSchema,
      "link.created": LinkWebhookEvent$inboundSchema,
      "link.updated": LinkWebhookEvent$inboundSchema,
      "link.deleted": LinkWebhookEvent$inboundSchema,
    };
    for (const [trigger, schema] of Object.entries(schemas)) {
      const run = await cli(["webhooks", "test", webhook.id, "--trigger", trigger, "--json"], {
        DATA_DIR: dir,
        WEBHOOK_ALLOW_PRIVATE: "true",
      });
      assert.equal(run.status, 0, `${trigger}: ${run.stderr}`);
      const printed = JSON.parse(run.stdout);
      assert.equal(printed.ok, true);
      assert.equal(printed.statusCode, 204);
      assert.equal(printed.event, trigger);
      const delivery = rx.deliveries.at(-1);
      assert.ok(delivery);
      assert.equal(delivery.json.event, trigger);
      assert.equal(delivery.json.id, printed.eventId);
      assert.ok(delivery.dubSignatureValid && delivery.standardSignatureValid, trigger);
      schema.parse(delivery.json);
    }
    assert.equal(rx.deliveries.length, 6);
    const unknown = await cli(["webhooks", "test", webhook.id, "--trigger", "link.exploded"], {
      DATA_DIR: dir,
      WEBHOOK_ALLOW_PRIVATE: "true",
    });
    assert.equal(unknown.status, 2);
  });

  test("exits non-zero when the receiver answers 500, or the address is private and not allowed", async () => {
    const rx = await startReceiver(() => 500);
    receivers.push(rx);
    const webhook = await webhookFor(rx, ["sale.created"]);
    const failed = await cli(["webhooks", "test", webhook.id], {
      DATA_DIR: dir,
      WEBHOOK_ALLOW_PRIVATE: "true",
    });
    assert.equal(failed.status, 1);
    assert.match(failed.stdout, /sale\.created .*: 500 in \d+ ms/);
    assert.equal(rx.deliveries.length, 1);

    const refused = await cli(["webhooks", "test", webhook.id], { DATA_DIR: dir });
    assert.equal(refused.status, 1);
    assert.match(refused.stdout, /127\.0\.0\.1.*private/);
    assert.equal(rx.deliveries.length, 1, "a refused address is not contacted");

    const missing = await cli(["webhooks", "test", "wh_missing"], { DATA_DIR: dir });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /No webhook wh_missing/);
  });
});
