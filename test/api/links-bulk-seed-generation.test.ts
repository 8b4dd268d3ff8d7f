// The bulk link calls and Links.Count as the seed-era Go SDK (dub-go v0.9.7) makes them, by raw HTTP with its
// request bodies and User-Agent, each answer decoded as its models decode it (seed-sdk-models.md §4): CreateMany
// and UpdateMany answer arrays of LinkSchema, DeleteMany `{deletedCount}`, Count a bare number. Its updates send
// trackConversion and archived as false whether or not its caller set them: from it, that false changes nothing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import { rawRequest, unique } from "../helpers/journey.js";
import { assertKeyForKey, decodeAs, SEED_LINK } from "../helpers/seed-go-decoder.js";
import { startServer, type TestServer } from "../helpers/server.js";

const SEED_UA = "speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go";
/** The six booleans the seed SDK always sends, as it sends them when its caller set none. */
const SEED_DEFAULTS =
  '"archived":false,"doIndex":false,"proxy":false,"publicStats":false,"rewrite":false,"trackConversion":false';

// biome-ignore lint/suspicious/noExplicitAny: raw JSON answers, checked against the models
type Json = any;

let server: TestServer;
let dub: Dub;

before(async () => {
  server = await startServer();
  dub = server.sdk();
});
after(() => server?.stop());

/** A call as the seed SDK makes it: its User-Agent, JSON accepted, a JSON body when it sends one. */
async function seed(method: string, path: string, body?: string) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${server.key}`,
    accept: "application/json",
    "user-agent": SEED_UA,
  };
  if (body !== undefined) headers["content-type"] = "application/json";
  const answer = await rawRequest(`${server.origin}/api${path}`, { method, headers, body });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(String(answer.headers["content-type"]).split(";")[0].trim(), "application/json");
  return JSON.parse(answer.text) as Json;
}

describe("the seed Go SDK's bulk calls", () => {
  test("CreateMany: an array of LinkSchema; an item not created decodes too, as a LinkSchema with no id", async () => {
    const tag = await dub.tags.create({ name: "Seeded", color: "blue" });
    const key = unique("seed-bulk");
    const body = await seed(
      "POST",
      "/links/bulk",
      `[{"url":"https://example.com/seed/1","key":"${key}","tagIds":"${tag.id}",${SEED_DEFAULTS}},` +
        `{"url":"https://example.com/seed/2","key":"${key}",${SEED_DEFAULTS}},` +
        `{"url":"https://example.com/seed/3","tagNames":["seeded"],"utm_source":"go",${SEED_DEFAULTS}}]`,
    );
    decodeAs(body, { array: SEED_LINK });
    assert.equal(body.length, 3);
    assert.deepEqual(Object.keys(body[1]).sort(), ["code", "error", "link"], "Dub's LinkError, in its place");
    assert.equal(body[1].code, "conflict");
    const links = [body[0], body[2]];
    assertKeyForKey(links, { array: SEED_LINK });
    assert.equal(links[0].key, key);
    assert.deepEqual(links[0].tags, [{ id: tag.id, name: "Seeded", color: "blue" }]);
    assert.deepEqual(links[1].tags, links[0].tags);
    assert.equal(links[1].url, "https://example.com/seed/3?utm_source=go");
    for (const link of links) {
      assert.equal(link.trackConversion, false);
      assert.equal(link.archived, false);
    }
  });

  test("UpdateMany: an array of LinkSchema; its default false leaves trackConversion, archived, proxy, rewrite and doIndex as they are", async () => {
    const tracked = await dub.links.create({
      url: "https://example.com/seed/tracked",
      trackConversion: true,
    });
    const archived = await dub.links.create({ url: "https://example.com/seed/archived", archived: true });
    const body = await seed(
      "PATCH",
      "/links/bulk",
      `{"data":{${SEED_DEFAULTS},"title":"From Go"},"linkIds":["${tracked.id}","${archived.id}"]}`,
    );
    decodeAs(body, { array: SEED_LINK });
    assertKeyForKey(body, { array: SEED_LINK });
    const byId = new Map<string, Json>(body.map((link: Json) => [link.id, link]));
    assert.deepEqual(
      [byId.get(tracked.id).title, byId.get(tracked.id).trackConversion, byId.get(archived.id).archived],
      ["From Go", true, true],
    );
    assert.equal((await dub.links.get({ linkId: tracked.id })).trackConversion, true);

    // Update (one link) reads them the same way; `true` from it is meant.
    const single = await seed("PATCH", `/links/${tracked.id}`, `{${SEED_DEFAULTS},"comments":"go"}`);
    assert.deepEqual([single.comments, single.trackConversion], ["go", true]);
    const archiving = await seed(
      "PATCH",
      `/links/${tracked.id}`,
      `{${SEED_DEFAULTS.replace('"archived":false', '"archived":true')}}`,
    );
    assert.equal(archiving.archived, true);

    // The smart options it also sends as false stay as they are.
    const smart = await dub.links.create({
      url: "https://example.com/seed/smart",
      proxy: true,
      title: "Preview",
      rewrite: true,
      doIndex: true,
    });
    const renamed = await seed("PATCH", `/links/${smart.id}`, `{${SEED_DEFAULTS},"comments":"renamed"}`);
    assert.deepEqual(
      [renamed.comments, renamed.proxy, renamed.rewrite, renamed.doIndex],
      ["renamed", true, true, true],
    );

    // Any other client's false is a false.
    const [unarchived] = await dub.links.updateMany({ linkIds: [archived.id], data: { archived: false } });
    assert.equal(unarchived.archived, false);
  });

  test("DeleteMany: linkIds comma-joined in one value; {deletedCount} a JSON number", async () => {
    const a = await dub.links.create({ url: "https://example.com/seed/del-a" });
    const b = await dub.links.create({ url: "https://example.com/seed/del-b" });
    const body = await seed("DELETE", `/links/bulk?linkIds=${a.id},${b.id}`);
    decodeAs(body, { strict: false, keys: { deletedCount: "number" }, required: ["deletedCount"] });
    assert.deepEqual(body, { deletedCount: 2 });
  });

  test("Count: a bare JSON number, with the filters it sends", async () => {
    const domain = `${unique("seed-count")}.example`;
    await dub.links.createMany([
      { url: "https://example.com/seed/c1", domain },
      { url: "https://example.com/seed/c2", domain },
    ]);
    assert.equal(await seed("GET", `/links/count?domain=${domain}`), 2);
    assert.equal(typeof (await seed("GET", "/links/count")), "number");
  });
});
