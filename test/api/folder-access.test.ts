// Folder access (ADR 24): whom a key acts as, what a folder's accessLevel lets a member do, and Dub's answers when
// it does not — through the `dub` SDK and raw HTTP, single and bulk calls, links and the folder routes themselves.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { clickIdFor } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";
import { type Json, PASSWORD, signedInUser, uniqueEmail } from "../helpers/session.js";

const FORBIDDEN = "You are not allowed to perform this action on this folder.";

let server: TestServer;
before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
});
after(() => server.stop());

/** A workspace with its own key, an owner and a member, and a key acting as each user. */
async function team() {
  const { key, workspaceId } = await server.newWorkspace();
  const user = async (role: "owner" | "member") => {
    const created = await server.services.accounts.createUser(
      { email: uniqueEmail(role), password: PASSWORD },
      { workspaceId, role },
    );
    const { key: userKey } = await server.services.workspaces.createKey({ workspaceId, userId: created.id });
    return { id: created.id, key: userKey, dub: server.sdk(userKey) };
  };
  const owner = await user("owner");
  const member = await user("member");
  const workspace = server.sdk(key);
  const write = await owner.dub.folders.create({ name: "Write", accessLevel: "write" });
  const read = await owner.dub.folders.create({ name: "Read", accessLevel: "read" });
  const none = await owner.dub.folders.create({ name: "None", accessLevel: null });
  const inRead = await owner.dub.links.create({ url: "https://example.com/read", folderId: read.id });
  const inNone = await owner.dub.links.create({ url: "https://example.com/none", folderId: none.id });
  return { workspaceId, key, workspace, owner, member, folders: { write, read, none }, inRead, inNone };
}

async function http(key: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.origin}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

describe("a member's key on folders", () => {
  test("creates links only in folders it may write; Dub's 403 otherwise, 404 for no folder", async () => {
    const { member, folders } = await team();
    const made = await member.dub.links.create({ url: "https://example.com/w", folderId: folders.write.id });
    assert.equal(made.folderId, folders.write.id);
    assert.equal(made.userId, member.id, "the link carries the user the key acts as");
    for (const folder of [folders.read, folders.none]) {
      const refused = await rejection(
        member.dub.links.create({ url: "https://example.com/x", folderId: folder.id }),
        403,
      );
      assert.equal(refused.message, FORBIDDEN);
    }
    const missing = await rejection(
      member.dub.links.create({ url: "https://example.com/x", folderId: "fold_nothing" }),
      404,
    );
    assert.equal(missing.message, "Folder not found.");
  });

  test("reads links of a read-only folder but may not change, move or delete them; a folder without access is closed", async () => {
    const { member, folders, inRead, inNone } = await team();
    assert.equal((await member.dub.links.get({ linkId: inRead.id })).id, inRead.id);
    assert.equal((await rejection(member.dub.links.get({ linkId: inNone.id }), 403)).message, FORBIDDEN);
    for (const link of [inRead, inNone]) {
      for (const call of [
        () => member.dub.links.update(link.id, { url: "https://google.com" }),
        () => member.dub.links.delete(link.id),
      ]) {
        assert.equal((await rejection(call(), 403)).message, FORBIDDEN);
      }
    }
    const loose = await member.dub.links.create({ url: "https://example.com/loose" });
    for (const folder of [folders.read, folders.none]) {
      const moved = await rejection(member.dub.links.update(loose.id, { folderId: folder.id }), 403);
      assert.equal(moved.message, FORBIDDEN);
    }
    const left = await server.query<{ url: string }>(
      "SELECT url FROM links WHERE id IN (?, ?) ORDER BY url",
      inNone.id,
      inRead.id,
    );
    assert.deepEqual(
      left.map((row) => row.url),
      ["https://example.com/none", "https://example.com/read"],
      "nothing changed",
    );
  });

  test("lists and counts only links it may read; a folder filter on a closed folder is 403", async () => {
    const { member, owner, folders, inRead, inNone } = await team();
    const ids = (await member.dub.links.list({ pageSize: 100 })).result.map((link) => link.id);
    assert.ok(ids.includes(inRead.id));
    assert.ok(!ids.includes(inNone.id));
    assert.equal(await member.dub.links.count({}), 1);
    assert.equal(await owner.dub.links.count({}), 2);
    await rejection(member.dub.links.list({ folderId: folders.none.id }), 403);
    assert.equal((await member.dub.links.list({ folderId: folders.read.id })).result.length, 1);
  });

  test("bulk calls report each refused link in its place and delete none of them", async () => {
    const { member, folders, inRead, inNone } = await team();
    const created = await http(member.key, "POST", "/links/bulk", [
      { url: "https://example.com/a", folderId: folders.read.id },
      { url: "https://example.com/b", folderId: folders.write.id },
      { url: "https://example.com/c", folderId: folders.none.id },
    ]);
    assert.equal(created.status, 200);
    assert.equal(created.body[0].error, `You don't have write access to the folder: ${folders.read.id}`);
    assert.equal(created.body[0].code, "forbidden");
    assert.equal(created.body[1].folderId, folders.write.id);
    assert.equal(created.body[2].error, `You don't have write access to the folder: ${folders.none.id}`);

    const updated = await http(member.key, "PATCH", "/links/bulk", {
      linkIds: [inRead.id, created.body[1].id, inNone.id],
      data: { url: "https://google.com" },
    });
    assert.equal(updated.status, 200);
    assert.deepEqual(
      updated.body.map((item: { error?: string; code?: string; link?: { id: string }; url?: string }) =>
        item.error ? [item.code, item.error, item.link?.id] : [item.url],
      ),
      [
        [
          "forbidden",
          `You don't have permission to move this link to the folder: ${folders.read.id}`,
          inRead.id,
        ],
        ["https://google.com"],
        [
          "forbidden",
          `You don't have permission to move this link to the folder: ${folders.none.id}`,
          inNone.id,
        ],
      ],
    );

    const deleted = await http(member.key, "DELETE", `/links/bulk?linkIds=${inRead.id},${inNone.id}`);
    assert.deepEqual(deleted, { status: 200, body: { deletedCount: 0 } });
    assert.equal(
      (await server.query("SELECT id FROM links WHERE id IN (?, ?)", inRead.id, inNone.id)).length,
      2,
    );
  });

  test("sees the folders it may read; changes only the folders it owns, its own included when closed to others", async () => {
    const { member, owner, folders } = await team();
    const names = (await member.dub.folders.list({})).map((folder) => folder.name).sort();
    assert.deepEqual(names, ["Read", "Write"]);
    await rejection(http(member.key, "GET", `/folders/${folders.none.id}`), 403);
    assert.equal((await http(member.key, "GET", `/folders/${folders.read.id}`)).status, 200);
    for (const folder of [folders.write, folders.read]) {
      await rejection(member.dub.folders.update(folder.id, { name: "Mine now" }), 403);
      await rejection(member.dub.folders.delete(folder.id), 403);
    }
    const own = await member.dub.folders.create({ name: "Member's own", accessLevel: null });
    const link = await member.dub.links.create({ url: "https://example.com/own", folderId: own.id });
    assert.equal((await member.dub.folders.update(own.id, { name: "Renamed" })).name, "Renamed");
    assert.ok((await member.dub.folders.list({})).some((folder) => folder.id === own.id));
    assert.ok((await owner.dub.links.get({ linkId: link.id })).id, "a workspace owner sees every folder");
    await member.dub.folders.delete(own.id);
    assert.equal(
      (await server.query("SELECT 1 FROM folder_users WHERE folder_id = ?", own.id)).length,
      0,
      "the folder's user roles go with it",
    );
  });
});

describe("a member's own role on a folder", () => {
  test("wins over the access level; only who may change the folder gives it, and only to a member", async () => {
    const { member, owner, folders, inNone } = await team();
    const give = (key: string, role: string | null, userId = member.id) =>
      http(key, "PATCH", `/folders/${folders.none.id}/users`, { userId, role });
    await rejection(give(member.key, "owner"), 403);
    assert.deepEqual((await give(owner.key, "viewer")).body, {
      folderId: folders.none.id,
      userId: member.id,
      role: "viewer",
    });
    assert.equal((await member.dub.links.get({ linkId: inNone.id })).id, inNone.id);
    await rejection(member.dub.links.update(inNone.id, { url: "https://google.com" }), 403);
    await give(owner.key, "editor");
    assert.match(
      (await member.dub.links.update(inNone.id, { url: "https://google.com" })).url,
      /^https:\/\/google\.com/,
    );
    await rejection(member.dub.folders.update(folders.none.id, { name: "Taken" }), 403);
    await give(owner.key, null);
    await rejection(member.dub.links.get({ linkId: inNone.id }), 403);
    await rejection(give(owner.key, "viewer", "usr_nobody"), 404);
    await rejection(give(owner.key, "admin"), 422);
  });
});

describe("a member's analytics and events", () => {
  test("count, group and list only the events of links in folders the member may read; naming a closed folder or its link is 403", async () => {
    const { workspaceId, key, owner, member, folders } = await team();
    const tag = `fa${Math.random().toString(36).slice(2, 8)}`;
    const tracked = async (name: string, folderId?: string) => {
      const link = await owner.dub.links.create({
        url: `https://example.com/${name}`,
        key: `${tag}-${name}`,
        trackConversion: true,
        folderId,
      });
      await clickIdFor(server, link.key);
      return link;
    };
    const inRead = await tracked("read", folders.read.id);
    const inNone = await tracked("none", folders.none.id);
    const loose = await tracked("loose");
    const clicks = async (who: string, query = "") => {
      const answer = await http(who, "GET", `/analytics?event=clicks&groupBy=count&interval=24h${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.clicks;
    };
    const listed = async (who: string, query = "") => {
      const answer = await http(who, "GET", `/events?event=clicks&interval=24h${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.map((event: Json) => event.link.id).sort();
    };

    assert.equal(await clicks(key), 3, "the workspace's own key counts every folder");
    assert.equal(await clicks(owner.key), 3, "an owner too");
    assert.equal(await clicks(member.key), 2, "a member: not the closed folder's link");
    assert.deepEqual(await listed(member.key), [inRead.id, loose.id].sort());
    assert.deepEqual(await listed(owner.key), [inRead.id, inNone.id, loose.id].sort());
    const topLinks = await http(member.key, "GET", "/analytics?event=clicks&groupBy=top_links&interval=24h");
    assert.deepEqual(topLinks.body.map((row: Json) => row.id).sort(), [inRead.id, loose.id].sort());
    const topFolders = await http(
      member.key,
      "GET",
      "/analytics?event=clicks&groupBy=top_folders&interval=24h",
    );
    assert.deepEqual(
      topFolders.body.map((row: Json) => row.folder.id),
      [folders.read.id],
    );

    assert.equal(await clicks(member.key, `&folderId=${folders.read.id}`), 1);
    assert.equal(await clicks(member.key, `&linkId=${inRead.id}`), 1);
    assert.equal(
      await clicks(member.key, `&folderId=-${folders.read.id}`),
      1,
      "excluding: the loose link only",
    );
    for (const path of [
      `/analytics?event=clicks&groupBy=count&folderId=${folders.none.id}`,
      `/events?event=clicks&folderId=${folders.none.id}`,
      `/events/export?event=clicks&folderId=${folders.none.id}`,
      `/analytics?event=clicks&groupBy=timeseries&linkId=${inNone.id}`,
      `/events?event=clicks&linkId=${inNone.id}`,
    ]) {
      const refused = await rejection(http(member.key, "GET", path), 403, { what: path });
      assert.equal(refused.message, FORBIDDEN);
    }
    const csv = await fetch(`${server.origin}/api/events/export?event=clicks&interval=24h`, {
      headers: { authorization: `Bearer ${member.key}` },
    }).then((response) => response.text());
    assert.ok(csv.includes(inRead.key) && csv.includes(loose.key), csv);
    assert.ok(!csv.includes(inNone.key), "the export leaves the closed folder out");

    // The member's session answers as their key does; a role of their own on the folder opens it.
    const { browser } = await signedInUser(server, "member", workspaceId);
    const viaSession = await browser.json(
      "GET",
      `/api/analytics?event=clicks&groupBy=count&interval=24h&workspaceId=${workspaceId}`,
    );
    assert.equal(viaSession.clicks, 2);
    await http(owner.key, "PATCH", `/folders/${folders.none.id}/users`, {
      userId: member.id,
      role: "viewer",
    });
    assert.equal(await clicks(member.key), 3);
    assert.deepEqual(await listed(member.key, `&folderId=${folders.none.id}`), [inNone.id]);
  });
});

describe("owners and the workspace's own keys", () => {
  test("have every folder; a link carries the user a key acts as, null for the workspace's key", async () => {
    const { workspace, owner, folders, inNone } = await team();
    for (const dub of [workspace, owner.dub]) {
      const link = await dub.links.create({ url: "https://example.com/o", folderId: folders.none.id });
      await dub.links.update(link.id, { folderId: folders.read.id });
      await dub.links.delete(link.id);
      assert.equal((await dub.links.get({ linkId: inNone.id })).id, inNone.id);
      assert.equal((await dub.folders.list({})).length, 3);
    }
    assert.equal((await workspace.links.create({ url: "https://example.com/k" })).userId, null);
    assert.equal((await owner.dub.links.create({ url: "https://example.com/u" })).userId, owner.id);
    assert.equal(inNone.userId, owner.id);
    const stored = await server.one<{ user_id: string | null }>(
      "SELECT user_id FROM links WHERE id = ?",
      inNone.id,
    );
    assert.equal(stored?.user_id, owner.id);
  });

  test("a key made in the dashboard acts as its maker; a session is its user; counts group by user", async () => {
    const ws = await server.newWorkspace();
    const { browser, userId } = await signedInUser(server, "owner", ws.workspaceId);
    const at = `?workspaceId=${ws.workspaceId}`;
    const { key } = await browser.json("POST", `/api/tokens${at}`, { body: { name: "mine" } });
    assert.equal((await server.sdk(key).links.create({ url: "https://example.com/d" })).userId, userId);
    const bySession = await browser.json("POST", `/api/links${at}`, {
      body: { url: "https://example.com/s" },
    });
    assert.equal(bySession.userId, userId);
    await server.sdk(ws.key).links.create({ url: "https://example.com/w" });
    const grouped = await http(ws.key, "GET", "/links/count?groupBy=userId");
    assert.deepEqual(grouped.body, [
      { userId, _count: 2 },
      { userId: null, _count: 1 },
    ]);
  });

  test("a member removed from the workspace: their key stops working", async () => {
    const { workspaceId, member, owner } = await team();
    await member.dub.links.list({});
    await server.services.memberships.remove(
      { workspaceId, keyId: "test", scopes: null, userId: owner.id, role: "owner" },
      workspaceId,
      member.id,
    );
    await rejection(member.dub.links.list({}), 401);
  });
});
