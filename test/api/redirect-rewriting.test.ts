import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rejection } from "../helpers/rejection.js";
import { requestWithHost, startServer, type TestServer, visit } from "../helpers/server.js";

const location = (response: Response) => {
  const value = response.headers.get("location");
  assert.ok(value, `expected a Location header (status ${response.status})`);
  return new URL(value);
};

const clickIds = async (server: TestServer, linkId: string) =>
  (
    await server.query<{ id: string }>(
      "select id from clicks where link_id = ? order by timestamp, id",
      linkId,
    )
  ).map((row) => row.id);

/** Each visit comes from its own address (TEST-NET-3), so the per-visitor dedupe never joins two visits. */
let nextAddress = 0;
const freshIp = () => {
  nextAddress += 1;
  return `203.0.113.${nextAddress}`;
};
const from = (ip: string, headers: Record<string, string> = {}) => ({
  headers: { "x-forwarded-for": ip, ...headers },
});

let server: TestServer;

before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
});
after(async () => {
  await server?.stop();
});

describe("destinations rewritten for payment and app attribution", () => {
  test("a Stripe Payment Link marked dub_client_reference_id=1 gets client_reference_id=dub_id_<the click's id>", async () => {
    const link = await server.sdk().links.create({
      url: "https://buy.stripe.com/test_28o03OcIgcfOfaE3cg?dub_client_reference_id=1",
      key: "stripe-checkout",
      trackConversion: true,
    });
    const target = location(await visit(server, "/stripe-checkout", from(freshIp())));
    assert.equal(`${target.origin}${target.pathname}`, "https://buy.stripe.com/test_28o03OcIgcfOfaE3cg");
    assert.equal(target.searchParams.has("dub_client_reference_id"), false);
    assert.equal(target.searchParams.has("dub_id"), false);
    assert.deepEqual(
      [`dub_id_${(await clickIds(server, link.id))[0]}`],
      target.searchParams.getAll("client_reference_id"),
    );
  });

  test("a Play Store link gets the install referrer with its deepLink and the click id", async () => {
    const link = await server.sdk().links.create({
      url: "https://play.google.com/store/apps/details?id=com.example.app&referrer=utm_source%3Dgoogle",
      key: "gps",
      trackConversion: true,
    });
    const target = location(await visit(server, "/gps?utm_campaign=spring", from(freshIp())));
    assert.equal(target.searchParams.get("id"), "com.example.app");
    const referrer = new URLSearchParams(decodeURIComponent(target.searchParams.get("referrer") ?? ""));
    assert.equal(referrer.get("utm_source"), "google");
    assert.equal(referrer.get("deepLink"), `${link.shortLink}?utm_campaign=spring`);
    const [clickId] = await clickIds(server, link.id);
    assert.equal(referrer.get("dub_id"), clickId);
    assert.equal(target.searchParams.get("dub_id"), clickId);
  });

  test("AppsFlyer and Singular links get the click id, the visitor's User-Agent and address", async () => {
    const onelink = await server.sdk().links.create({
      url: "https://example.onelink.me/AbCd?pid=clicktrail&c=spring",
      key: "onelink",
      trackConversion: true,
    });
    const singular = await server.sdk().links.create({
      url: "https://example.sng.link/Dx1/abc?wpcl={dub_id}&wpcn={via}",
      key: "singular",
      trackConversion: true,
    });
    const appsflyerIp = freshIp();
    const af = location(await visit(server, "/onelink", from(appsflyerIp)));
    assert.equal(af.searchParams.get("c"), "spring");
    assert.equal(af.searchParams.get("clickid"), (await clickIds(server, onelink.id))[0]);
    assert.equal(af.searchParams.get("af_ip"), appsflyerIp);
    assert.match(af.searchParams.get("af_ua") ?? "", /^Mozilla\/5\.0/);

    const singularIp = freshIp();
    const sng = location(await visit(server, "/singular", from(singularIp)));
    const [clickId] = await clickIds(server, singular.id);
    assert.equal(sng.searchParams.get("cl"), clickId);
    assert.equal(sng.searchParams.get("wpcl"), clickId);
    assert.equal(sng.searchParams.get("wpcn"), "");
    assert.equal(sng.searchParams.get("ip"), singularIp);
  });

  test("a visitor's parameter replaces the link's own where it stands", async () => {
    await server.sdk().links.create({
      url: "https://www.checklyhq.com/?utm_source=dub&utm_medium=social&utm_campaign=checks",
      key: "checkly-check-passthrough",
    });
    const response = await visit(server, "/checkly-check-passthrough?utm_source=checkly", from(freshIp()));
    assert.equal(
      response.headers.get("location"),
      "https://www.checklyhq.com/?utm_source=checkly&utm_medium=social&utm_campaign=checks",
    );
  });

  test("redir_url is followed to a page of the destination's own host, and ignored elsewhere", async () => {
    await server.sdk().links.create({ url: "https://dub.co/", key: "redir-url-test" });
    const same = await visit(server, "/redir-url-test?redir_url=https://dub.co/blog", from(freshIp()));
    assert.equal(same.status, 302);
    assert.equal(same.headers.get("location"), "https://dub.co/blog");
    for (const elsewhere of [
      "https://evil.example/phish",
      "javascript:alert(1)",
      "https://dub.co.evil.example/",
    ]) {
      const response = await visit(
        server,
        `/redir-url-test?redir_url=${encodeURIComponent(elsewhere)}`,
        from(freshIp()),
      );
      assert.equal(response.headers.get("location"), "https://dub.co/", elsewhere);
    }
  });
});

describe("the dub_id_<domain>_<key> cookie", () => {
  const cookieOf = (response: Response) => {
    const line = response.headers.getSetCookie().find((value) => value.startsWith("dub_id_"));
    assert.ok(line, "expected a dub_id_ cookie");
    const [pair, ...attributes] = line.split(";").map((part) => part.trim());
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), attributes, pair };
  };

  test("a tracked redirect sets it (value = the click id, one hour, the link's path); brought back it keeps the click id", async () => {
    const link = await server.sdk().links.create({
      url: "https://example.com/remember",
      key: "remember-me",
      trackConversion: true,
    });
    const first = await visit(server, "/remember-me", from(freshIp()));
    const cookie = cookieOf(first);
    const dubId = location(first).searchParams.get("dub_id");
    assert.equal(cookie.name, `dub_id_${link.domain}_remember-me`);
    assert.equal(cookie.value, dubId);
    assert.ok(cookie.attributes.includes("Path=/remember-me"));
    assert.ok(cookie.attributes.includes("Max-Age=3600"));

    // Another address (a phone changing networks): only the cookie says it is the same browser.
    const again = await visit(server, "/remember-me", from(freshIp(), { cookie: cookie.pair }));
    assert.equal(location(again).searchParams.get("dub_id"), dubId);
    assert.equal(cookieOf(again).value, dubId);
    assert.deepEqual(await clickIds(server, link.id), [dubId]);
    assert.equal((await server.sdk().links.get({ linkId: link.id })).clicks, 1);
  });

  test("a cookie naming no click of this link is ignored: the visit is a new click", async () => {
    const link = await server
      .sdk()
      .links.create({ url: "https://example.com/a", key: "cookie-a", trackConversion: true });
    const other = await server
      .sdk()
      .links.create({ url: "https://example.com/b", key: "cookie-b", trackConversion: true });
    const otherId = location(await visit(server, "/cookie-b", from(freshIp()))).searchParams.get("dub_id");
    for (const value of [otherId, "notAClickId12345", "bad value;"]) {
      const response = await visit(
        server,
        "/cookie-a",
        from(freshIp(), { cookie: `dub_id_${link.domain}_cookie-a=${value}` }),
      );
      const dubId = location(response).searchParams.get("dub_id");
      assert.notEqual(dubId, value);
      assert.equal(cookieOf(response).value, dubId);
    }
    assert.equal((await clickIds(server, link.id)).length, 3);
    assert.equal((await clickIds(server, other.id)).length, 1);
  });

  test("a non-ASCII key redirects and its cookie is percent-encoded where a header cannot carry it", async () => {
    const link = await server.sdk().links.create({
      url: "https://youtu.be/9bZkp7q19f0",
      key: "한글링크테스트",
      trackConversion: true,
    });
    const response = await visit(server, `/${encodeURIComponent("한글링크테스트")}`, from(freshIp()));
    assert.equal(response.status, 302);
    const cookie = cookieOf(response);
    assert.equal(cookie.name, `dub_id_${link.domain}_${encodeURIComponent("한글링크테스트")}`);
    assert.equal(cookie.value, location(response).searchParams.get("dub_id"));
    assert.ok(cookie.attributes.includes(`Path=/${encodeURIComponent("한글링크테스트")}`));
    const again = await visit(
      server,
      `/${encodeURIComponent("한글링크테스트")}`,
      from(freshIp(), { cookie: cookie.pair }),
    );
    assert.equal(location(again).searchParams.get("dub_id"), cookie.value);
    assert.equal((await clickIds(server, link.id)).length, 1);
  });

  test("an untracked visit sets no cookie", async () => {
    await server.sdk().links.create({ url: "https://example.com/quiet", key: "quiet" });
    const response = await visit(server, "/quiet?dub-no-track=1", from(freshIp()));
    assert.equal(response.status, 302);
    assert.deepEqual(response.headers.getSetCookie(), []);
  });
});

describe("nested keys", () => {
  test("links.create with key docs/setup through the dub SDK, then GET /docs/setup redirects and sets the cookie on that path", async () => {
    const created = await server.sdk().links.create({
      url: "https://example.com/setup-guide",
      key: "docs/setup",
      trackConversion: true,
    });
    assert.equal(created.key, "docs/setup");
    assert.equal(created.shortLink, `${new URL(created.shortLink).origin}/docs/setup`);
    const response = await visit(server, "/docs/setup", from(freshIp()));
    assert.equal(response.status, 302);
    const target = location(response);
    assert.equal(`${target.origin}${target.pathname}`, "https://example.com/setup-guide");
    assert.deepEqual(await clickIds(server, created.id), [target.searchParams.get("dub_id")]);
    const cookie = response.headers
      .getSetCookie()
      .find((line) => line.startsWith(`dub_id_${created.domain}_docs/setup=`));
    assert.ok(cookie);
    assert.match(cookie, /; Path=\/docs\/setup;/);

    const found = await server.sdk().links.get({ domain: created.domain, key: "docs/setup" });
    assert.equal(found.id, created.id);
    assert.equal((await visit(server, "/docs", from(freshIp()))).status, 404);
  });

  test("a nested key a browser cannot reach, or under the server's own folders, is refused", async () => {
    for (const key of ["docs//setup", "/docs", "docs/", "docs/../setup", "api/links", "app/x"]) {
      await rejection(server.sdk().links.create({ url: "https://example.com/x", key }), 422);
    }
  });

  test("paths with empty or dot segments and the API's own paths never reach a link", async () => {
    await server.sdk().links.create({ url: "https://example.com/n", key: "deep/nested/key" });
    assert.equal((await visit(server, "/deep/nested/key", from(freshIp()))).status, 302);
    // a trailing slash is ignored on every route of the server, keys included
    assert.equal((await visit(server, "/deep/nested/key/", from(freshIp()))).status, 302);
    const host = new URL(server.origin).host;
    for (const path of [
      "/deep//nested/key",
      "//deep/nested/key",
      "/deep/./nested/key",
      "/deep/x/../nested/key",
    ]) {
      const response = await requestWithHost(server, path, host);
      assert.equal(response.status, 404, path);
      assert.equal(response.location, undefined, path);
    }
    const api = await visit(server, "/api/links/nowhere");
    assert.equal(api.headers.get("location"), null);
    await rejection(api, 401);
  });
});
