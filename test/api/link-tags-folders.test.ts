// Links with tags and a folder through the official `dub` SDK: tagIds, tagNames and folderId on create, update and
// upsert; the Link's tags, tagId and folderId; GET /links, GET /analytics and GET /events filtered by them; and the
// link.* webhooks that carry them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import type { RetrieveAnalyticsRequest } from "dub/models/operations";
import type { Click } from "../../src/domain/clicks/model.js";
import { attributionOf } from "../../src/domain/conversions/attribution.js";
import { newCustomer } from "../../src/domain/customers/new-customer.js";
import { newEventId } from "../../src/domain/ids.js";
import { testClick } from "../helpers/clicks.js";
import { apiCall } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { type Receiver, startReceiver, until } from "../helpers/webhook-receiver.js";

type Link = Awaited<ReturnType<Dub["links"]["create"]>>;
type Tag = Awaited<ReturnType<Dub["tags"]["create"]>>;
type Folder = Awaited<ReturnType<Dub["folders"]["create"]>>;

let server: TestServer;

before(async () => {
  server = await startServer({ WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_POLL_MS: "50" });
});
after(() => server.stop());

async function workspace() {
  const { key, workspaceId } = await server.newWorkspace();
  return { key, workspaceId, dub: server.sdk(key) };
}

const names = (link: Link) => (link.tags ?? []).map((tag) => tag.name);
const ids = (links: { id: string }[]) => links.map((link) => link.id).sort();

describe("a link's tags and folder", () => {
  let dub: Dub;
  let tags: Record<"launch" | "spring" | "beta", Tag>;
  let folder: Folder;

  before(async () => {
    ({ dub } = await workspace());
    tags = {
      spring: await dub.tags.create({ name: "Spring", color: "green" }),
      launch: await dub.tags.create({ name: "launch", color: "red" }),
      beta: await dub.tags.create({ name: "Beta", color: "gray" }),
    };
    folder = await dub.folders.create({ name: "Campaigns" });
  });

  test("create with tagIds and folderId: tags in the order given, each once, tagId the first of them, folderId", async () => {
    const link = await dub.links.create({
      url: "https://example.com/tagged",
      tagIds: [tags.spring.id, tags.launch.id, tags.spring.id],
      folderId: folder.id,
    });
    assert.deepEqual(link.tags, [
      { id: tags.spring.id, name: "Spring", color: "green" },
      { id: tags.launch.id, name: "launch", color: "red" },
    ]);
    assert.equal(link.tagId, tags.spring.id);
    assert.equal(link.folderId, folder.id);
    assert.deepEqual(await dub.links.get({ linkId: link.id }), link);
    const row = await server.one<{ folder_id: string }>("select folder_id from links where id = ?", link.id);
    assert.equal(row?.folder_id, folder.id);
  });

  test("tagNames, whatever their case; a comma-separated tagIds; the deprecated tagId", async () => {
    const byName = await dub.links.create({
      url: "https://example.com/by-name",
      tagNames: ["SPRING", "beta"],
    });
    assert.deepEqual(names(byName), ["Spring", "Beta"]);
    assert.equal(byName.tagId, tags.spring.id);
    const comma = await dub.links.create({
      url: "https://example.com/comma",
      tagIds: `${tags.beta.id},${tags.launch.id}`,
    });
    assert.deepEqual(names(comma), ["Beta", "launch"]);
    const single = await dub.links.create({ url: "https://example.com/single", tagId: tags.spring.id });
    assert.deepEqual(names(single), ["Spring"]);
    const none = await dub.links.create({ url: "https://example.com/none" });
    assert.deepEqual(none.tags, []);
    assert.equal(none.tagId, null);
    assert.equal(none.folderId, null);
  });

  test("an unknown tag is Dub's 422 naming it, an unknown folder Dub's 404, and nothing is written", async () => {
    const existing = await server.query("select id from links");
    await rejection(
      dub.links.create({ url: "https://example.com/x", tagIds: [tags.spring.id, "tag_nope", "tag_gone"] }),
      422,
      { message: "Invalid tagIds detected: tag_nope, tag_gone" },
    );
    await rejection(dub.links.create({ url: "https://example.com/x", tagNames: ["Spring", "Autumn"] }), 422, {
      message: "Invalid tagNames detected: Autumn",
    });
    await rejection(dub.links.create({ url: "https://example.com/x", folderId: "fold_nope" }), 404, {
      message: "Folder not found.",
    });
    assert.equal((await server.query("select id from links")).length, existing.length);
  });

  test("update replaces the tags, [] removes them, leaving them out keeps them; folderId null files it nowhere", async () => {
    const link = await dub.links.create({
      url: "https://example.com/update",
      tagIds: [tags.spring.id],
      folderId: folder.id,
    });
    const retagged = await dub.links.update(link.id, { tagNames: ["launch", "Beta"] });
    assert.deepEqual(names(retagged), ["launch", "Beta"]);
    assert.equal(retagged.folderId, folder.id);
    const kept = await dub.links.update(link.id, { title: "Kept" });
    assert.deepEqual(names(kept), ["launch", "Beta"]);
    const reordered = await dub.links.update(link.id, { tagIds: [tags.beta.id, tags.launch.id] });
    assert.deepEqual(names(reordered), ["Beta", "launch"]);
    assert.equal(reordered.tagId, tags.beta.id);
    assert.deepEqual(await dub.links.get({ linkId: link.id }), reordered);
    const cleared = await dub.links.update(link.id, { tagIds: [], folderId: null });
    assert.deepEqual(cleared.tags, []);
    assert.equal(cleared.folderId, null);
    await rejection(dub.links.update(link.id, { tagIds: ["tag_nope"] }), 422);
    assert.deepEqual((await dub.links.get({ linkId: link.id })).tags, []);
    const refiled = await dub.links.update(link.id, { folderId: folder.id });
    assert.equal(refiled.folderId, folder.id);
  });

  test("upsert sets tags and folder on the link of the same URL, and leaves an unchanged link as it was", async () => {
    const url = "https://example.com/upsert-tags";
    const created = await dub.links.upsert({ url, tagIds: [tags.beta.id] });
    assert.deepEqual(names(created), ["Beta"]);
    const same = await dub.links.upsert({ url, tagNames: ["beta"] });
    assert.equal(same.id, created.id);
    assert.equal(same.updatedAt, created.updatedAt, "the same tags change nothing");
    const changed = await dub.links.upsert({ url, tagIds: [tags.launch.id], folderId: folder.id });
    assert.equal(changed.id, created.id);
    assert.deepEqual(names(changed), ["launch"]);
    assert.equal(changed.folderId, folder.id);
    const two = await dub.links.upsert({ url, tagIds: [tags.launch.id, tags.beta.id] });
    assert.deepEqual(names(two), ["launch", "Beta"]);
    const swapped = await dub.links.upsert({ url, tagNames: ["beta", "LAUNCH"] });
    assert.deepEqual(names(swapped), ["Beta", "launch"], "the same tags in another order are a change");
  });

  test("renaming a tag shows on its links", async () => {
    const tag = await dub.tags.create({ name: "Temporary name" });
    const link = await dub.links.create({ url: "https://example.com/renamed", tagIds: [tag.id] });
    await dub.tags.update(tag.id, { name: "Final name", color: "pink" });
    assert.deepEqual((await dub.links.get({ linkId: link.id })).tags, [
      { id: tag.id, name: "Final name", color: "pink" },
    ]);
  });
});

describe("another workspace's tags and folders on a link", () => {
  test("are refused like unknown ones, and its links never show up in a filtered listing", async () => {
    const mine = await workspace();
    const theirs = await workspace();
    const theirTag = await theirs.dub.tags.create({ name: "Shared name" });
    const theirFolder = await theirs.dub.folders.create({ name: "Theirs" });
    await theirs.dub.links.create({
      url: "https://example.com/t",
      tagIds: [theirTag.id],
      folderId: theirFolder.id,
    });
    await mine.dub.tags.create({ name: "Shared name" });

    await rejection(mine.dub.links.create({ url: "https://example.com/m", tagIds: [theirTag.id] }), 422, {
      message: `Invalid tagIds detected: ${theirTag.id}`,
    });
    await rejection(mine.dub.links.create({ url: "https://example.com/m", folderId: theirFolder.id }), 404);
    const link = await mine.dub.links.create({ url: "https://example.com/m", tagNames: ["shared NAME"] });
    assert.notEqual(link.tags?.[0].id, theirTag.id, "a name resolves in the caller's workspace");
    assert.deepEqual((await mine.dub.links.list({ tagIds: [theirTag.id] })).result, []);
    assert.deepEqual(ids((await mine.dub.links.list({ tagNames: ["shared name"] })).result), [link.id]);
    await rejection(mine.dub.links.list({ folderId: theirFolder.id }), 404);
  });
});

describe("GET /links filtered by tags and folder", () => {
  test("tagIds (any of them), tagId, tagNames (any case), folderId and withTags", async () => {
    const { dub, key } = await workspace();
    const a = await dub.tags.create({ name: "A" });
    const b = await dub.tags.create({ name: "B" });
    const f = await dub.folders.create({ name: "F" });
    const onlyA = await dub.links.create({ url: "https://example.com/1", tagIds: [a.id], folderId: f.id });
    const both = await dub.links.create({ url: "https://example.com/2", tagIds: [a.id, b.id] });
    const onlyB = await dub.links.create({ url: "https://example.com/3", tagIds: [b.id], folderId: f.id });
    const none = await dub.links.create({ url: "https://example.com/4" });
    const list = async (request: Parameters<Dub["links"]["list"]>[0]) =>
      ids((await dub.links.list(request)).result);

    assert.deepEqual(await list({}), ids([onlyA, both, onlyB, none]));
    assert.deepEqual(await list({ tagIds: [a.id] }), ids([onlyA, both]));
    assert.deepEqual(await list({ tagIds: [a.id, b.id] }), ids([onlyA, both, onlyB]));
    assert.deepEqual(await list({ tagId: b.id }), ids([both, onlyB]));
    assert.deepEqual(await list({ tagNames: ["a"] }), ids([onlyA, both]));
    assert.deepEqual(await list({ folderId: f.id }), ids([onlyA, onlyB]));
    assert.deepEqual(await list({ folderId: f.id, tagIds: [b.id] }), ids([onlyB]));
    assert.deepEqual(await list({ withTags: true }), ids([onlyA, both, onlyB]));
    const comma = await apiCall(server.origin, key, "GET", `/links?tagIds=${a.id},${b.id}&tagNames=ignored`);
    assert.deepEqual(ids(comma.body), ids([onlyA, both, onlyB]));
  });
});

const HOUR = 3_600_000;
const at = (text: string) => Date.parse(text);
let sequence = 0;

/** A click on `link` at `time`, as a redirect would have recorded it. */
function clickOn(
  workspaceId: string,
  link: Link,
  time: number,
  place: { country: string; city: string },
): Click {
  sequence += 1;
  return testClick(workspaceId, link, {
    id: `tfc${String(sequence).padStart(13, "0")}`,
    timestamp: time,
    identityHash: `visitor-${sequence}`,
    ip: "203.0.113.9",
    country: place.country,
    continent: place.country === "US" ? "NA" : "EU",
    region: `${place.country}-X`,
    city: place.city,
  });
}

describe("analytics and events filtered by tags and folders", () => {
  type Fixture = {
    link: "l1" | "l2" | "l3" | "l4";
    kind: "click" | "lead" | "sale";
    at: number;
    cents: number;
  };
  type Counts = { clicks: number; leads: number; sales: number; saleAmount: number };
  const WINDOW = { start: "2026-02-10T05:30:00Z", end: "2026-02-13T18:45:00Z" };
  const fixtures: Fixture[] = [];
  let dub: Dub;
  let workspaceId: string;
  let links: Record<Fixture["link"], Link>;
  let a: Tag;
  let b: Tag;
  let f1: Folder;
  let f2: Folder;
  let stranger: Tag;

  before(async () => {
    ({ dub, workspaceId } = await workspace());
    a = await dub.tags.create({ name: "A" });
    b = await dub.tags.create({ name: "B" });
    f1 = await dub.folders.create({ name: "F1" });
    f2 = await dub.folders.create({ name: "F2" });
    stranger = await (await workspace()).dub.tags.create({ name: "A" });
    links = {
      l1: await dub.links.create({ url: "https://example.com/l1", tagIds: [a.id], folderId: f1.id }),
      l2: await dub.links.create({ url: "https://example.com/l2", tagIds: [a.id, b.id] }),
      l3: await dub.links.create({ url: "https://example.com/l3", tagIds: [b.id], folderId: f2.id }),
      l4: await dub.links.create({ url: "https://example.com/l4" }),
    };
    const { clicks, conversions } = server.storage.stores;
    // Minutes at both ends of the window (raw events), whole hours beside whole days (hour and day rollups),
    // and a few events outside it.
    const times = [
      "2026-02-10T05:10:00Z",
      "2026-02-10T05:40:00Z",
      "2026-02-10T09:15:00Z",
      "2026-02-11T00:00:00Z",
      "2026-02-11T13:30:00Z",
      "2026-02-12T23:59:59Z",
      "2026-02-13T18:30:00Z",
      "2026-02-13T18:50:00Z",
    ];
    const places = [
      { country: "DE", city: "Berlin" },
      { country: "US", city: "Boston" },
      { country: "DE", city: "Hamburg" },
    ];
    let n = 0;
    for (const name of ["l1", "l2", "l3", "l4"] as const) {
      for (const time of times) {
        n += 1;
        const click = clickOn(workspaceId, links[name], at(time), places[n % places.length]);
        await clicks.recordBatch([click], 0);
        fixtures.push({ link: name, kind: "click", at: click.timestamp, cents: 0 });
        if (n % 3 !== 0) continue;
        const attribution = attributionOf(click);
        const leadAt = click.timestamp + HOUR;
        const customer = newCustomer({ workspaceId, externalId: `user-${click.id}` }, leadAt);
        const leadId = newEventId();
        const { customer: stored } = await conversions.recordLead({
          customer,
          slug: "sign-up",
          events: [
            {
              ...attribution,
              id: leadId,
              workspaceId,
              customerId: customer.id,
              timestamp: leadAt,
              eventName: "Sign up",
              metadata: null,
            },
          ],
        });
        fixtures.push({ link: name, kind: "lead", at: leadAt, cents: 0 });
        const cents = 1000 * n;
        await conversions.recordSale({
          event: {
            ...attribution,
            id: newEventId(),
            workspaceId,
            customerId: stored.id,
            leadEventId: leadId,
            timestamp: leadAt + HOUR,
            eventName: "Purchase",
            money: {
              amount: cents,
              currency: "usd",
              converted: true,
              originalAmount: cents,
              originalCurrency: "usd",
            },
            paymentProcessor: "stripe",
            invoiceId: null,
            metadata: null,
          },
          receipt: "{}",
        });
        fixtures.push({ link: name, kind: "sale", at: leadAt + HOUR, cents });
      }
    }
  });

  function expected(keep: Fixture["link"][]): Counts {
    const counts: Counts = { clicks: 0, leads: 0, sales: 0, saleAmount: 0 };
    for (const fixture of fixtures) {
      if (!keep.includes(fixture.link) || fixture.at < at(WINDOW.start) || fixture.at > at(WINDOW.end))
        continue;
      if (fixture.kind === "click") counts.clicks += 1;
      if (fixture.kind === "lead") counts.leads += 1;
      if (fixture.kind === "sale") {
        counts.sales += 1;
        counts.saleAmount += fixture.cents;
      }
    }
    return counts;
  }

  const count = async (filter: Partial<RetrieveAnalyticsRequest>) =>
    (await dub.analytics.retrieve({ event: "composite", groupBy: "count", ...WINDOW, ...filter })) as Counts;

  test("the window holds events of every link, and unfiltered counts add them all up", async () => {
    assert.ok(expected(["l1"]).sales > 0 && expected(["l4"]).clicks > 0);
    assert.deepEqual(await count({}), expected(["l1", "l2", "l3", "l4"]));
  });

  test("tagId: one tag, any of several, or (prefixed with -) none of them; tagIds as the deprecated name", async () => {
    assert.deepEqual(await count({ tagId: a.id }), expected(["l1", "l2"]));
    assert.deepEqual(await count({ tagId: `${a.id},${b.id}` }), expected(["l1", "l2", "l3"]));
    assert.deepEqual(await count({ tagId: `-${a.id}` }), expected(["l3", "l4"]));
    assert.deepEqual(await count({ tagId: `-${a.id},${b.id}` }), expected(["l4"]));
    assert.deepEqual(await count({ tagIds: b.id }), expected(["l2", "l3"]));
    assert.deepEqual(await count({ tagId: stranger.id }), expected([]));
  });

  test("folderId: in the folder, in any of several, or in none of them (links in no folder included)", async () => {
    assert.deepEqual(await count({ folderId: f1.id }), expected(["l1"]));
    assert.deepEqual(await count({ folderId: `${f1.id},${f2.id}` }), expected(["l1", "l3"]));
    assert.deepEqual(await count({ folderId: `-${f1.id}` }), expected(["l2", "l3", "l4"]));
    assert.deepEqual(await count({ folderId: f2.id, tagId: b.id }), expected(["l3"]));
  });

  test("with a dimension (from rollups) or a city (from the events) the counts agree", async () => {
    const fromRollups = await count({ tagId: a.id, country: "DE" });
    const fromEvents = (
      await Promise.all(["Berlin", "Hamburg"].map((city) => count({ tagId: a.id, city })))
    ).reduce((sum, part) => ({
      clicks: sum.clicks + part.clicks,
      leads: sum.leads + part.leads,
      sales: sum.sales + part.sales,
      saleAmount: sum.saleAmount + part.saleAmount,
    }));
    assert.deepEqual(fromRollups, fromEvents);
    assert.ok(fromRollups.clicks > 0 && fromRollups.clicks < expected(["l1", "l2"]).clicks);
    const countries = (await dub.analytics.retrieve({
      event: "clicks",
      groupBy: "countries",
      ...WINDOW,
      folderId: f1.id,
    })) as { country: string; clicks: number }[];
    assert.equal(
      countries.reduce((sum, row) => sum + row.clicks, 0),
      expected(["l1"]).clicks,
    );
  });

  test("top_links shows only the links the filter keeps, with their folder", async () => {
    const rows = (await dub.analytics.retrieve({
      event: "clicks",
      groupBy: "top_links",
      ...WINDOW,
      tagId: b.id,
    })) as { id: string; clicks: number; folderId: string | null }[];
    assert.deepEqual(rows.map((row) => row.id).sort(), [links.l2.id, links.l3.id].sort());
    assert.deepEqual(Object.fromEntries(rows.map((row) => [row.id, row.folderId])), {
      [links.l2.id]: null,
      [links.l3.id]: f2.id,
    });
  });

  test("events: only those of links the filter keeps", async () => {
    const linkIdsOf = async (filter: { tagId?: string; folderId?: string }) => {
      const events = (await dub.events.list({ event: "sales", ...WINDOW, limit: 1000, ...filter })) as {
        link: { id: string };
      }[];
      return [...new Set(events.map((event) => event.link.id))].sort();
    };
    assert.deepEqual(await linkIdsOf({ tagId: a.id }), [links.l1.id, links.l2.id].sort());
    assert.deepEqual(await linkIdsOf({ tagId: `-${a.id}` }), [links.l3.id, links.l4.id].sort());
    assert.deepEqual(await linkIdsOf({ folderId: f2.id }), [links.l3.id]);
    assert.deepEqual(await linkIdsOf({ folderId: `-${f1.id},${f2.id}` }), [links.l2.id, links.l4.id].sort());
    const clicks = await dub.events.list({ event: "clicks", ...WINDOW, limit: 1000, tagId: b.id });
    assert.equal(clicks.length, expected(["l2", "l3"]).clicks);
  });

  test("filters follow the links as they are now: a link moved out of a folder or untagged stops counting", async () => {
    const { clicks } = expected(["l1"]);
    assert.equal((await count({ folderId: f1.id })).clicks, clicks);
    await dub.links.update(links.l1.id, { folderId: null, tagIds: [] });
    assert.deepEqual(await count({ folderId: f1.id }), expected([]));
    assert.deepEqual(await count({ tagId: a.id }), expected(["l2"]));
    await dub.links.update(links.l1.id, { folderId: f1.id, tagIds: [a.id] });
    assert.deepEqual(await count({ folderId: f1.id }), expected(["l1"]));
  });
});

describe("link webhooks", () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  test("link.created and link.updated carry the link's tags, tagId and folderId", async () => {
    const { dub, key } = await workspace();
    const hook = await apiCall(server.origin, key, "POST", "/webhooks", {
      name: "links",
      url: receiver.url,
      triggers: ["link.created", "link.updated"],
    });
    assert.equal(hook.status, 200, JSON.stringify(hook.body));
    const tag = await dub.tags.create({ name: "Hooked", color: "purple" });
    const folder = await dub.folders.create({ name: "Hooks" });
    const link = await dub.links.create({
      url: "https://example.com/hooked",
      tagIds: [tag.id],
      folderId: folder.id,
    });
    const created = await until(
      () => receiver.of("link.created", (delivery) => delivery.json.data.id === link.id)[0],
      "link.created",
    );
    assert.deepEqual(created.json.data.tags, [{ id: tag.id, name: "Hooked", color: "purple" }]);
    assert.equal(created.json.data.tagId, tag.id);
    assert.equal(created.json.data.folderId, folder.id);

    await dub.links.update(link.id, { tagIds: [], folderId: null });
    const updated = await until(
      () => receiver.of("link.updated", (delivery) => delivery.json.data.id === link.id)[0],
      "link.updated",
    );
    assert.deepEqual(updated.json.data.tags, []);
    assert.equal(updated.json.data.folderId, null);
  });
});
