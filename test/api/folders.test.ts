// Folders through the official `dub` SDK (create, list, update, delete, and GET /folders/{id}), what deleting
// one does to its links, and the fence between workspaces.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;

before(async () => {
  server = await startServer();
});
after(() => server.stop());

async function workspace(scopes?: string[]) {
  const { key, workspaceId } = await server.newWorkspace(scopes);
  return { key, workspaceId, dub: server.sdk(key) };
}

async function get(key: string, path: string) {
  return fetch(`${server.origin}/api${path}`, { headers: { authorization: `Bearer ${key}` } });
}

describe("folders through the SDK", () => {
  test("create is Dub's 201 with every key of its folder; the SDK's default access level is write", async () => {
    const { dub } = await workspace();
    const started = Date.now();
    const folder = await dub.folders.create({ name: "  Campaigns  ", description: "Spring and summer" });
    assert.match(folder.id, /^fold_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(folder.name, "Campaigns");
    assert.equal(folder.description, "Spring and summer");
    assert.equal(folder.type, "default");
    assert.equal(folder.accessLevel, "write");
    assert.ok(Date.parse(folder.createdAt) >= started - 1000);
    assert.equal(folder.updatedAt, folder.createdAt);
    const plain = await dub.folders.create({ name: "Private", accessLevel: null });
    assert.equal(plain.description, null);
    assert.equal(plain.accessLevel, null);
  });

  test("a name is required, at most 190 characters, and unique per workspace whatever its case", async () => {
    const { dub } = await workspace();
    await rejection(dub.folders.create({ name: "" }), 422);
    await rejection(dub.folders.create({ name: "x".repeat(191) }), 422);
    const first = await dub.folders.create({ name: "Clients" });
    await rejection(dub.folders.create({ name: "CLIENTS" }), 409, {
      message: 'A folder with the name "CLIENTS" already exists.',
    });
    const second = await dub.folders.create({ name: "Partners" });
    await rejection(dub.folders.update(second.id, { name: "clients" }), 409);
    assert.equal((await dub.folders.update(first.id, { name: "clients" })).name, "clients");
  });

  test("list by name, with search and pages; GET /folders/{id} answers one", async () => {
    const { dub, key } = await workspace();
    for (const name of ["Zeta", "alpha", "Beta", "alphabet"]) await dub.folders.create({ name });
    assert.deepEqual(
      (await dub.folders.list({})).map((folder) => folder.name),
      ["alpha", "alphabet", "Beta", "Zeta"],
    );
    assert.deepEqual(
      (await dub.folders.list({ search: "ALPHA" })).map((folder) => folder.name),
      ["alpha", "alphabet"],
    );
    assert.deepEqual(
      (await dub.folders.list({ page: 2, pageSize: 3 })).map((folder) => folder.name),
      ["Zeta"],
    );
    await rejection(dub.folders.list({ pageSize: 51 }), 422);
    const [alpha] = await dub.folders.list({ search: "alpha", pageSize: 1 });
    const one = await get(key, `/folders/${alpha.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(await one.json(), alpha);
  });

  test("update sets the name, the description (null clears it) or the access level", async () => {
    const { dub } = await workspace();
    const folder = await dub.folders.create({ name: "Old", description: "notes" });
    const updated = await dub.folders.update(folder.id, {
      name: "New",
      description: null,
      accessLevel: "read",
    });
    assert.equal(updated.name, "New");
    assert.equal(updated.description, null);
    assert.equal(updated.accessLevel, "read");
    assert.ok(Date.parse(updated.updatedAt) >= Date.parse(folder.updatedAt));
    assert.deepEqual(await dub.folders.update(folder.id, {}), updated);
    await rejection(dub.folders.update("fold_missing", { name: "x" }), 404, {
      message: "Folder not found.",
    });
  });

  test("delete answers its id; the folder's links stay, outside any folder", async () => {
    const { dub } = await workspace();
    const folder = await dub.folders.create({ name: "Temporary" });
    const other = await dub.folders.create({ name: "Other" });
    const inside = await dub.links.create({ url: "https://example.com/inside", folderId: folder.id });
    const elsewhere = await dub.links.create({ url: "https://example.com/elsewhere", folderId: other.id });
    assert.equal(inside.folderId, folder.id);

    assert.deepEqual(await dub.folders.delete(folder.id), { id: folder.id });
    const moved = await dub.links.get({ linkId: inside.id });
    assert.equal(moved.folderId, null);
    assert.equal(moved.url, inside.url);
    assert.equal((await dub.links.get({ linkId: elsewhere.id })).folderId, other.id);
    await rejection(dub.folders.delete(folder.id), 404, { message: "Folder not found." });
    await rejection(dub.links.list({ folderId: folder.id }), 404, { message: "Folder not found." });
    assert.deepEqual(
      (await dub.folders.list({})).map((f) => f.id),
      [other.id],
    );
  });

  test("scopes: folders.read lists, folders.write is needed to change", async () => {
    const reader = await workspace(["folders.read"]);
    assert.deepEqual(await reader.dub.folders.list({}), []);
    await rejection(reader.dub.folders.create({ name: "nope" }), 403, { message: /folders\.write/ });
    const linksOnly = await workspace(["links.read"]);
    await rejection(linksOnly.dub.folders.list({}), 403, { message: /folders\.read/ });
  });
});

describe("another workspace's folders", () => {
  test("are never listed; getting, updating or deleting one, or filing a link in it, is NotFound", async () => {
    const mine = await workspace();
    const theirs = await workspace();
    const their = await theirs.dub.folders.create({ name: "Theirs" });
    const theirLink = await theirs.dub.links.create({
      url: "https://example.com/theirs",
      folderId: their.id,
    });
    await mine.dub.folders.create({ name: "Mine" });

    assert.deepEqual(
      (await mine.dub.folders.list({ search: "Theirs" })).map((f: { id: string }) => f.id),
      [],
    );
    assert.deepEqual(
      (await mine.dub.folders.list({})).map((f) => f.name),
      ["Mine"],
    );
    await rejection(get(mine.key, `/folders/${their.id}`), 404);
    await rejection(mine.dub.folders.update(their.id, { name: "Stolen" }), 404);
    await rejection(mine.dub.folders.delete(their.id), 404);
    await rejection(mine.dub.links.create({ url: "https://example.com/x", folderId: their.id }), 404, {
      message: "Folder not found.",
    });
    const mineLink = await mine.dub.links.create({ url: "https://example.com/mine" });
    await rejection(mine.dub.links.update(mineLink.id, { folderId: their.id }), 404);
    await rejection(mine.dub.links.list({ folderId: their.id }), 404);
    assert.equal((await mine.dub.links.get({ linkId: mineLink.id })).folderId, null);

    const still = await theirs.dub.links.get({ linkId: theirLink.id });
    assert.equal(still.folderId, their.id);
    assert.equal((await theirs.dub.folders.list({}))[0].name, "Theirs");
  });
});
