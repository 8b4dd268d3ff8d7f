// Tags through the official `dub` SDK (create, list, update, delete), the seed-era Go SDK's shapes on the wire
// (201 on create, {id,name,color} with its seven colours), and the fence between workspaces.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;

before(async () => {
  server = await startServer();
});
after(() => server.stop());

/** A fresh workspace, so list assertions see only its own tags. */
async function workspace(scopes?: string[]) {
  const { key, workspaceId } = await server.newWorkspace(scopes);
  return { key, workspaceId, dub: server.sdk(key) };
}

const SEED_UA = "speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go";
const SEED_COLORS = ["red", "yellow", "green", "blue", "purple", "pink", "brown"];

/** A request as the seed-era Go SDK sends it: its User-Agent, JSON in and out. */
async function seedCall(key: string, method: string, path: string, body?: string) {
  const response = await fetch(`${server.origin}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      accept: "application/json",
      "user-agent": SEED_UA,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", text };
}

/** The seed SDK's success test: exactly the operation's status, with a JSON media type. */
function seedBody(response: { status: number; contentType: string; text: string }, status = 200) {
  assert.equal(response.status, status, response.text);
  assert.equal(response.contentType.split(";")[0].trim(), "application/json");
  return JSON.parse(response.text);
}

/** TagSchema of dub-go v0.9.7: exactly id, name and a colour of its enum. */
function assertSeedTag(tag: Record<string, unknown>) {
  assert.deepEqual(Object.keys(tag).sort(), ["color", "id", "name"]);
  assert.equal(typeof tag.id, "string");
  assert.equal(typeof tag.name, "string");
  assert.ok(SEED_COLORS.includes(tag.color as string), `the seed SDK cannot decode colour ${tag.color}`);
}

describe("tags through the SDK", () => {
  test("create answers the tag; without a colour it gets one every SDK generation decodes", async () => {
    const { dub } = await workspace();
    const red = await dub.tags.create({ name: "Launch", color: "red" });
    assert.match(red.id, /^tag_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.deepEqual({ name: red.name, color: red.color }, { name: "Launch", color: "red" });
    for (let i = 0; i < 12; i++) {
      const tag = await dub.tags.create({ name: `plain ${i}` });
      assert.ok(SEED_COLORS.includes(tag.color), `random colour ${tag.color}`);
    }
    const row = await server.one<Record<string, unknown>>("select * from tags where id = ?", red.id);
    assert.equal(row?.name_key, "launch");
  });

  test("the deprecated `tag` names it; a name is required, at most 50 characters, and the colour is Dub's", async () => {
    const { dub, key } = await workspace();
    const aliased = await dub.tags.create({ tag: "  Old style  " });
    assert.equal(aliased.name, "Old style");
    await rejection(dub.tags.create({}), 422, { message: /name: Name is required/ });
    await rejection(dub.tags.create({ name: "   " }), 422);
    await rejection(dub.tags.create({ name: "x".repeat(51) }), 422);
    const answer = await fetch(`${server.origin}/api/tags`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "teal", color: "teal" }),
    });
    await rejection(answer, 422, { message: /color/ });
    assert.equal((await dub.tags.list({})).length, 1);
  });

  test("a name is unique per workspace whatever its case: Conflict on create and on rename", async () => {
    const { dub } = await workspace();
    const first = await dub.tags.create({ name: "Launch" });
    await rejection(dub.tags.create({ name: "launch" }), 409, {
      message: "A tag with that name already exists.",
    });
    const second = await dub.tags.create({ name: "Spring" });
    await rejection(dub.tags.update(second.id, { name: "LAUNCH" }), 409);
    const renamed = await dub.tags.update(first.id, { name: "LAUNCH" });
    assert.equal(renamed.name, "LAUNCH");
    // Another workspace may use the same name.
    const other = await workspace();
    assert.equal((await other.dub.tags.create({ name: "Launch" })).name, "Launch");
  });

  test("list: sorted by name by default, or by creation; search, ids and pages", async () => {
    const { dub, key } = await workspace();
    const names = ["banana", "Apple", "cherry", "apricot", "Blueberry"];
    const created = [];
    for (const name of names) created.push(await dub.tags.create({ name }));
    const listed = (await dub.tags.list({})).map((tag) => tag.name);
    assert.deepEqual(listed, ["Apple", "apricot", "banana", "Blueberry", "cherry"]);
    const newestFirst = await dub.tags.list({ sortBy: "createdAt", sortOrder: "desc" });
    assert.deepEqual(
      newestFirst.map((tag) => tag.name),
      [...names].reverse(),
    );
    assert.deepEqual(
      (await dub.tags.list({ search: "AP" })).map((tag) => tag.name),
      ["Apple", "apricot"],
    );
    const picked = await dub.tags.list({ ids: [created[0].id, created[2].id] });
    assert.deepEqual(picked.map((tag) => tag.name).sort(), ["banana", "cherry"]);
    // The SDK repeats `ids`; a comma-separated value is the same list.
    const comma = await fetch(`${server.origin}/api/tags?ids=${created[1].id},${created[3].id}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.deepEqual(
      ((await comma.json()) as { name: string }[]).map((tag) => tag.name),
      ["Apple", "apricot"],
    );
    const page2 = await dub.tags.list({ page: 2, pageSize: 2 });
    assert.deepEqual(
      page2.map((tag) => tag.name),
      ["banana", "Blueberry"],
    );
    await rejection(dub.tags.list({ pageSize: 101 }), 422);
  });

  test("update changes the name or the colour alone; an empty change answers the tag as it is", async () => {
    const { dub } = await workspace();
    const tag = await dub.tags.create({ name: "Draft", color: "yellow" });
    const recoloured = await dub.tags.update(tag.id, { color: "gray" });
    assert.deepEqual(recoloured, { id: tag.id, name: "Draft", color: "gray" });
    const renamed = await dub.tags.update(tag.id, { name: "Final" });
    assert.deepEqual(renamed, { id: tag.id, name: "Final", color: "gray" });
    assert.deepEqual(await dub.tags.update(tag.id, {}), renamed);
    await rejection(dub.tags.update("tag_missing", { name: "x" }), 404, {
      message: "Tag not found.",
    });
  });

  test("delete answers its id, and the tag is gone from every link that carried it", async () => {
    const { dub } = await workspace();
    const doomed = await dub.tags.create({ name: "Doomed" });
    const kept = await dub.tags.create({ name: "Kept" });
    const link = await dub.links.create({ url: "https://example.com/tagged", tagIds: [doomed.id, kept.id] });
    assert.deepEqual(
      link.tags?.map((tag) => tag.name),
      ["Doomed", "Kept"],
    );
    assert.deepEqual(await dub.tags.delete(doomed.id), { id: doomed.id });
    const after = await dub.links.get({ linkId: link.id });
    assert.deepEqual(after.tags, [{ id: kept.id, name: "Kept", color: kept.color }]);
    assert.equal(after.tagId, kept.id);
    assert.equal(
      (await server.query("select * from link_tags where tag_id = ?", doomed.id)).length,
      0,
      "no pair is left behind",
    );
    await rejection(dub.tags.delete(doomed.id), 404, { message: "Tag not found." });
  });

  test("scopes: tags.read lists, tags.write is needed to change; links scopes do not reach tags", async () => {
    const reader = await workspace(["tags.read"]);
    assert.deepEqual(await reader.dub.tags.list({}), []);
    await rejection(reader.dub.tags.create({ name: "nope" }), 403, { message: /tags\.write/ });
    const linksOnly = await workspace(["links.write"]);
    await rejection(linksOnly.dub.tags.list({}), 403, { message: /tags\.read/ });
    const writer = await workspace(["tags.write"]);
    const tag = await writer.dub.tags.create({ name: "ok" });
    assert.equal((await writer.dub.tags.list({}))[0].id, tag.id);
  });
});

describe("another workspace's tags", () => {
  test("are never listed, and updating or deleting one is NotFound that changes nothing", async () => {
    const mine = await workspace();
    const theirs = await workspace();
    const their = await theirs.dub.tags.create({ name: "Secret", color: "purple" });
    await mine.dub.tags.create({ name: "Mine" });
    assert.deepEqual(
      (await mine.dub.tags.list({})).map((tag) => tag.name),
      ["Mine"],
    );
    assert.deepEqual(await mine.dub.tags.list({ ids: [their.id] }), []);
    assert.deepEqual(await mine.dub.tags.list({ search: "Secret" }), []);
    await rejection(mine.dub.tags.update(their.id, { name: "Taken" }), 404);
    await rejection(mine.dub.tags.delete(their.id), 404);
    assert.deepEqual(await theirs.dub.tags.list({}), [their]);
  });
});

describe("the seed-era Go SDK (v0.9.7) on the wire", () => {
  test("Tags.Create is 201 with exactly {id, name, color}; List, Update and Delete answer its shapes", async () => {
    const { key } = await workspace();
    const created = seedBody(await seedCall(key, "POST", "/tags", `{"color":"green","name":"seed"}`), 201);
    assertSeedTag(created);
    assert.deepEqual({ name: created.name, color: created.color }, { name: "seed", color: "green" });
    const legacy = seedBody(await seedCall(key, "POST", "/tags", `{"tag":"legacy"}`), 201);
    assertSeedTag(legacy);
    assert.equal(legacy.name, "legacy");

    const listed = seedBody(await seedCall(key, "GET", "/tags"));
    assert.ok(Array.isArray(listed));
    assert.deepEqual(
      listed.map((tag: { name: string }) => tag.name),
      ["legacy", "seed"],
    );
    for (const tag of listed) assertSeedTag(tag);

    const updated = seedBody(await seedCall(key, "PATCH", `/tags/${created.id}`, `{"name":"renamed"}`));
    assertSeedTag(updated);
    assert.equal(updated.name, "renamed");
    const deleted = seedBody(await seedCall(key, "DELETE", `/tags/${created.id}`));
    assert.deepEqual(deleted, { id: created.id });
  });

  test("a gray tag (which its enum lacks) reaches it as blue, in tags, links and events; today's SDK sees gray", async () => {
    const { key, dub } = await workspace();
    const gray = await dub.tags.create({ name: "Neutral", color: "gray" });
    const link = await dub.links.create({ url: "https://example.com/gray", tagIds: gray.id });
    assert.equal(link.tags?.[0].color, "gray");

    const tags = seedBody(await seedCall(key, "GET", "/tags"));
    assert.deepEqual(tags, [{ id: gray.id, name: "Neutral", color: "blue" }]);
    const links = seedBody(await seedCall(key, "GET", "/links"));
    assert.deepEqual(links[0].tags, [{ id: gray.id, name: "Neutral", color: "blue" }]);
    const info = seedBody(await seedCall(key, "GET", `/links/info?linkId=${link.id}`));
    assertSeedTag(info.tags[0]);
    const updated = seedBody(
      await seedCall(
        key,
        "PATCH",
        `/tags/${gray.id}`,
        // The seed SDK cannot send gray; it can rename a gray tag and gets it back in a colour it knows.
        `{"name":"Neutral 2"}`,
      ),
    );
    assert.deepEqual(updated, { id: gray.id, name: "Neutral 2", color: "blue" });

    const visit = await fetch(`${server.origin}/${link.key}`, {
      redirect: "manual",
      headers: {
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
      },
    });
    assert.equal(visit.status, 302);
    const events = seedBody(await seedCall(key, "GET", "/events?event=clicks&interval=24h"));
    assert.equal(events.length, 1);
    assertSeedTag(events[0].link.tags[0]);
    const current = await dub.events.list({ event: "clicks", interval: "24h" });
    assert.equal((current[0] as { link: { tags: { color: string }[] } }).link.tags[0].color, "gray");
  });
});
