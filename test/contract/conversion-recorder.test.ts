import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CompiledQuery, type Kysely } from "kysely";
import { attributionOf } from "../../src/domain/conversions/attribution.js";
import { ConversionRecorder } from "../../src/domain/conversions/conversion-recorder.js";
import type { LeadRecord, SaleRecord } from "../../src/domain/conversions/ports.js";
import type { Customer } from "../../src/domain/customers/model.js";
import { newCustomer } from "../../src/domain/customers/new-customer.js";
import { newClickId, newEventId, prefixedId } from "../../src/domain/ids.js";
import { SqlClickStore } from "../../src/store/sql/click-store.js";
import { SqlConversionStore } from "../../src/store/sql/conversion-store.js";
import type { Database } from "../../src/store/sql/schema.js";
import { SqlWebhookStore } from "../../src/store/sql/webhook-store.js";
import { testClick } from "../helpers/clicks.js";
import { engine } from "../helpers/migration-database.js";
import { storedLink, storeWithWorkspace } from "../helpers/store-workspace.js";

const workspaceId = "ws_leads";
let db: Kysely<Database>;

let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await storeWithWorkspace(workspaceId));
});
after(() => close?.());

/** A stored link with one stored click, and a function that makes a lead record from that click. */
async function linkWithClick() {
  const now = Date.now();
  const link = await storedLink(db, workspaceId);

  const click = testClick(workspaceId, link, { id: newClickId(), timestamp: now, identityHash: "visitor" });
  await new SqlClickStore(db).recordBatch([click], 0);
  const sale = (
    customer: Customer,
    options: { invoiceId?: string; cents?: number; eventId?: string } = {},
  ): SaleRecord => {
    const id = options.eventId ?? newEventId();
    return {
      receipt: JSON.stringify({ sale: id }),
      event: {
        ...attributionOf(click),
        id,
        workspaceId,
        customerId: customer.id,
        leadEventId: newEventId(),
        timestamp: Date.now(),
        eventName: "Purchase",
        money: {
          amount: options.cents ?? 1000,
          currency: "usd",
          converted: true,
          originalAmount: options.cents ?? 1000,
          originalCurrency: "usd",
        },
        paymentProcessor: "stripe",
        invoiceId: options.invoiceId ?? null,
        metadata: null,
      },
    };
  };
  const lead = (externalId: string, eventName = "Sign up", eventId = newEventId()): LeadRecord => {
    const customer = newCustomer({ workspaceId, externalId }, now);
    return {
      customer,
      slug: eventName.toLowerCase().replace(/ /g, "-"),
      events: [
        {
          ...attributionOf(click),
          id: eventId,
          workspaceId,
          customerId: customer.id,
          timestamp: Date.now(),
          eventName,
          metadata: null,
        },
      ],
      outbox: (stored) => [
        {
          workspaceId,
          trigger: "lead.created",
          linkId: link.id,
          eventId: `evt_${eventId}`,
          payload: JSON.stringify({ customer: stored.id }),
          createdAt: now,
        },
      ],
    };
  };
  return { link, lead, sale };
}

/** The real store, with the size of every batch of leads and of sales written logged. */
function observedStore() {
  const store = new SqlConversionStore(db);
  const batches: number[] = [];
  const saleBatches: number[] = [];
  const leads = store.recordLeads.bind(store);
  const sales = store.recordSales.bind(store);
  store.recordLeads = (records) => {
    batches.push(records.length);
    return leads(records);
  };
  store.recordSales = (records) => {
    saleBatches.push(records.length);
    return sales(records);
  };
  return { store, batches, saleBatches };
}

/** A number the SQL (written with `?` placeholders) selects as `n`. */
const count = async (sql: string, ...values: string[]) => {
  let placeholder = 0;
  const text = engine === "postgres" ? sql.replace(/\?/g, () => `$${++placeholder}`) : sql;
  const { rows } = await db.executeQuery(CompiledQuery.raw(text, values) as CompiledQuery<{ n: number }>);
  return Number(rows[0].n);
};

describe("ConversionRecorder (conversions batched into shared transactions, over the store under test)", () => {
  before(async () => {
    // A webhook for lead.created, so the outbox's rows can be counted.
    await new SqlWebhookStore(db).create({
      id: "wh_leads",
      workspaceId,
      name: "leads",
      url: "https://receiver.invalid/hook",
      secret: "whsec_test",
      triggers: ["lead.created"],
      linkIds: null,
      disabledAt: null,
      disabledReason: null,
      consecutiveFailures: 0,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
  });

  test("leads that arrive together are written in one transaction, with counters, rollups and webhooks for each", async () => {
    const { link, lead } = await linkWithClick();
    const observed = observedStore();
    const recorder = new ConversionRecorder(observed.store);
    const ids = Array.from({ length: 30 }, (_, i) => `batch-${link.id}-${i}`);
    const answers = await Promise.all(ids.map((id) => recorder.recordLead(lead(id))));

    assert.deepEqual(observed.batches, [30]);
    assert.ok(answers.every((answer) => !answer.duplicate));
    assert.deepEqual(
      answers.map((answer) => answer.customer.externalId),
      ids,
      "each caller gets its own customer",
    );
    assert.equal(await count("select count(*) as n from lead_events where link_id = ?", link.id), 30);
    assert.equal(await count("select leads as n from links where id = ?", link.id), 30);
    assert.equal(
      await count(
        "select sum(leads) as n from rollups where link_id = ? and dimension = 'all' and hours = 24",
        link.id,
      ),
      30,
    );
    assert.equal(
      await count(
        "select count(*) as n from webhook_messages where trigger = 'lead.created' and payload like ?",
        `%${answers[0].customer.id}%`,
      ),
      1,
    );
  });

  test("two leads of one customer and slug in a batch: the first is recorded, the second is a duplicate", async () => {
    const { link, lead } = await linkWithClick();
    const recorder = new ConversionRecorder(new SqlConversionStore(db));
    const [first, second] = await Promise.all([
      recorder.recordLead(lead(`twice-${link.id}`)),
      recorder.recordLead(lead(`twice-${link.id}`)),
    ]);
    assert.deepEqual([first.duplicate, second.duplicate], [false, true]);
    assert.equal(first.customer.id, second.customer.id, "both answer the one stored customer");
    assert.equal(await count("select count(*) as n from lead_events where link_id = ?", link.id), 1);
    assert.equal(
      await count("select count(*) as n from customers where external_id = ?", `twice-${link.id}`),
      1,
    );

    const later = await recorder.recordLead(lead(`twice-${link.id}`));
    assert.equal(later.duplicate, true, "and so is a third, in a later batch");
  });

  test("one new customer's leads of different names in a batch create the customer once and record each", async () => {
    const { link, lead } = await linkWithClick();
    const recorder = new ConversionRecorder(new SqlConversionStore(db));
    const externalId = `names-${link.id}`;
    const answers = await Promise.all(
      ["Sign up", "Activated", "Invited"].map((name) => recorder.recordLead(lead(externalId, name))),
    );
    assert.ok(answers.every((answer) => !answer.duplicate));
    assert.equal(new Set(answers.map((answer) => answer.customer.id)).size, 1);
    assert.equal(await count("select count(*) as n from customers where external_id = ?", externalId), 1);
    assert.equal(
      await count("select count(*) as n from lead_events where customer_id = ?", answers[0].customer.id),
      3,
    );
  });

  test("a lead the batch cannot take fails alone: the others of its batch are committed", async () => {
    const { link, lead } = await linkWithClick();
    const taken = newEventId();
    await new SqlConversionStore(db).recordLead(lead(`first-${link.id}`, "Sign up", taken));
    const observed = observedStore();
    const recorder = new ConversionRecorder(observed.store);
    const results = await Promise.allSettled([
      recorder.recordLead(lead(`ok-1-${link.id}`)),
      recorder.recordLead(lead(`clash-${link.id}`, "Sign up", taken)),
      recorder.recordLead(lead(`ok-2-${link.id}`)),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
    assert.deepEqual(observed.batches, [3, 1, 1, 1], "tried together, then one by one");
    assert.equal(await count("select count(*) as n from lead_events where link_id = ?", link.id), 3);
    assert.equal(
      await count("select count(*) as n from customers where external_id = ?", `clash-${link.id}`),
      0,
      "nothing of the failed lead is kept",
    );
    assert.equal(await count("select leads as n from links where id = ?", link.id), 3);
  });

  test("drain() commits what is queued", async () => {
    const { link, lead } = await linkWithClick();
    const recorder = new ConversionRecorder(new SqlConversionStore(db));
    const pending = [
      recorder.recordLead(lead(`drain-1-${link.id}`)),
      recorder.recordLead(lead(`drain-2-${link.id}`)),
    ];
    await recorder.drain();
    assert.equal(await count("select count(*) as n from lead_events where link_id = ?", link.id), 2);
    await Promise.all(pending);
  });

  test("sales that arrive together are written in one transaction; a customer's first sale on a link is one conversion", async () => {
    const { link, lead, sale } = await linkWithClick();
    const recorder = new ConversionRecorder(new SqlConversionStore(db));
    const customers = await Promise.all(
      [1, 2, 3].map(async (n) => (await recorder.recordLead(lead(`buyer-${n}-${link.id}`))).customer),
    );
    const observed = observedStore();
    const salesRecorder = new ConversionRecorder(observed.store);
    // Two sales of the first customer, one of each other: four sales, three first conversions.
    const answers = await Promise.all(
      [customers[0], customers[0], customers[1], customers[2]].map((customer) =>
        salesRecorder.recordSale(sale(customer, { cents: 2500 })),
      ),
    );
    assert.deepEqual(observed.saleBatches, [4]);
    assert.ok(answers.every((answer) => !answer.replayed));
    const counters = await db
      .selectFrom("links")
      .select(["sales", "sale_amount", "conversions"])
      .where("id", "=", link.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      {
        sales: Number(counters.sales),
        amount: Number(counters.sale_amount),
        conversions: Number(counters.conversions),
      },
      { sales: 4, amount: 10_000, conversions: 3 },
    );
    const first = await db
      .selectFrom("customers")
      .select(["sales", "sale_amount", "first_sale_at"])
      .where("id", "=", customers[0].id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(first.sales), 2);
    assert.equal(Number(first.sale_amount), 5_000);
    assert.ok(first.first_sale_at !== null);
    assert.equal(
      await count(
        "select sum(sales) as n from rollups where link_id = ? and dimension = 'all' and hours = 24",
        link.id,
      ),
      4,
    );

    const later = await salesRecorder.recordSale(sale(customers[1]));
    assert.equal(later.replayed, false);
    const after = await db
      .selectFrom("links")
      .select("conversions")
      .where("id", "=", link.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(after.conversions), 3, "a customer's later sale on the link is no new conversion");
  });

  test("two sales of one invoice in a batch: the first is recorded, the second replays its receipt", async () => {
    const { link, lead, sale } = await linkWithClick();
    const recorder = new ConversionRecorder(new SqlConversionStore(db));
    const { customer } = await recorder.recordLead(lead(`invoice-${link.id}`));
    const invoiceId = `in_${link.id}`;
    const [first, second] = await Promise.all([
      recorder.recordSale(sale(customer, { invoiceId })),
      recorder.recordSale(sale(customer, { invoiceId })),
    ]);
    assert.equal(first.replayed, false);
    assert.deepEqual(second, { receipt: first.receipt, replayed: true });
    assert.equal(await count("select count(*) as n from sale_events where link_id = ?", link.id), 1);
    const third = await recorder.recordSale(sale(customer, { invoiceId }));
    assert.deepEqual(third, { receipt: first.receipt, replayed: true }, "and so does a later one");
  });

  test("a sale whose customer is gone fails alone: the others of its batch are committed", async () => {
    const { link, lead, sale } = await linkWithClick();
    const recorder = new ConversionRecorder(new SqlConversionStore(db));
    const { customer } = await recorder.recordLead(lead(`kept-${link.id}`));
    const gone = { ...customer, id: prefixedId("cus") };
    const observed = observedStore();
    const salesRecorder = new ConversionRecorder(observed.store);
    const results = await Promise.allSettled([
      salesRecorder.recordSale(sale(customer)),
      salesRecorder.recordSale(sale(gone)),
      salesRecorder.recordSale(sale(customer)),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
    assert.equal((results[1] as PromiseRejectedResult).reason.code, "not_found");
    assert.deepEqual(observed.saleBatches, [3, 1, 1, 1], "tried together, then one by one");
    assert.equal(await count("select count(*) as n from sale_events where link_id = ?", link.id), 2);
  });
});
