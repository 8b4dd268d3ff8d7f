// A random stream of clicks, leads, sales and customer erasures in one workspace, over six days of March 2026 unless
// told another window, for the analytics property tests (test/contract/rollups.test.ts, event-columns.test.ts,
// month-rollups.test.ts).
import type { Click } from "../../src/domain/clicks/model.js";
import { attributionOf } from "../../src/domain/conversions/attribution.js";
import { newCustomer } from "../../src/domain/customers/new-customer.js";
import type { TestServer } from "./server.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const WINDOW_START = Date.UTC(2026, 2, 6, 7, 13, 5, 123);
export const WINDOW = 6 * DAY;

/** mulberry32 */
export function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(values: readonly T[]): T => values[int(values.length)];
  return { next, int, pick };
}

export type Random = ReturnType<typeof generator>;

const COUNTRIES = [
  ["US", "NA"],
  ["DE", "EU"],
  ["IN", "AS"],
  ["Unknown", "Unknown"],
] as const;

export async function randomStream(
  server: TestServer,
  random: Random,
  workspace: { key: string; workspaceId: string },
  window = { start: WINDOW_START, length: WINDOW },
): Promise<void> {
  const dub = server.sdk(workspace.key);
  const links = [];
  for (let i = 0; i < 3; i++)
    links.push(
      await dub.links.create({ url: `https://example.com/${i}?utm_source=s${i % 2}`, trackConversion: true }),
    );
  const clicks: Click[] = [];
  for (let batch = 0; batch < 12; batch++) {
    const size = 1 + random.int(20);
    const fresh: Click[] = [];
    for (let i = 0; i < size; i++) {
      const link = random.pick(links);
      const [country, continent] = random.pick(COUNTRIES);
      const qr = random.next() < 0.2;
      fresh.push({
        id: `c${random.int(1e12).toString(36)}${clicks.length + i}`,
        workspaceId: workspace.workspaceId,
        linkId: link.id,
        timestamp: window.start + random.int(window.length),
        identityHash: `v${clicks.length + i}`,
        domain: link.domain,
        key: link.key,
        url: link.url,
        ip: "203.0.113.1",
        country,
        continent,
        region: random.pick(["R1", "R2"]),
        city: random.pick(["Alpha", "Beta", "Gamma"]),
        device: random.pick(["Desktop", "Mobile"]),
        browser: random.pick(["Chrome", "Firefox", "Safari"]),
        os: random.pick(["Windows", "iOS"]),
        engine: "Blink",
        ua: "ua",
        referer: random.pick(["(direct)", "google.com"]),
        refererUrl: random.pick(["(direct)", "https://google.com/a", "https://google.com/b"]),
        qr,
        trigger: qr ? "qr" : "link",
        utmSource: link.utmSource ?? null,
        utmMedium: random.pick([null, "", "email"]),
        utmCampaign: random.pick([null, "c1"]),
        utmTerm: null,
        utmContent: random.pick([null, "x"]),
      });
    }
    await server.storage.stores.clicks.recordBatch(fresh, 0);
    clicks.push(...fresh);
  }
  const customers: string[] = [];
  for (const click of clicks) {
    if (random.next() > 0.3) continue;
    const leadAt = click.timestamp + random.int(3 * HOUR);
    const customer = newCustomer({ workspaceId: workspace.workspaceId, externalId: `u-${click.id}` }, leadAt);
    const leadId = `l-${click.id}`;
    const { customer: stored } = await server.storage.stores.conversions.recordLead({
      customer,
      slug: "sign-up",
      events: [
        {
          ...attributionOf(click),
          id: leadId,
          workspaceId: workspace.workspaceId,
          customerId: customer.id,
          timestamp: leadAt,
          eventName: "Sign up",
          metadata: null,
        },
      ],
    });
    customers.push(stored.id);
    for (let n = random.int(3); n > 0; n--) {
      const amount = 100 + random.int(10_000);
      const converted = random.next() < 0.8;
      await server.storage.stores.conversions.recordSale({
        event: {
          ...attributionOf(click),
          id: `s-${click.id}-${n}`,
          workspaceId: workspace.workspaceId,
          customerId: stored.id,
          leadEventId: leadId,
          timestamp: leadAt + random.int(DAY),
          eventName: "Purchase",
          money: {
            amount,
            currency: converted ? "usd" : "xxx",
            converted,
            originalAmount: amount,
            originalCurrency: "usd",
          },
          paymentProcessor: "stripe",
          invoiceId: null,
          metadata: null,
        },
        receipt: "{}",
      });
    }
  }
  // Erasing a customer deletes its leads and sales, and takes them out of the rollups.
  for (const id of customers) if (random.next() < 0.25) await dub.customers.delete(id);
}
