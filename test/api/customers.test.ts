// The customers API through the official SDK: list (filters, search, sorting, page and cursor pagination,
// expanded fields), get by id or ext_<externalId>, update, and deletion that leaves nothing of the customer
// behind while links, rollups and /events stay consistent. Another workspace sees none of it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Dub } from "dub";
import { clickIdFor, countRows, linkCounters, postRaw, trackedLink, unique } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let dub: Dub;

type Link = Awaited<ReturnType<Dub["links"]["create"]>>;
/** The default workspace: Sam (two sales on link1), Alex (one bigger sale on link2), Zoe (no click), Pat ("100%"). */
const fixture = {} as { link1: Link; link2: Link; sam: string; alex: string; zoe: string; pat: string };

before(async () => {
  server = await startServer({ TRUST_PROXY: "true", WEBHOOK_ALLOW_PRIVATE: "true" });
  dub = server.sdk();
  fixture.link1 = await trackedLink(server);
  fixture.link2 = await trackedLink(server);
  fixture.sam = unique("sam");
  fixture.alex = unique("alex");
  fixture.zoe = unique("zoe");
  fixture.pat = unique("pat");
  await dub.track.lead({
    clickId: await clickIdFor(server, fixture.link1.key, { country: "DE" }),
    eventName: "Sign up",
    customerExternalId: fixture.sam,
    customerName: "Sam Smith",
    customerEmail: "sam@example.com",
    customerAvatar: "https://example.com/sam.png",
  });
  await dub.track.sale({ customerExternalId: fixture.sam, amount: 3000 });
  await dub.track.sale({ customerExternalId: fixture.sam, amount: 2000 });
  await dub.track.lead({
    clickId: await clickIdFor(server, fixture.link2.key, { country: "US" }),
    eventName: "Sign up",
    customerExternalId: fixture.alex,
    customerName: "Alex",
    customerEmail: "ALEX@Example.org",
  });
  await dub.track.sale({ customerExternalId: fixture.alex, amount: 9000 });
  const zoe = await postRaw(
    server,
    "/track/customer",
    JSON.stringify({ customerExternalId: fixture.zoe, customerName: "Zoe" }),
  );
  assert.equal(zoe.status, 200, zoe.text);
  await dub.track.lead({
    clickId: await clickIdFor(server, fixture.link2.key, { country: "US" }),
    eventName: "Sign up",
    customerExternalId: fixture.pat,
    customerName: "Pat 100%",
  });
});
after(async () => server?.stop());

const listAll = async (request: Parameters<Dub["customers"]["list"]>[0] = {}, sdk = dub) =>
  (await sdk.customers.list(request)).result;
const externalIds = async (request: Parameters<Dub["customers"]["list"]>[0] = {}, sdk = dub) =>
  (await listAll(request, sdk)).map((customer) => customer.externalId);

// biome-ignore lint/suspicious/noExplicitAny: raw JSON answers, asserted field by field
type Json = any;

async function rawGet(path: string, key = server.key): Promise<Json> {
  const response = await fetch(`${server.origin}/api${path}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(response.status, 200);
  return response.json();
}

describe("GET /customers", () => {
  test("Dub's CustomerSchema, newest first; without includeExpandedFields no link keys", async () => {
    const customers = await listAll();
    assert.deepEqual(
      customers.map((customer) => customer.externalId),
      [fixture.pat, fixture.zoe, fixture.alex, fixture.sam],
    );
    const sam = customers[3];
    assert.match(sam.id, /^cus_/);
    assert.equal(sam.name, "Sam Smith");
    assert.equal(sam.email, "sam@example.com");
    assert.equal(sam.avatar, "https://example.com/sam.png");
    assert.equal(sam.country, "DE");
    assert.equal(sam.sales, 2);
    assert.equal(sam.saleAmount, 5000);
    assert.ok(sam.firstSaleAt && Date.parse(sam.firstSaleAt) >= Date.parse(sam.createdAt));
    assert.equal(sam.stripeCustomerId, null);
    assert.equal(sam.subscriptionCanceledAt, null);
    const [raw] = await rawGet(`/customers?externalId=${fixture.zoe}`);
    assert.deepEqual(Object.keys(raw).sort(), [
      "avatar",
      "country",
      "createdAt",
      "email",
      "externalId",
      "firstSaleAt",
      "id",
      "name",
      "saleAmount",
      "sales",
      "stripeCustomerId",
      "subscriptionCanceledAt",
    ]);
    assert.equal(raw.firstSaleAt, null);
  });

  test("includeExpandedFields adds the referral link, and null partner, program and discount", async () => {
    const customers = await listAll({ includeExpandedFields: true });
    const sam = customers.find((customer) => customer.externalId === fixture.sam);
    assert.deepEqual(sam?.link, {
      id: fixture.link1.id,
      domain: fixture.link1.domain,
      key: fixture.link1.key,
      shortLink: fixture.link1.shortLink,
      url: fixture.link1.url,
      programId: null,
    });
    assert.equal(sam?.partner, null);
    assert.equal(sam?.discount, null);
    assert.equal(sam?.programId, null);
    assert.equal(customers.find((customer) => customer.externalId === fixture.zoe)?.link, null);
  });

  test("email and externalId match exactly, email first; search is case-insensitive over name, email, externalId", async () => {
    assert.deepEqual(await externalIds({ email: "sam@example.com" }), [fixture.sam]);
    assert.deepEqual(await externalIds({ email: "SAM@example.com" }), []);
    assert.deepEqual(await externalIds({ externalId: fixture.alex }), [fixture.alex]);
    assert.deepEqual(await externalIds({ email: "sam@example.com", externalId: fixture.alex }), [
      fixture.sam,
    ]);
    assert.deepEqual(await externalIds({ search: "sMiTh" }), [fixture.sam]);
    assert.deepEqual(await externalIds({ search: "example.ORG" }), [fixture.alex]);
    assert.deepEqual(await externalIds({ search: fixture.zoe.toUpperCase() }), [fixture.zoe]);
    assert.deepEqual(await externalIds({ search: "%" }), [fixture.pat]);
    assert.deepEqual(await externalIds({ search: "_" }), []);
    assert.deepEqual(await externalIds({ externalId: fixture.alex, search: "sam" }), [fixture.alex]);
  });

  test("country and linkId filter; partner programs match nothing", async () => {
    assert.deepEqual(await externalIds({ country: "DE" }), [fixture.sam]);
    assert.deepEqual(await externalIds({ linkId: fixture.link2.id }), [fixture.pat, fixture.alex]);
    assert.deepEqual(await externalIds({ programId: "prog_1" }), []);
    assert.deepEqual(await externalIds({ partnerId: "pn_1" }), []);
  });

  test("sortBy saleAmount and firstSaleAt (never-sold customers as the smallest), either order", async () => {
    assert.deepEqual((await externalIds({ sortBy: "saleAmount", sortOrder: "desc" })).slice(0, 2), [
      fixture.alex,
      fixture.sam,
    ]);
    assert.deepEqual((await externalIds({ sortBy: "saleAmount", sortOrder: "asc" })).slice(2), [
      fixture.sam,
      fixture.alex,
    ]);
    assert.deepEqual((await externalIds({ sortBy: "firstSaleAt", sortOrder: "asc" })).slice(2), [
      fixture.sam,
      fixture.alex,
    ]);
    assert.deepEqual((await externalIds({ sortBy: "firstSaleAt", sortOrder: "desc" })).slice(0, 2), [
      fixture.alex,
      fixture.sam,
    ]);
    assert.deepEqual(await externalIds({ sortOrder: "asc" }), [
      fixture.sam,
      fixture.alex,
      fixture.zoe,
      fixture.pat,
    ]);
  });

  test("page and pageSize; the SDK's iterator walks every page once by startingAfter; endingBefore", async () => {
    const all = await externalIds();
    const paged = [
      ...(await externalIds({ pageSize: 3, page: 1 })),
      ...(await externalIds({ pageSize: 3, page: 2 })),
    ];
    assert.deepEqual(paged, all);
    assert.deepEqual(await externalIds({ pageSize: 3, page: 3 }), []);

    for (const sortBy of ["createdAt", "saleAmount", "firstSaleAt"] as const) {
      const walked: string[] = [];
      let pages = 0;
      for await (const page of await dub.customers.list({ pageSize: 1, sortBy, sortOrder: "asc" })) {
        walked.push(...page.result.map((customer) => customer.externalId));
        pages += 1;
        assert.ok(pages <= 5, "the iterator must end");
      }
      assert.deepEqual(walked, await externalIds({ sortBy, sortOrder: "asc" }));
    }

    const customers = await listAll();
    const before = await rawGet(`/customers?endingBefore=${customers[3].id}&pageSize=2`);
    assert.deepEqual(
      before.map((customer: Json) => customer.externalId),
      [fixture.zoe, fixture.alex],
    );
    await rejection(dub.customers.list({ pageSize: 101 }), 422);
  });
});

describe("GET and PATCH /customers/{id}", () => {
  test("by cus_ id or by ext_<externalId>; unknown is NotFound", async () => {
    const byExternal = await dub.customers.get({ id: `ext_${fixture.sam}` });
    const byId = await dub.customers.get({ id: byExternal.id });
    assert.deepEqual(byId, byExternal);
    assert.equal(byId.externalId, fixture.sam);
    const expanded = await dub.customers.get({ id: byId.id, includeExpandedFields: true });
    assert.equal(expanded.link?.id, fixture.link1.id);
    await rejection(dub.customers.get({ id: "cus_nope" }), 404);
    await rejection(dub.customers.get({ id: "ext_nope" }), 404);
  });

  test("updates name, email, avatar, country and externalId; a taken externalId is a Conflict", async () => {
    const externalId = unique("patched");
    const updated = await dub.customers.update({
      id: `ext_${fixture.zoe}`,
      requestBody: {
        name: "Zoe Z",
        email: "zoe@example.com",
        avatar: "https://example.com/zoe.png",
        country: "fr",
        externalId,
      },
    });
    assert.equal(updated.name, "Zoe Z");
    assert.equal(updated.email, "zoe@example.com");
    assert.equal(updated.avatar, "https://example.com/zoe.png");
    assert.equal(updated.country, "FR");
    assert.equal(updated.externalId, externalId);
    assert.deepEqual(await dub.customers.get({ id: `ext_${externalId}` }), updated);
    await rejection(dub.customers.get({ id: `ext_${fixture.zoe}` }), 404);

    const cleared = await dub.customers.update({ id: updated.id, requestBody: { email: null, name: null } });
    assert.equal(cleared.email, null);
    assert.equal(cleared.name, "Zoe Z");

    await rejection(dub.customers.update({ id: updated.id, requestBody: { externalId: fixture.sam } }), 409);
    await rejection(dub.customers.update({ id: updated.id, requestBody: { email: "not an email" } }), 422);
    await rejection(dub.customers.update({ id: "cus_nope", requestBody: { name: "x" } }), 404);
    await dub.customers.update({ id: updated.id, requestBody: { externalId: fixture.zoe } });
  });

  test("a customers.read key may read but not write", async () => {
    const reader = await server.services.workspaces.createKey({
      workspaceId: server.workspaceId,
      scopes: ["customers.read"],
    });
    const sdk = server.sdk(reader.key);
    assert.equal((await sdk.customers.get({ id: `ext_${fixture.sam}` })).externalId, fixture.sam);
    await rejection(sdk.customers.update({ id: `ext_${fixture.sam}`, requestBody: { name: "x" } }), 403);
    await rejection(sdk.customers.delete(`ext_${fixture.sam}`), 403);
  });
});

describe("DELETE /customers/{id}", () => {
  test("leaves nothing of the customer, takes its events out of the links, and keeps everyone else's", async () => {
    const hook = await postRaw(
      server,
      "/webhooks",
      JSON.stringify({
        name: "crm",
        url: "http://127.0.0.1:9/hook",
        triggers: ["lead.created", "sale.created"],
      }),
    );
    assert.equal(hook.status, 200, hook.text);
    const link1 = await trackedLink(server);
    const link2 = await trackedLink(server);
    const gone = unique("gone");
    const kept = unique("kept");
    const invoiceId = unique("inv");
    await dub.track.lead({
      clickId: await clickIdFor(server, link1.key),
      eventName: "Sign up",
      customerExternalId: gone,
      customerName: "Gone Soon",
      customerEmail: "gone@example.com",
      eventQuantity: 2,
    });
    await dub.track.lead({
      clickId: await clickIdFor(server, link2.key),
      eventName: "Trial",
      customerExternalId: gone,
    });
    await dub.track.sale({ customerExternalId: gone, amount: 4000, invoiceId, leadEventName: "Trial" });
    await dub.track.sale({ customerExternalId: gone, amount: 1500, leadEventName: "Sign up" });
    await dub.track.sale({ customerExternalId: gone, amount: 500, leadEventName: "Sign up" });
    await dub.track.lead({
      clickId: await clickIdFor(server, link1.key),
      eventName: "Sign up",
      customerExternalId: kept,
    });
    await dub.track.sale({ customerExternalId: kept, amount: 900 });

    const customer = await dub.customers.get({ id: `ext_${gone}` });
    const mentions = (table: string) =>
      countRows(server, `select count(*) as n from ${table} where payload like ?`, `%${customer.id}%`);
    assert.ok((await mentions("webhook_messages")) > 0);
    const before1 = await linkCounters(server, link1.id);
    const before2 = await linkCounters(server, link2.id);
    assert.deepEqual(
      { ...before1, clicks: 0 },
      { clicks: 0, leads: 3, sales: 3, sale_amount: 2900, conversions: 2 },
    );
    assert.deepEqual(
      { ...before2, clicks: 0 },
      { clicks: 0, leads: 1, sales: 1, sale_amount: 4000, conversions: 1 },
    );

    assert.deepEqual(await dub.customers.delete(`ext_${gone}`), { id: customer.id });

    for (const table of ["lead_events", "sale_events", "lead_claims"]) {
      assert.equal(
        await countRows(server, `select count(*) as n from ${table} where customer_id = ?`, customer.id),
        0,
        table,
      );
    }
    assert.equal(await countRows(server, "select count(*) as n from customers where id = ?", customer.id), 0);
    assert.equal(
      await countRows(server, "select count(*) as n from sale_invoices where invoice_id = ?", invoiceId),
      0,
    );
    assert.equal(await mentions("webhook_messages"), 0);
    assert.equal(
      await countRows(server, "select count(*) as n from customers where external_id = ?", kept),
      1,
    );
    assert.deepEqual(await linkCounters(server, link1.id), {
      ...before1,
      leads: 1,
      sales: 1,
      sale_amount: 900,
      conversions: 1,
    });
    assert.deepEqual(await linkCounters(server, link2.id), {
      ...before2,
      leads: 0,
      sales: 0,
      sale_amount: 0,
      conversions: 0,
    });
    for (const link of [link1, link2]) await assertRollupsMatchEvents(link.id);

    for (const event of ["leads", "sales"] as const) {
      assert.deepEqual(await dub.events.list({ event, customerId: customer.id }), []);
      const remaining = await dub.events.list({ event, linkId: link1.id });
      assert.equal(remaining.length, 1);
    }
    await rejection(dub.customers.get({ id: customer.id }), 404);
    await rejection(dub.customers.delete(customer.id), 404);

    // The invoice claim went with the customer: the same invoice, for a customer who comes back, is a new sale.
    await dub.track.lead({
      clickId: await clickIdFor(server, link2.key),
      eventName: "Sign up",
      customerExternalId: gone,
    });
    const resent = await dub.track.sale({ customerExternalId: gone, amount: 4000, invoiceId });
    assert.equal(resent.sale?.amount, 4000);
    assert.equal(
      await countRows(server, "select count(*) as n from sale_events where invoice_id = ?", invoiceId),
      1,
    );
  });
});

/** The link's rollup cells (per link and day) total exactly what its stored events add up to. */
async function assertRollupsMatchEvents(linkId: string) {
  const rollups = await server.one<Record<string, number | string | null>>(
    "select sum(leads) as leads, sum(sales) as sales, sum(sale_amount) as sale_amount from rollups where link_id = ? and dimension = 'all' and hours = 24",
    linkId,
  );
  const leads = await countRows(server, "select count(*) as n from lead_events where link_id = ?", linkId);
  const sales = await server.one<Record<string, number | string | null>>(
    "select count(*) as sales, sum(case when converted = 1 then amount else 0 end) as sale_amount from sale_events where link_id = ?",
    linkId,
  );
  assert.deepEqual(
    {
      leads: Number(rollups?.leads ?? 0),
      sales: Number(rollups?.sales ?? 0),
      amount: Number(rollups?.sale_amount ?? 0),
    },
    { leads, sales: Number(sales?.sales ?? 0), amount: Number(sales?.sale_amount ?? 0) },
  );
}

describe("another workspace", () => {
  test("lists none of these customers, and cannot get, update or delete one", async () => {
    const theirs = await server.newWorkspace();
    const sdk = server.sdk(theirs.key);
    assert.deepEqual(await listAll({}, sdk), []);
    assert.deepEqual(await listAll({ search: "sam" }, sdk), []);
    const sam = await dub.customers.get({ id: `ext_${fixture.sam}` });
    await rejection(sdk.customers.get({ id: sam.id }), 404);
    await rejection(sdk.customers.get({ id: `ext_${fixture.sam}` }), 404);
    await rejection(sdk.customers.update({ id: sam.id, requestBody: { name: "Mine" } }), 404);
    await rejection(sdk.customers.delete(sam.id), 404);
    await rejection(sdk.customers.list({ startingAfter: sam.id }), 400);
    assert.deepEqual(await dub.customers.get({ id: sam.id }), sam);
  });
});
