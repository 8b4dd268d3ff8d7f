// Dub's bulk link calls and the link count through the official `dub` SDK: links.createMany (each item that
// cannot be made answered in its place, the others created), links.updateMany, links.deleteMany and links.count
// with its filters and groupBy; their link.* webhooks and the redirect cache; and another workspace's tags,
// folders, domains and links, which are never touched nor shown.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import type { LinkErrorSchema, LinkSchema } from "dub/models/components";
import { apiCall, apiJson, unique } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer, visit } from "../helpers/server.js";
import { type Receiver, startReceiver, until } from "../helpers/webhook-receiver.js";

let server: TestServer;

before(async () => {
  server = await startServer({ WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_POLL_MS: "50" });
});
after(() => server.stop());

async function workspace() {
  const { key, workspaceId } = await server.newWorkspace();
  return { key, workspaceId, dub: server.sdk(key) };
}

const isError = (item: LinkSchema | LinkErrorSchema): item is LinkErrorSchema => "error" in item;
const created = (items: (LinkSchema | LinkErrorSchema)[]) =>
  items.filter((item) => !isError(item)) as LinkSchema[];

describe("links.createMany", () => {
  test("valid items are created and each invalid one is answered in its place with Dub's LinkError", async () => {
    const { dub } = await workspace();
    const other = await workspace();
    const theirTag = await other.dub.tags.create({ name: "Theirs", color: "red" });
    const theirFolder = await other.dub.folders.create({ name: "Their folder" });
    const theirDomain = `${unique("theirs")}.example`;
    await other.dub.domains.create({ slug: theirDomain });
    const tag = await dub.tags.create({ name: "Spring", color: "green" });
    const taken = await dub.links.create({ url: "https://example.com/taken", key: unique("taken") });
    const key = unique("bulk");
    const externalId = unique("ext");

    const items = [
      { url: "https://example.com/a", key, tagNames: ["spring"], utmSource: "newsletter" },
      { url: "javascript:alert(1)" },
      { url: "https://example.com/b", key },
      { url: "https://example.com/c", key: taken.key },
      { url: "https://example.com/d", tagIds: [theirTag.id] },
      { url: "https://example.com/e", folderId: theirFolder.id },
      { url: "https://example.com/f", domain: theirDomain },
      { url: "https://example.com/g", externalId },
      { url: "https://example.com/h", externalId: `ext_${externalId}` },
      { url: "https://example.com/i", tagIds: ["tag_nope"] },
      { url: "https://example.com/j", trackConversion: true, comments: "last" },
    ];
    const results = await dub.links.createMany(items);
    assert.equal(results.length, items.length);
    const errors = results.map((item, index) => (isError(item) ? { index, code: item.code } : null));
    assert.deepEqual(
      errors.filter(Boolean),
      [
        { index: 1, code: "unprocessable_entity" },
        { index: 2, code: "conflict" },
        { index: 3, code: "conflict" },
        { index: 4, code: "unprocessable_entity" },
        { index: 5, code: "not_found" },
        { index: 6, code: "forbidden" },
        { index: 8, code: "conflict" },
        { index: 9, code: "unprocessable_entity" },
      ],
      JSON.stringify(results.filter(isError)),
    );
    const error = (index: number) => results[index] as LinkErrorSchema;
    assert.equal(error(1).error, "Invalid destination URL");
    assert.deepEqual(error(1).link, { url: "javascript:alert(1)" }, "the item as it was sent");
    assert.equal(
      error(2).error,
      `Duplicate key: the key "${key}" is already in use on the domain ${server.host}.`,
    );
    assert.equal(
      error(3).error,
      `Duplicate key: the key "${taken.key}" is already in use on the domain ${server.host}.`,
    );
    assert.equal(error(4).error, `Invalid tagIds detected: ${theirTag.id}`);
    assert.equal(error(5).error, "Folder not found.");
    assert.equal(error(6).error, "Domain does not belong to workspace.");
    assert.equal(
      error(8).error,
      `A link with the externalId "${externalId}" already exists in this workspace.`,
    );
    for (const item of results.filter(isError)) {
      assert.ok(!JSON.stringify(item).includes("Theirs"), "another workspace's tag name never shows");
      assert.ok(!JSON.stringify(item).includes(other.workspaceId));
    }

    const [a, g, j] = [results[0], results[7], results[10]] as LinkSchema[];
    assert.equal(a.key, key);
    assert.deepEqual(a.tags, [{ id: tag.id, name: "Spring", color: "green" }]);
    assert.equal(a.url, "https://example.com/a?utm_source=newsletter");
    assert.equal(g.externalId, externalId);
    assert.equal(j.trackConversion, true);
    assert.equal(j.comments, "last");
    for (const link of [a, g, j]) assert.deepEqual(await dub.links.get({ linkId: link.id }), link);
    assert.equal(await dub.links.count({}), 4, "the three and the one made before");

    // Nothing of the other workspace changed.
    assert.deepEqual(await other.dub.tags.list({}), [theirTag]);
    assert.equal(await other.dub.links.count({}), 0);
    assert.equal((await other.dub.domains.list({})).result[0]?.slug, theirDomain);
  });

  test("random keys are distinct; a batch of exactly 100 is taken, one of 101 is Dub's 422", async () => {
    const { dub } = await workspace();
    const hundred = Array.from({ length: 100 }, (_, i) => ({ url: `https://example.com/n/${i}` }));
    const results = await dub.links.createMany(hundred);
    const links = created(results);
    assert.equal(links.length, 100);
    assert.equal(new Set(links.map((link) => link.key)).size, 100);
    assert.deepEqual(
      links.map((link) => link.url),
      hundred.map((item) => item.url),
      "in the order sent",
    );
    await rejection(dub.links.createMany([...hundred, { url: "https://example.com/n/100" }]), 422, {
      message: "You can only create up to 100 links at a time.",
    });
    await rejection(dub.links.createMany([]), 422, {
      message: "No links created – you must provide at least one link.",
    });
    assert.equal(await dub.links.count({}), 100, "the refused batches created nothing");
  });

  test("a body that is no array is Dub's 422; no body at all a 400, as for POST /links", async () => {
    const { key } = await workspace();
    const answer = await apiCall(server.origin, key, "POST", "/links/bulk", { url: "https://example.com" });
    await rejection(answer, 422, { message: "invalid_type: expected an array of links" });
    for (const path of ["/links", "/links/bulk"]) {
      const empty = fetch(`${server.origin}/api${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      });
      await rejection(empty, 400, { what: path });
    }
  });

  test("a short link answered as missing before its bulk create redirects right after it", async () => {
    const { dub } = await workspace();
    const key = unique("late");
    assert.equal((await visit(server, `/${key}`)).status, 404);
    await dub.links.createMany([{ url: "https://example.com/late", key }]);
    const answer = await visit(server, `/${key}`);
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get("location"), "https://example.com/late");
  });
});

describe("links.updateMany", () => {
  test("by linkIds: the same data on each, UTM written into each link's own URL; another workspace's ids skipped", async () => {
    const { dub } = await workspace();
    const other = await workspace();
    const theirs = await other.dub.links.create({ url: "https://theirs.example/x", title: "theirs" });
    const tag = await dub.tags.create({ name: "Sale", color: "blue" });
    const folder = await dub.folders.create({ name: "Q3" });
    const links = created(
      await dub.links.createMany([
        { url: "https://example.com/one?x=1" },
        { url: "https://example.com/two", trackConversion: true },
      ]),
    );
    const updated = await dub.links.updateMany({
      linkIds: [...links.map((link) => link.id), theirs.id, "link_missing"],
      data: { title: "Summer", tagIds: [tag.id], folderId: folder.id, utmCampaign: "summer" },
    });
    assert.deepEqual(updated.map((link) => link.id).sort(), links.map((link) => link.id).sort());
    const byId = new Map(updated.map((link) => [link.id, link]));
    assert.equal(byId.get(links[0].id)?.url, "https://example.com/one?x=1&utm_campaign=summer");
    assert.equal(byId.get(links[1].id)?.url, "https://example.com/two?utm_campaign=summer");
    for (const link of updated) {
      assert.equal(link.title, "Summer");
      assert.equal(link.folderId, folder.id);
      assert.equal(link.utmCampaign, "summer");
      assert.deepEqual(link.tags, [{ id: tag.id, name: "Sale", color: "blue" }]);
      assert.deepEqual(await dub.links.get({ linkId: link.id }), link);
    }
    assert.equal(byId.get(links[1].id)?.trackConversion, true, "fields not sent stay as they were");
    const still = await other.dub.links.get({ linkId: theirs.id });
    assert.equal(still.title, "theirs");
    assert.equal(still.updatedAt, theirs.updatedAt);
  });

  test("by externalIds (with or without ext_), when no linkIds are given", async () => {
    const { dub } = await workspace();
    const externalId = unique("ext");
    const [link] = created(await dub.links.createMany([{ url: "https://example.com/e", externalId }]));
    const updated = await dub.links.updateMany({
      externalIds: [`ext_${externalId}`],
      data: { archived: true },
    });
    assert.deepEqual(
      updated.map((item) => [item.id, item.archived]),
      [[link.id, true]],
    );
  });

  test("another workspace's tag or folder in data refuses the whole call; over 100 ids is Dub's 422", async () => {
    const { dub } = await workspace();
    const other = await workspace();
    const theirTag = await other.dub.tags.create({ name: "Theirs", color: "red" });
    const theirFolder = await other.dub.folders.create({ name: "Theirs" });
    const [link] = created(await dub.links.createMany([{ url: "https://example.com/u", title: "before" }]));
    await rejection(
      dub.links.updateMany({ linkIds: [link.id], data: { title: "x", tagIds: [theirTag.id] } }),
      422,
      {
        message: `Invalid tagIds detected: ${theirTag.id}`,
      },
    );
    await rejection(
      dub.links.updateMany({ linkIds: [link.id], data: { title: "x", folderId: theirFolder.id } }),
      404,
      { message: "Folder not found." },
    );
    const ids = Array.from({ length: 101 }, (_, i) => `link_${i}`);
    await rejection(dub.links.updateMany({ linkIds: ids, data: { title: "x" } }), 422, {
      message: /You can only update up to 100 links at a time\./,
    });
    await rejection(dub.links.updateMany({ data: { title: "x" } }), 400);
    assert.equal((await dub.links.get({ linkId: link.id })).title, "before");
  });
});

describe("tag order in bulk", () => {
  test("each link's tags come back in the order its item gives them, tagId the first; updateMany reorders", async () => {
    const { dub } = await workspace();
    const [zulu, alpha, mike] = [
      await dub.tags.create({ name: "zulu" }),
      await dub.tags.create({ name: "alpha" }),
      await dub.tags.create({ name: "mike" }),
    ];
    const order = (link: { tags?: { name: string }[] | null; tagId?: string | null }) => [
      (link.tags ?? []).map((tag) => tag.name),
      link.tagId,
    ];
    const links = created(
      await dub.links.createMany([
        { url: "https://example.com/ordered-ids", tagIds: [zulu.id, alpha.id, mike.id] },
        { url: "https://example.com/ordered-names", tagNames: ["MIKE", "zulu"] },
      ]),
    );
    assert.deepEqual(links.map(order), [
      [["zulu", "alpha", "mike"], zulu.id],
      [["mike", "zulu"], mike.id],
    ]);
    const updated = await dub.links.updateMany({
      linkIds: links.map((link) => link.id),
      data: { tagNames: ["alpha", "mike", "zulu"] },
    });
    for (const link of updated) {
      assert.deepEqual(order(link), [["alpha", "mike", "zulu"], alpha.id]);
      assert.deepEqual(order(await dub.links.get({ linkId: link.id })), order(link));
    }
  });
});

describe("links.deleteMany", () => {
  test("deletes the workspace's links among the ids and counts them; another workspace's link stays", async () => {
    const { dub } = await workspace();
    const other = await workspace();
    const theirs = await other.dub.links.create({ url: "https://theirs.example/keep" });
    const links = created(
      await dub.links.createMany([
        { url: "https://example.com/d1", key: unique("d1") },
        { url: "https://example.com/d2" },
        { url: "https://example.com/d3" },
      ]),
    );
    // A redirect remembered before the delete must not outlive it.
    assert.equal((await visit(server, `/${links[0].key}`)).status, 302);
    const answer = await dub.links.deleteMany({
      linkIds: [links[0].id, links[1].id, theirs.id, "link_missing", links[0].id],
    });
    assert.deepEqual(answer, { deletedCount: 2 });
    assert.equal((await visit(server, `/${links[0].key}`)).status, 404);
    assert.deepEqual(
      (await dub.links.list({})).result.map((link) => link.id),
      [links[2].id],
    );
    assert.equal((await other.dub.links.get({ linkId: theirs.id })).id, theirs.id);
    const ids = Array.from({ length: 101 }, (_, i) => `link_${i}`);
    await rejection(dub.links.deleteMany({ linkIds: ids }), 422, {
      message: "You can only delete up to 100 links at a time.",
    });
  });
});

describe("links.count", () => {
  let dub: Dub;
  let key: string;
  let tags: { spring: string; summer: string };
  let folder: string;
  const domain = `${unique("count")}.example`;

  before(async () => {
    ({ dub, key } = await workspace());
    tags = {
      spring: (await dub.tags.create({ name: "Spring", color: "green" })).id,
      summer: (await dub.tags.create({ name: "Summer", color: "yellow" })).id,
    };
    folder = (await dub.folders.create({ name: "Counted" })).id;
    await dub.links.createMany([
      { url: "https://example.com/c1", tagIds: [tags.spring], folderId: folder },
      { url: "https://example.com/c2", tagIds: [tags.spring, tags.summer], domain },
      { url: "https://example.com/search-me", domain, tenantId: "t1" },
      { url: "https://example.com/c4", archived: true, tagIds: [tags.summer] },
    ]);
    const other = await workspace();
    await other.dub.links.createMany([{ url: "https://example.com/other" }]);
  });

  test("a bare number, with the filters of GET /links", async () => {
    assert.equal(await dub.links.count({}), 3, "archived links count only with showArchived");
    assert.equal(await dub.links.count({ showArchived: true }), 4);
    assert.equal(await dub.links.count({ domain: domain.toUpperCase() }), 2);
    assert.equal(await dub.links.count({ tagIds: [tags.spring] }), 2);
    assert.equal(await dub.links.count({ tagId: tags.summer, showArchived: true }), 2);
    assert.equal(await dub.links.count({ tagNames: ["SUMMER"] }), 1);
    assert.equal(await dub.links.count({ folderId: folder }), 1);
    assert.equal(await dub.links.count({ search: "SEARCH-me" }), 1);
    assert.equal(await dub.links.count({ tenantId: "t1" }), 1);
    assert.equal(await dub.links.count({ withTags: true }), 2);
    const other = await workspace();
    const theirFolder = await other.dub.folders.create({ name: "Theirs" });
    await rejection(dub.links.count({ folderId: theirFolder.id }), 404, { message: "Folder not found." });
  });

  // The npm SDK decodes only a number here (its own limit), so the grouped answers are read as sent.
  test("groupBy: Dub's {<group>: value, _count} per value, most first, ignoring the filter on that group", async () => {
    const count = (query: string) => apiJson(server.origin, key, "GET", `/links/count?${query}`);
    assert.deepEqual(await count(`groupBy=domain&domain=${domain}`), [
      { domain, _count: 2 },
      { domain: server.host, _count: 1 },
    ]);
    assert.deepEqual(
      await count("groupBy=tagId&showArchived=true"),
      [
        { tagId: tags.spring, _count: 2 },
        { tagId: tags.summer, _count: 2 },
      ].sort((a, b) => a.tagId.localeCompare(b.tagId)),
    );
    assert.deepEqual(await count(`groupBy=tagId&tagIds=${tags.summer}`), [
      { tagId: tags.spring, _count: 2 },
      { tagId: tags.summer, _count: 1 },
    ]);
    assert.deepEqual(await count(`groupBy=folderId&folderId=${folder}`), [
      { folderId: null, _count: 2 },
      { folderId: folder, _count: 1 },
    ]);
    assert.deepEqual(await count(`groupBy=userId&domain=${domain}`), [{ userId: null, _count: 2 }]);
    await rejection(await apiCall(server.origin, key, "GET", "/links/count?groupBy=color"), 422);
  });
});

describe("bulk webhooks", () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  test("link.created, link.updated and link.deleted once per link, as the single calls send them", async () => {
    const { dub, key } = await workspace();
    const hook = await apiCall(server.origin, key, "POST", "/webhooks", {
      name: "bulk",
      url: receiver.url,
      triggers: ["link.created", "link.updated", "link.deleted"],
    });
    assert.equal(hook.status, 200, JSON.stringify(hook.body));
    const tag = await dub.tags.create({ name: "Hooked", color: "purple" });
    const results = await dub.links.createMany([
      { url: "https://example.com/w1", tagIds: [tag.id] },
      { url: "javascript:void(0)" },
      { url: "https://example.com/w2" },
    ]);
    const links = created(results);
    const ids = links.map((link) => link.id).sort();
    const of = (trigger: string) => () => {
      const found = receiver.of(trigger, (delivery) => ids.includes(delivery.json.data.id));
      return found.length >= ids.length ? found : undefined;
    };
    const createdEvents = await until(of("link.created"), "link.created");
    assert.deepEqual(createdEvents.map((delivery) => delivery.json.data.id).sort(), ids);
    const first = createdEvents.find((delivery) => delivery.json.data.id === links[0].id);
    assert.deepEqual(first?.json.data.tags, [{ id: tag.id, name: "Hooked", color: "purple" }]);

    await dub.links.updateMany({ linkIds: ids, data: { title: "hooked" } });
    const updatedEvents = await until(of("link.updated"), "link.updated");
    assert.deepEqual(
      updatedEvents.map((delivery) => delivery.json.data.title),
      ["hooked", "hooked"],
    );

    await dub.links.deleteMany({ linkIds: ids });
    const deletedEvents = await until(of("link.deleted"), "link.deleted");
    assert.deepEqual(deletedEvents.map((delivery) => delivery.json.data.id).sort(), ids);
    assert.deepEqual(
      deletedEvents.find((delivery) => delivery.json.data.id === links[0].id)?.json.data.tags,
      [{ id: tag.id, name: "Hooked", color: "purple" }],
      "a deleted link's event carries the tags it had",
    );
    assert.equal(receiver.of("link.created").length, 2, "each link once, the refused item never");
  });
});
