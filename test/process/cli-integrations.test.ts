// `clicktrail integrations`: the compiled command sets, lists and removes a processor's secret beside a running
// server, which then takes (and refuses) that processor's deliveries; the secret is never printed back.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { unique } from "../helpers/journey.js";
import { CLI, cli, ensureBuilt } from "../helpers/processes.js";
import {
  deliver,
  paddleEvent,
  sendPaddle,
  sendStripe,
  stripeEvent,
  stripeSignature,
} from "../helpers/processors.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
before(async () => {
  ensureBuilt();
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const integrations = (...args: string[]) => cli(["integrations", ...args], { DATA_DIR: server.dataDir });

test("integrations set, list and remove; the server takes the processor's events in between", async () => {
  const secret = "whsec_cli_Zp4Qw8Er2Ty6Ui0O";
  const set = await integrations("set", "stripe", "--secret", secret);
  assert.equal(set.status, 0, set.stderr);
  assert.match(set.stdout, new RegExp(`/integrations/stripe/${server.workspaceId}`));
  assert.ok(!set.stdout.includes(secret));

  const body = stripeEvent(unique("evt"), "product.created", { id: "prod_cli" });
  assert.equal((await sendStripe(server, body, secret)).status, 200);

  const list = await integrations("list", "--json");
  assert.equal(list.status, 0, list.stderr);
  const rows = JSON.parse(list.stdout);
  assert.deepEqual(
    rows.map((row: { processor: string; webhookUrl: string }) => [row.processor, row.webhookUrl]),
    [["stripe", `/integrations/stripe/${server.workspaceId}`]],
  );
  assert.ok(!list.stdout.includes(secret));

  const removed = await integrations("remove", "stripe");
  assert.equal(removed.status, 0, removed.stderr);
  const refused = await deliver(server, "stripe", body, {
    "stripe-signature": stripeSignature(body, secret),
  });
  assert.equal(refused.status, 404);
});

test("--secret - reads the secret from stdin, so it stays out of the shell's history", () => {
  const secret = "whsec_stdin_Lk3Jh5Gf7Ds9";
  const run = spawnSync(
    process.execPath,
    [CLI, "integrations", "set", "shopify", "--secret", "-", "--json"],
    {
      input: `${secret}\n`,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", DATA_DIR: server.dataDir, LOG_LEVEL: "silent" },
    },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).processor, "shopify");
  assert.ok(!run.stdout.includes(secret));
});

test("integrations set paddle: the server then takes Paddle's signed notifications", async () => {
  const secret = "pdl_ntfset_01jqcli0000_Xc4Vb6Nm8Qw2";
  const set = await integrations("set", "paddle", "--secret", secret);
  assert.equal(set.status, 0, set.stderr);
  assert.match(set.stdout, new RegExp(`/integrations/paddle/${server.workspaceId}`));
  assert.ok(!set.stdout.includes(secret));
  const body = paddleEvent(unique("evt_01jq"), "subscription.created", { id: "sub_01jqcli" });
  assert.equal((await sendPaddle(server, body, secret)).status, 200);
  assert.equal((await sendPaddle(server, body, "pdl_ntfset_not_this_one")).status, 401);
});

test("bad usage exits 2: an unknown processor, set without --secret, a Stripe API key is refused (1)", async () => {
  assert.equal((await integrations("set", "braintree", "--secret", "whsec_x")).status, 2);
  assert.equal((await integrations("set", "stripe")).status, 2);
  const refused = await integrations("set", "stripe", "--secret", "sk_live_51Habcdefghijkl");
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /whsec_/);
});
