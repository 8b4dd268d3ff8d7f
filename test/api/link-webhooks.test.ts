// A link's `webhookIds` (Dub's) and a webhook's `linkIds` are one relation, written and read from either side.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiCall } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
before(async () => {
  server = await startServer({ WEBHOOK_ALLOW_PRIVATE: "true" });
});
after(() => server.stop());

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
type Json = any;
const api = (method: string, path: string, body?: unknown) =>
  apiCall(server.origin, server.key, method, path, body);

/** A webhook for chosen links; nothing listens at its URL, only its queued messages are looked at. */
async function webhookFor(linkIds: string[] | undefined, triggers = ["link.updated"]): Promise<string> {
  const answer = await api("POST", "/webhooks", {
    name: "links",
    url: "http://127.0.0.1:9/hook",
    triggers,
    ...(linkIds ? { linkIds } : {}),
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.id;
}

const linkIdsOf = async (webhookId: string): Promise<string[]> =>
  (await api("GET", `/webhooks/${webhookId}`)).body.linkIds;

const messages = async (webhookId: string, linkId: string) =>
  (
    await server.query<{ payload: string }>(
      "select payload from webhook_messages where webhook_id = ? and trigger = 'link.updated'",
      webhookId,
    )
  ).filter((message) => JSON.parse(message.payload).data.id === linkId).length;

describe("a link's webhookIds", () => {
  test("on create subscribe those webhooks to the link: the link answers them and each webhook lists the link", async () => {
    const anchor = await server.sdk().links.create({ url: "https://example.com/anchor" });
    const [first, second] = [await webhookFor([anchor.id]), await webhookFor([anchor.id])];
    const link = await server.sdk().links.create({
      url: "https://example.com/subscribed",
      webhookIds: [second, first, second],
    });
    assert.deepEqual(link.webhookIds, [first, second].sort());
    assert.deepEqual((await server.sdk().links.get({ linkId: link.id })).webhookIds, [first, second].sort());
    assert.deepEqual((await linkIdsOf(first))?.sort(), [anchor.id, link.id].sort());
    assert.deepEqual(anchor.webhookIds, []);
    assert.deepEqual((await api("GET", `/links/${anchor.id}`)).body.webhookIds, [first, second].sort());

    // The webhook now gets the link's events.
    await api("PATCH", `/links/${link.id}`, { title: "renamed" });
    assert.equal(await messages(first, link.id), 1);
  });

  test("on update replace the webhooks that name the link; null or [] leaves it in none", async () => {
    const anchor = await server.sdk().links.create({ url: "https://example.com/anchor-2" });
    const [a, b] = [await webhookFor([anchor.id]), await webhookFor([anchor.id])];
    const link = await server.sdk().links.create({ url: "https://example.com/moving", webhookIds: [a] });
    const moved = await server.sdk().links.update(link.id, { webhookIds: [b] });
    assert.deepEqual(moved.webhookIds, [b]);
    assert.deepEqual(await linkIdsOf(a), [anchor.id]);
    assert.deepEqual((await linkIdsOf(b))?.sort(), [anchor.id, link.id].sort());
    // Fields alone leave the subscriptions as they are.
    assert.deepEqual((await server.sdk().links.update(link.id, { title: "t" })).webhookIds, [b]);
    const cleared = await api("PATCH", `/links/${link.id}`, { webhookIds: null });
    assert.deepEqual(cleared.body.webhookIds, []);
    assert.deepEqual(await linkIdsOf(b), [anchor.id]);
  });

  test("change when the webhook's linkIds change, and a deleted webhook leaves the link", async () => {
    const [one, two] = [
      await server.sdk().links.create({ url: "https://example.com/one" }),
      await server.sdk().links.create({ url: "https://example.com/two" }),
    ];
    const hook = await webhookFor([one.id]);
    assert.deepEqual((await api("GET", `/links/${one.id}`)).body.webhookIds, [hook]);
    await api("PATCH", `/webhooks/${hook}`, { linkIds: [two.id] });
    assert.deepEqual((await api("GET", `/links/${one.id}`)).body.webhookIds, []);
    assert.deepEqual((await api("GET", `/links/${two.id}`)).body.webhookIds, [hook]);
    await api("DELETE", `/webhooks/${hook}`);
    assert.deepEqual((await api("GET", `/links/${two.id}`)).body.webhookIds, []);
  });

  test("name webhooks of the workspace only: any other id is Dub's 422, and nothing is created", async () => {
    const other = await server.newWorkspace();
    const anchor = await server.sdk(other.key).links.create({ url: "https://example.com/elsewhere" });
    const foreign = (
      await apiCall(server.origin, other.key, "POST", "/webhooks", {
        name: "theirs",
        url: "http://127.0.0.1:9/hook",
        triggers: ["link.updated"],
        linkIds: [anchor.id],
      })
    ).body.id;
    const before = (await api("GET", "/links?pageSize=100")).body.length;
    await rejection(
      await api("POST", "/links", { url: "https://example.com/x", webhookIds: ["wh_nope", foreign] }),
      422,
      {
        message: `Invalid webhookIds detected: wh_nope, ${foreign}`,
      },
    );
    assert.equal((await api("GET", "/links?pageSize=100")).body.length, before);
  });

  test("cannot narrow a webhook that takes every link, nor leave a webhook without links (it would take every link)", async () => {
    const everyLink = await webhookFor(undefined);
    await rejection(
      await api("POST", "/links", { url: "https://example.com/narrow", webhookIds: [everyLink] }),
      422,
      {
        message: new RegExp(`webhook ${everyLink} receives the events of every link`),
      },
    );
    assert.deepEqual(await linkIdsOf(everyLink), []); // Dub's answer for "every link"

    const only = await server.sdk().links.create({ url: "https://example.com/only" });
    const hook = await webhookFor([only.id]);
    await rejection(await api("PATCH", `/links/${only.id}`, { webhookIds: [] }), 422, {
      message: new RegExp(`webhook ${hook} would be left with no link`),
    });
    assert.deepEqual(await linkIdsOf(hook), [only.id]);
  });

  test("in a bulk create, each link subscribes its webhooks; an unknown one refuses that item in its place", async () => {
    const anchor = await server.sdk().links.create({ url: "https://example.com/bulk-anchor" });
    const hook = await webhookFor([anchor.id]);
    const answer = await api("POST", "/links/bulk", [
      { url: "https://example.com/bulk-1", webhookIds: [hook] },
      { url: "https://example.com/bulk-2", webhookIds: ["wh_missing"] },
    ]);
    assert.equal(answer.status, 200);
    const [created, refused]: Json[] = answer.body;
    assert.deepEqual(created.webhookIds, [hook]);
    assert.deepEqual(refused, {
      link: { url: "https://example.com/bulk-2", webhookIds: ["wh_missing"] },
      error: "Invalid webhookIds detected: wh_missing",
      code: "unprocessable_entity",
    });
    assert.deepEqual((await linkIdsOf(hook))?.sort(), [anchor.id, created.id].sort());
  });
});
