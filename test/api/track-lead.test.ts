import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { countRows, customerRow, linkCounters, linkWithClick, postRaw, unique } from "../helpers/journey.js";
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

const leadRows = (customerId: string) =>
  server.query<{
    id: string;
    click_id: string;
    link_id: string;
    event_name: string;
    metadata: string | null;
  }>("select * from lead_events where customer_id = ? order by timestamp, id", customerId);

const claims = (customerId: string) =>
  countRows(server, "select count(*) as n from lead_claims where customer_id = ?", customerId);

describe("POST /track/lead through dub.track.lead", () => {
  test("a new customer is created from the click, named after the email, and the lead is counted on the link", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("user");
    const result = await server.sdk().track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId: externalId,
      customerEmail: "ann@example.com",
    });

    assert.equal(result.click.id, clickId);
    assert.ok(result.link);
    assert.deepEqual(Object.keys(result.link).sort(), LINK_KEYS);
    assert.equal(result.link.id, link.id);
    assert.equal(result.link.domain, link.domain);
    assert.equal(result.link.key, link.key);
    assert.equal(result.link.shortLink, link.shortLink);
    assert.equal(result.link.url, link.url);
    assert.equal(result.link.partnerId, null);
    assert.equal(result.link.programId, null);
    assert.deepEqual(result.customer, {
      name: "ann@example.com",
      email: "ann@example.com",
      avatar: null,
      externalId,
    });

    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    assert.match(customer.id, /^cus_[0-9A-Z]{26}$/);
    assert.equal(customer.click_id, clickId);
    assert.equal(customer.link_id, link.id);
    const leads = await leadRows(customer.id);
    assert.equal(leads.length, 1);
    assert.equal(leads[0].event_name, "Sign up");
    assert.equal(leads[0].click_id, clickId);
    assert.equal(leads[0].link_id, link.id);
    assert.equal(leads[0].metadata, null);
    assert.equal(await claims(customer.id), 1);
    assert.equal((await linkCounters(server, link.id)).leads, 1);
  });

  test("the answer's customer has exactly Dub's four keys, and no Clicktrail id, for every client but the 2024 Go SDK", async () => {
    const { clickId } = await linkWithClick(server);
    const externalId = unique("keys");
    const response = await postRaw(
      server,
      "/track/lead",
      JSON.stringify({ clickId, eventName: "Sign up", customerExternalId: externalId, customerName: "Ann" }),
    );
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(JSON.parse(response.text).customer, {
      externalId,
      name: "Ann",
      email: null,
      avatar: null,
    });
  });

  test("a customer with neither name nor email gets a random three-word name", async () => {
    const { clickId } = await linkWithClick(server);
    const externalId = unique("anon");
    const result = await server
      .sdk()
      .track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    assert.match(result.customer.name ?? "", /^[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+$/);
    assert.equal(result.customer.email, null);
    assert.equal((await customerRow(server, externalId))?.name, result.customer.name);
  });

  test("an explicit customerName wins over the email", async () => {
    const { clickId } = await linkWithClick(server);
    const externalId = unique("named");
    const result = await server.sdk().track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId: externalId,
      customerName: "Ann Lee",
      customerEmail: "ann@example.com",
      customerAvatar: "https://example.com/ann.png",
    });
    assert.deepEqual(result.customer, {
      name: "Ann Lee",
      email: "ann@example.com",
      avatar: "https://example.com/ann.png",
      externalId,
    });
  });

  test("an existing customer is never overwritten by a later lead with another name and email", async () => {
    const first = await linkWithClick(server);
    const second = await linkWithClick(server);
    const externalId = unique("keep");
    await server.sdk().track.lead({
      clickId: first.clickId,
      eventName: "Sign up",
      customerExternalId: externalId,
      customerName: "Ann",
      customerEmail: "ann@example.com",
    });
    const later = await server.sdk().track.lead({
      clickId: second.clickId,
      eventName: "Trial started",
      customerExternalId: externalId,
      customerName: "Bob",
      customerEmail: "bob@example.com",
    });

    assert.deepEqual(later.customer, { name: "Ann", email: "ann@example.com", avatar: null, externalId });
    assert.equal(later.link?.id, second.link.id, "the second lead is credited to the link of its own click");
    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    assert.equal(customer.name, "Ann");
    assert.equal(customer.email, "ann@example.com");
    assert.equal(customer.click_id, first.clickId);
    assert.equal(customer.link_id, first.link.id);
    assert.equal(
      await countRows(server, "select count(*) as n from customers where external_id = ?", externalId),
      1,
    );
    assert.deepEqual(
      (await leadRows(customer.id)).map((lead) => [lead.event_name, lead.link_id]).sort(),
      [
        ["Sign up", first.link.id],
        ["Trial started", second.link.id],
      ].sort(),
    );
  });

  test("a repeated lead (same customer, same event name in any case) answers link null and records nothing", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("dup");
    const first = await server
      .sdk()
      .track.lead({ clickId, eventName: "sign up", customerExternalId: externalId });
    assert.ok(first.link);

    for (const eventName of ["Sign Up", "sign up", "SIGN UP"]) {
      const again = await server
        .sdk()
        .track.lead({ clickId, eventName, customerExternalId: externalId, customerName: "Other" });
      assert.equal(again.link, null, eventName);
      assert.equal(again.click.id, clickId);
      assert.equal(again.customer.externalId, externalId);
      assert.equal(again.customer.name, first.customer.name, "the stored customer is answered");
    }

    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    assert.equal((await leadRows(customer.id)).length, 1);
    assert.equal((await leadRows(customer.id))[0].event_name, "sign up");
    assert.equal(await claims(customer.id), 1);
    assert.equal((await linkCounters(server, link.id)).leads, 1);
  });

  test("a different event name for the same customer is a new lead", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("multi");
    await server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    const second = await server
      .sdk()
      .track.lead({ clickId, eventName: "Activated", customerExternalId: externalId });
    assert.equal(second.link?.id, link.id);
    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    assert.deepEqual((await leadRows(customer.id)).map((lead) => lead.event_name).sort(), [
      "Activated",
      "Sign up",
    ]);
    assert.equal(await claims(customer.id), 2);
    assert.equal((await linkCounters(server, link.id)).leads, 2);
  });

  test("deferred mode stores the customer with its click only; a later call without clickId records the lead", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("deferred");
    const deferred = await server.sdk().track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId: externalId,
      customerName: "Dee",
      mode: "deferred",
    });
    assert.equal(deferred.click.id, clickId);
    assert.equal(deferred.customer.name, "Dee");

    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    assert.equal(customer.click_id, clickId);
    assert.equal(customer.link_id, link.id);
    assert.equal((await leadRows(customer.id)).length, 0);
    assert.equal(await claims(customer.id), 0);
    assert.equal((await linkCounters(server, link.id)).leads, 0);

    const later = await server
      .sdk()
      .track.lead({ clickId: "", eventName: "Sign up", customerExternalId: externalId, mode: "async" });
    assert.equal(later.click.id, clickId);
    assert.equal(later.link?.id, link.id);
    assert.equal(later.customer.name, "Dee");
    const leads = await leadRows(customer.id);
    assert.equal(leads.length, 1);
    assert.equal(leads[0].click_id, clickId);
    assert.equal(leads[0].link_id, link.id);
    assert.equal((await linkCounters(server, link.id)).leads, 1);
  });

  test("eventQuantity 3 records three lead events and adds three leads", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("qty");
    const result = await server
      .sdk()
      .track.lead({ clickId, eventName: "Seat added", customerExternalId: externalId, eventQuantity: 3 });
    assert.equal(result.link?.id, link.id);
    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    const leads = await leadRows(customer.id);
    assert.equal(leads.length, 3);
    assert.equal(new Set(leads.map((lead) => lead.id)).size, 3);
    assert.ok(leads.every((lead) => lead.event_name === "Seat added" && lead.click_id === clickId));
    assert.equal((await linkCounters(server, link.id)).leads, 3);
  });

  test("an unknown click is NotFound and creates nothing", async () => {
    const externalId = unique("ghost");
    await rejection(
      server
        .sdk()
        .track.lead({ clickId: "nOSuChClick12345", eventName: "Sign up", customerExternalId: externalId }),
      404,
      { message: "Click event not found for clickId: nOSuChClick12345" },
    );
    assert.equal(await customerRow(server, externalId), undefined);
  });

  test("another workspace's click is NotFound and nothing is recorded on either side", async () => {
    const other = await server.newWorkspace();
    const { link: foreignLink, clickId } = await linkWithClick(server, other.key);
    const externalId = unique("cross");
    await rejection(
      server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId }),
      404,
      { message: `Click event not found for clickId: ${clickId}` },
    );
    assert.equal(await customerRow(server, externalId), undefined);
    assert.equal(await customerRow(server, externalId, other.workspaceId), undefined);
    assert.equal(
      await countRows(server, "select count(*) as n from lead_events where click_id = ?", clickId),
      0,
    );
    assert.equal((await linkCounters(server, foreignLink.id)).leads, 0);

    // The click is still good for its own workspace.
    const own = await server
      .sdk(other.key)
      .track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    assert.equal(own.link?.id, foreignLink.id);
    assert.equal(await customerRow(server, externalId), undefined);
    assert.ok(await customerRow(server, externalId, other.workspaceId));
  });

  test("a clickId over 255 characters is UnprocessableEntity (it had no limit); 255 is still looked up", async () => {
    const externalId = unique("longclick");
    const lead = (clickId: string) =>
      server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    await rejection(lead("c".repeat(256)), 422, { message: /clickId/ });
    await rejection(lead("c".repeat(255)), 404);
    assert.equal(await customerRow(server, externalId), undefined);
  });

  test("an empty clickId without an existing customer is BadRequest", async () => {
    const externalId = unique("noclick");
    await rejection(
      server.sdk().track.lead({ clickId: "", eventName: "Sign up", customerExternalId: externalId }),
      400,
      { message: /`clickId` property was not provided/ },
    );
    assert.equal(await customerRow(server, externalId), undefined);
  });

  test("metadata over 10,000 characters is UnprocessableEntity; smaller metadata is stored on the event", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("meta");
    await rejection(
      server.sdk().track.lead({
        clickId,
        eventName: "Sign up",
        customerExternalId: externalId,
        metadata: { blob: "x".repeat(10_001) },
      }),
      422,
      { message: /Metadata must be less than 10,000 characters when stringified/ },
    );
    assert.equal(await customerRow(server, externalId), undefined);
    assert.equal((await linkCounters(server, link.id)).leads, 0);

    const metadata = { plan: "pro", seats: 3, nested: { ok: true }, list: [1, "two"] };
    await server
      .sdk()
      .track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId, metadata });
    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    const [lead] = await leadRows(customer.id);
    assert.deepEqual(JSON.parse(lead.metadata ?? "null"), metadata);
  });

  test("a failed call leaves no dedupe marker, so a later valid call records the lead", async () => {
    const allClaims = () => countRows(server, "select count(*) as n from lead_claims");
    const { link, clickId } = await linkWithClick(server);

    // A customer not yet known.
    const externalId = unique("retry");
    const before = await allClaims();
    await rejection(
      server
        .sdk()
        .track.lead({ clickId: "missingClick0001", eventName: "Sign up", customerExternalId: externalId }),
      404,
    );
    assert.equal(await allClaims(), before);
    assert.equal(await customerRow(server, externalId), undefined);
    const result = await server
      .sdk()
      .track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId });
    assert.equal(result.link?.id, link.id);
    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    assert.equal((await leadRows(customer.id)).length, 1);
    assert.equal(await claims(customer.id), 1);

    // A known customer: the failed "Activated" claims nothing, the retry is recorded.
    await rejection(
      server
        .sdk()
        .track.lead({ clickId: "missingClick0002", eventName: "Activated", customerExternalId: externalId }),
      404,
    );
    assert.equal(await claims(customer.id), 1);
    const retry = await server
      .sdk()
      .track.lead({ clickId, eventName: "Activated", customerExternalId: externalId });
    assert.equal(retry.link?.id, link.id);
    assert.equal((await leadRows(customer.id)).length, 2);
    assert.equal(await claims(customer.id), 2);
    assert.equal((await linkCounters(server, link.id)).leads, 2);
  });

  test("20 concurrent identical leads record exactly one lead and one customer", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("race");
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId: externalId }),
      ),
    );
    assert.equal(results.filter((result) => result.link !== null).length, 1);
    assert.equal(
      new Set(results.map((result) => result.customer.name)).size,
      1,
      "every answer names the one stored customer",
    );
    assert.equal(
      await countRows(server, "select count(*) as n from customers where external_id = ?", externalId),
      1,
    );
    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    assert.equal((await leadRows(customer.id)).length, 1);
    assert.equal((await linkCounters(server, link.id)).leads, 1);
  });

  test("concurrent leads with different event names for a new customer create it once and record each lead", async () => {
    const { link, clickId } = await linkWithClick(server);
    const externalId = unique("names");
    const names = ["Sign up", "Activated", "Invited", "Upgraded", "Onboarded"];
    await Promise.all(
      names.map((eventName) =>
        server.sdk().track.lead({ clickId, eventName, customerExternalId: externalId }),
      ),
    );
    assert.equal(
      await countRows(server, "select count(*) as n from customers where external_id = ?", externalId),
      1,
    );
    const customer = await customerRow(server, externalId);
    assert.ok(customer);
    assert.deepEqual((await leadRows(customer.id)).map((lead) => lead.event_name).sort(), [...names].sort());
    assert.equal((await linkCounters(server, link.id)).leads, names.length);
  });

  test("the same external id in two workspaces is two customers", async () => {
    const other = await server.newWorkspace();
    const externalId = unique("shared");
    const mine = await linkWithClick(server);
    const theirs = await linkWithClick(server, other.key);
    await server.sdk().track.lead({
      clickId: mine.clickId,
      eventName: "Sign up",
      customerExternalId: externalId,
      customerName: "Mine",
    });
    const second = await server.sdk(other.key).track.lead({
      clickId: theirs.clickId,
      eventName: "Sign up",
      customerExternalId: externalId,
      customerName: "Theirs",
    });
    assert.ok(second.link, "not a duplicate of the other workspace's lead");
    assert.equal(second.customer.name, "Theirs");
    assert.equal((await customerRow(server, externalId))?.name, "Mine");
    assert.equal((await customerRow(server, externalId, other.workspaceId))?.name, "Theirs");
  });
});

describe("concurrent leads on SQLite", () => {
  const counter = async (name: string) => {
    const text = await (await fetch(`${server.origin}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]);
  };

  test("are written in shared transactions (the lead recorder's batches), and every answered lead is stored", async (t) => {
    if (server.store !== "sqlite") return t.skip("PostgreSQL groups concurrent commits itself");
    const { clickId } = await linkWithClick(server);
    const leads = (externalIds: string[]) =>
      Promise.all(
        externalIds.map((customerExternalId) =>
          server.sdk().track.lead({ clickId, eventName: "Sign up", customerExternalId }),
        ),
      );
    // A first round opens the client's connections, so that the measured one arrives at once.
    await leads(Array.from({ length: 40 }, () => unique("warm")));
    const [transactionsBefore, commitsBefore] = [
      await counter("clicktrail_sqlite_transactions_total"),
      await counter("clicktrail_sqlite_commits_total"),
    ];
    const externalIds = Array.from({ length: 40 }, () => unique("grouped"));
    const answers = await leads(externalIds);
    assert.equal(answers.filter((answer) => answer.link !== null).length, 40);
    for (const externalId of externalIds) assert.ok(await customerRow(server, externalId), externalId);
    const transactions = (await counter("clicktrail_sqlite_transactions_total")) - transactionsBefore;
    const commits = (await counter("clicktrail_sqlite_commits_total")) - commitsBefore;
    t.diagnostic(`${transactions} transactions in ${commits} commits`);
    // One transaction per lead would be 40; leads that arrive together are recorded together (2 measured).
    assert.ok(transactions >= 1 && transactions <= 20, `${transactions} transactions for 40 leads`);
    assert.ok(commits <= transactions, `${transactions} transactions took ${commits} commits`);
  });
});
