// The seed-era Go SDK (dub-go 0.9.7–0.11.0) on the wire: the exact request bytes it sends, and the union
// responses it decodes, as recorded from that SDK's generated models.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { countRows, customerRow, linkWithClick, postRaw, rawRequest, unique } from "../helpers/journey.js";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
before(async () => {
  server = await startServer({ TRUST_PROXY: "true" });
});
after(() => server.stop());

const LINK_KEYS = [
  "domain",
  "externalId",
  "id",
  "key",
  "partnerId",
  "programId",
  "shortLink",
  "tenantId",
  "url",
];
const CUSTOMER_KEYS = ["avatar", "email", "externalId", "id", "name"];
const SALE_KEYS = ["amount", "currency", "invoiceId", "metadata", "paymentProcessor"];

/** The seed SDK's success test: status exactly 200 and a JSON media type. */
function assertSeedSuccess(response: { status: number; contentType: string; text: string }) {
  assert.equal(response.status, 200, response.text);
  assert.equal(response.contentType.split(";")[0].trim(), "application/json");
  return JSON.parse(response.text);
}

const SEED_UA = { "user-agent": "speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go" };

const seedLeadBody = (clickId: string, customerId: string) =>
  `{"clickId":"${clickId}","customerAvatar":null,"customerEmail":null,"customerId":"${customerId}","customerName":null,"eventName":"Sign up"}`;

const seedSaleBody = (customerId: string) =>
  `{"amount":996500,"currency":"usd","customerId":"${customerId}","eventName":"Purchase","invoiceId":null,"paymentProcessor":"shopify"}`;

describe("seed-era Track.Lead and Track.Sale", () => {
  test("the seed lead body (customerId, no mode) tracks the lead and answers every key of the union shape", async () => {
    const { link, clickId } = await linkWithClick(server);
    const customerId = unique("seed");
    const body = assertSeedSuccess(
      await postRaw(server, "/track/lead", seedLeadBody(clickId, customerId), server.key, SEED_UA),
    );

    assert.deepEqual(Object.keys(body).sort(), ["click", "customer", "link"]);
    assert.deepEqual(body.click, { id: clickId });
    assert.deepEqual(Object.keys(body.link).sort(), LINK_KEYS);
    assert.equal(body.link.id, link.id);
    assert.deepEqual(Object.keys(body.customer).sort(), CUSTOMER_KEYS);
    const stored = await customerRow(server, customerId);
    assert.ok(stored);
    assert.equal(body.customer.id, stored.id);
    assert.match(body.customer.id, /^cus_/);
    assert.equal(body.customer.externalId, customerId);
    assert.equal(typeof body.customer.name, "string");
    assert.equal(body.customer.email, null);
    assert.equal(body.customer.avatar, null);

    // The repeat is a duplicate: link is null but still present.
    const again = assertSeedSuccess(
      await postRaw(server, "/track/lead", seedLeadBody(clickId, customerId), server.key, SEED_UA),
    );
    assert.ok("link" in again);
    assert.equal(again.link, null);
    assert.deepEqual(Object.keys(again.customer).sort(), CUSTOMER_KEYS);
    assert.equal(again.customer.id, stored.id);

    // Then the seed sale body for that customer.
    const sale = assertSeedSuccess(await postRaw(server, "/track/sale", seedSaleBody(customerId)));
    assert.deepEqual(Object.keys(sale).sort(), ["customer", "eventName", "sale"]);
    assert.equal(sale.eventName, "Purchase");
    assert.deepEqual(Object.keys(sale.customer).sort(), CUSTOMER_KEYS);
    assert.equal(sale.customer.id, stored.id);
    assert.equal(sale.customer.externalId, customerId);
    assert.deepEqual(Object.keys(sale.sale).sort(), SALE_KEYS);
    assert.deepEqual(sale.sale, {
      amount: 996500,
      currency: "usd",
      paymentProcessor: "shopify",
      invoiceId: null,
      metadata: null,
    });
    assert.equal(
      (await server.one<{ sale_amount: number }>("select sale_amount from links where id = ?", link.id))
        ?.sale_amount,
      996500,
    );
  });

  test("Go's escaped < and > in request strings are read as the characters", async () => {
    const { clickId } = await linkWithClick(server);
    const customerId = unique("esc");
    const text = `{"clickId":"${clickId}","customerAvatar":null,"customerEmail":null,"customerId":"${customerId}","customerName":"\\u003cAnn\\u003e","eventName":"Sign up"}`;
    const body = assertSeedSuccess(await postRaw(server, "/track/lead", text, server.key, SEED_UA));
    assert.equal(body.customer.name, "<Ann>");
  });

  test("the intermediate externalId field names the customer too", async () => {
    const { clickId } = await linkWithClick(server);
    const externalId = unique("ext");
    const lead = assertSeedSuccess(
      await postRaw(
        server,
        "/track/lead",
        JSON.stringify({ clickId, eventName: "Sign up", externalId, customerId: null }),
      ),
    );
    assert.equal(lead.customer.externalId, externalId);
    assert.ok(await customerRow(server, externalId));
    const sale = assertSeedSuccess(
      await postRaw(
        server,
        "/track/sale",
        JSON.stringify({ externalId, amount: 500, paymentProcessor: "stripe" }),
      ),
    );
    assert.equal(sale.customer.externalId, externalId);
    assert.equal(sale.sale.amount, 500);
  });

  test("without customerExternalId, externalId or customerId both routes answer 400 customerExternalId is required", async () => {
    const { clickId } = await linkWithClick(server);
    const bodies: [string, unknown][] = [
      ["/track/lead", { clickId, eventName: "Sign up" }],
      [
        "/track/lead",
        { clickId, eventName: "Sign up", customerExternalId: "", externalId: null, customerId: "  " },
      ],
      ["/track/sale", { amount: 100, paymentProcessor: "stripe" }],
      ["/track/sale", { amount: 100, customerId: "" }],
    ];
    for (const [path, body] of bodies) {
      const error = await rejection(postRaw(server, path, JSON.stringify(body)), 400);
      assert.equal(error.message, "customerExternalId is required", `${path} ${JSON.stringify(body)}`);
    }
    assert.equal(
      await countRows(server, "select count(*) as n from lead_events where click_id = ?", clickId),
      0,
    );
  });

  test("an unknown seed customer on /track/sale answers 200 with customer and sale null", async () => {
    const body = assertSeedSuccess(await postRaw(server, "/track/sale", seedSaleBody(unique("nobody"))));
    assert.deepEqual(body, { eventName: "Purchase", customer: null, sale: null });
  });
});

describe("seed-era Track.Customer", () => {
  test("Track.Customer(ctx, nil): no body and an empty Content-Type header is a JSON 400 bad_request", async () => {
    const response = await rawRequest(`${server.origin}/api/track/customer`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${server.key}`,
        Accept: "application/json",
        "Content-Type": "",
        "Content-Length": "0",
        "User-Agent": "speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go",
      },
    });
    await rejection(response, 400);
  });

  test("a customer is created with its details, and a later call updating the email keeps the name", async () => {
    const customerId = unique("c1");
    const created = assertSeedSuccess(
      await postRaw(server, "/track/customer", JSON.stringify({ customerId, customerName: "Ann" })),
    );
    assert.equal(created.customerId, customerId);
    assert.equal(created.customerName, "Ann");
    assert.equal(created.customerEmail, null);
    assert.equal(created.customerAvatar, null);
    assert.ok("customerEmail" in created && "customerAvatar" in created);

    const updated = assertSeedSuccess(
      await postRaw(
        server,
        "/track/customer",
        JSON.stringify({ customerId, customerEmail: "ann@example.com" }),
      ),
    );
    assert.deepEqual(
      {
        customerId: updated.customerId,
        customerName: updated.customerName,
        customerEmail: updated.customerEmail,
        customerAvatar: updated.customerAvatar,
      },
      { customerId, customerName: "Ann", customerEmail: "ann@example.com", customerAvatar: null },
    );
    const stored = await customerRow(server, customerId);
    assert.equal(stored?.name, "Ann");
    assert.equal(stored?.email, "ann@example.com");
    assert.deepEqual(
      { n: await countRows(server, "select count(*) as n from customers where external_id = ?", customerId) },
      { n: 1 },
    );
  });

  test("/track/customer without any customer id is 400 customerExternalId is required", async () => {
    await rejection(postRaw(server, "/track/customer", JSON.stringify({ customerName: "Ann" })), 400, {
      message: "customerExternalId is required",
    });
  });
});

describe("scopes and the error envelope", () => {
  test("a key without conversions.write gets 403 forbidden on every track route", async () => {
    const readOnly = await server.newWorkspace(["links.read"]);
    for (const path of ["/track/lead", "/track/sale", "/track/customer"]) {
      const answer = postRaw(
        server,
        path,
        JSON.stringify({ customerId: "x", clickId: "y", eventName: "Sign up", amount: 1 }),
        readOnly.key,
      );
      await rejection(answer, 403, { message: /conversions\.write/, what: path });
    }
    await rejection(
      server.sdk(readOnly.key).track.lead({ clickId: "y", eventName: "Sign up", customerExternalId: "x" }),
      403,
    );
  });

  test("a key with conversions.write only can track", async () => {
    const writer = await server.newWorkspace(["conversions.write", "links.write"]);
    const { clickId } = await linkWithClick(server, writer.key);
    const lead = await server
      .sdk(writer.key)
      .track.lead({ clickId, eventName: "Sign up", customerExternalId: unique("w") });
    assert.equal(lead.click.id, clickId);
  });

  test("every track error carries Dub's doc_url and the code its status implies", async () => {
    const { clickId } = await linkWithClick(server);
    const cases: [number, string, string, string?][] = [
      [400, "/track/lead", "{not json"],
      [400, "/track/lead", ""],
      [400, "/track/lead", JSON.stringify({ clickId: "", eventName: "Sign up", customerId: unique("none") })],
      [401, "/track/lead", seedLeadBody(clickId, "x"), "dub_notARealKey000000000000"],
      [404, "/track/lead", seedLeadBody("unknownClick0000", unique("x"))],
      [
        404,
        "/track/sale",
        JSON.stringify({ customerId: unique("x"), amount: 1, clickId: "unknownClick0000" }),
      ],
      [404, "/track/nothing-here", "{}"],
      [422, "/track/lead", JSON.stringify({ clickId, customerId: "x" })],
      [422, "/track/sale", JSON.stringify({ customerId: "x", amount: 1.5 })],
      [422, "/track/sale", JSON.stringify({ customerId: "x", amount: 100, currency: "zzz" })],
      [422, "/track/customer", JSON.stringify({ customerId: "x", customerEmail: "not-an-email" })],
    ];
    for (const [status, path, body, token] of cases) {
      const error = await rejection(postRaw(server, path, body, token), status, { what: `${path} ${body}` });
      if (body.includes('"zzz"')) assert.match(error.message, /zzz/);
    }
  });
});
