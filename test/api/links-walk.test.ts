// The walk `clicktrail links export` reads links with: keyset pages over the workspace's links, on every store.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { LinkWalkFilter } from "../../src/domain/links/model.js";
import type { Principal } from "../../src/domain/workspaces/model.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let principal: Principal;
const ids: Record<string, string> = {};
let folderId: string;

before(async () => {
  server = await startServer();
  const workspace = await server.newWorkspace();
  principal = { workspaceId: workspace.workspaceId, keyId: "test", scopes: null, userId: null, role: null };
  const dub = server.sdk(workspace.key);
  const tag = await dub.tags.create({ name: "Spring" });
  folderId = (await dub.folders.create({ name: "Promo" })).id;
  const links: [string, { tagIds?: string[]; folderId?: string; archived?: boolean }][] = [
    ["a", { tagIds: [tag.id] }],
    ["b", { folderId }],
    ["c", { archived: true, tagIds: [tag.id] }],
    ["d", {}],
    ["e", { folderId, tagIds: [tag.id] }],
  ];
  for (const [name, extra] of links)
    ids[name] = (await dub.links.create({ url: `https://example.com/${name}`, ...extra })).id;
  // Another workspace's link, which no walk of this one may visit.
  await server.sdk().links.create({ url: "https://example.com/elsewhere" });
});

after(() => server?.stop());

async function walked(filter: LinkWalkFilter, batch: number): Promise<{ pages: number[]; ids: string[] }> {
  const pages: number[] = [];
  const seen: string[] = [];
  for await (const page of await server.services.links.walk(principal, filter, batch)) {
    pages.push(page.length);
    seen.push(...page.map((link) => link.id));
  }
  return { pages, ids: seen };
}

const idsOf = (...names: string[]) => names.map((name) => ids[name]).sort();

test("every link of the workspace once, in id order, a batch at a time", async () => {
  const all = await walked({}, 2);
  assert.deepEqual(all.pages, [2, 2, 1]);
  assert.deepEqual(all.ids, idsOf("a", "b", "c", "d", "e"));
  assert.deepEqual(
    (await walked({}, 5)).pages,
    [5],
    "a last full page is followed by one empty read, not yielded",
  );
});

test("filters: archived, tag names, folder", async () => {
  assert.deepEqual((await walked({ archived: false }, 2)).ids, idsOf("a", "b", "d", "e"));
  assert.deepEqual((await walked({ archived: true }, 2)).ids, idsOf("c"));
  assert.deepEqual((await walked({ tagNames: ["spring"] }, 1)).ids, idsOf("a", "c", "e"));
  assert.deepEqual((await walked({ folderId, tagNames: ["Spring"] }, 1)).ids, idsOf("e"));
});
