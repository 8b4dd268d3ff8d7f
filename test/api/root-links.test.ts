// A custom domain's root link (ADR 24): Dub's `_root` link, read with `GET /links/info?domain=` and by its id,
// which stands for the domain's landing settings and cannot be deleted — singly (Dub's 403) or in bulk (skipped).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

let domains = 0;
const fresh = () => `root-${Date.now().toString(36)}-${++domains}.example.com`;

describe("a domain's root link", () => {
  test("is the domain's landing page as a Link, by domain and by id; the default domain has none", async () => {
    const dub = server.sdk();
    const slug = fresh();
    const domain = await dub.domains.create({ slug, placeholder: "https://example.com/welcome" });
    const root = await dub.links.get({ domain: slug });
    assert.equal(root.key, "_root");
    assert.equal(root.domain, slug);
    assert.equal(root.url, "https://example.com/welcome");
    assert.equal(root.shortLink, `http://${slug}`);
    assert.equal(root.createdAt, domain.createdAt ?? root.createdAt);
    assert.deepEqual(await dub.links.get({ linkId: root.id }), root);
    const bare = await dub.domains.create({ slug: fresh() });
    assert.equal((await dub.links.get({ domain: bare.slug })).url, "");
    await rejection(dub.links.get({ domain: server.host }), 404);
    const listed = (await dub.links.list({ domain: slug })).result;
    assert.deepEqual(listed, [], "root links are not listed");
  });

  test("cannot be deleted or edited as a link; a bulk delete skips it and deletes the rest", async () => {
    const dub = server.sdk();
    const slug = fresh();
    await dub.domains.create({ slug });
    const root = await dub.links.get({ domain: slug });
    const refused = await rejection(dub.links.delete(root.id), 403);
    assert.equal(
      refused.message,
      "You can't delete a custom domain link. You can delete the domain instead.",
    );
    await rejection(dub.links.update(root.id, { url: "https://example.com/elsewhere" }), 403);
    const normal = await dub.links.create({ url: "https://example.com/n", domain: slug });
    assert.deepEqual(await dub.links.deleteMany({ linkIds: [root.id, normal.id] }), { deletedCount: 1 });
    assert.equal((await dub.links.get({ linkId: root.id })).id, root.id);
    await rejection(dub.links.get({ linkId: normal.id }), 404);
  });

  test("another workspace cannot see it, and it goes with its domain; `_root` is no key anyone can take", async () => {
    const dub = server.sdk();
    const slug = fresh();
    await dub.domains.create({ slug });
    const root = await dub.links.get({ domain: slug });
    const other = server.sdk((await server.newWorkspace()).key);
    await rejection(other.links.get({ linkId: root.id }), 404);
    await rejection(other.links.get({ domain: slug }), 404);
    await rejection(dub.links.create({ url: "https://example.com/", domain: slug, key: "_root" }), 422);
    await dub.domains.delete(slug);
    await rejection(dub.links.get({ linkId: root.id }), 404);
  });
});
