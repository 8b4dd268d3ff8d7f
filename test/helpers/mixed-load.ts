// A load client for crash tests: visitor journeys (click on a tracked link → lead → sale) from several workers.
// It remembers what the server acknowledged, retries what it did not with the same payload (same visitor IP,
// customer and invoiceId), and counts every answer, so a test can check that nothing acknowledged was lost
// or recorded twice.
import { BROWSER_UA } from "./server.js";

export type Acknowledged = {
  /** Click ids handed to visitors in a redirect's `dub_id`. */
  clicks: Set<string>;
  /** External ids of customers whose lead ("Sign up") was answered 200. */
  leads: Set<string>;
  /** invoiceIds of sales answered 200. */
  sales: Set<string>;
};

export type Answer = {
  step: "click" | "lead" | "sale";
  /** The HTTP status, or 0 when no answer came (refused, reset, timed out). */
  status: number;
  retryAfter: string | null;
};

export type MixedLoadOptions = {
  /** Where to send each request: read again for every request, so a test can move the target. */
  origin: () => string;
  key: string;
  /** A link created with `trackConversion: true`, on the server's default domain. */
  linkKey: string;
  /** Tells this load's visitors, customers and invoices apart from other loads' on the same database. */
  prefix: string;
  workers?: number;
  /** Pause before retrying an unacknowledged request. */
  retryDelayMs?: number;
  /** Each request is abandoned (and retried) after this long. */
  requestTimeoutMs?: number;
};

export const LEAD_EVENT = "Sign up";

export class MixedLoad {
  readonly acknowledged: Acknowledged = { clicks: new Set(), leads: new Set(), sales: new Set() };
  readonly answers: Answer[] = [];
  private stopping = false;
  private giveUpAt = Number.POSITIVE_INFINITY;
  private next = 0;
  private running: Promise<void>[] = [];
  private readonly ipBase: number;

  constructor(private readonly options: MixedLoadOptions) {
    // Each load gets its own visitor addresses, so visitor dedupe never merges two loads' clicks.
    this.ipBase = loads++ % 250;
  }

  start(): void {
    this.running = Array.from({ length: this.options.workers ?? 8 }, () => this.worker());
  }

  /**
   * Starts no new journey; journeys under way keep retrying their current step until it is acknowledged or
   * `graceMs` has passed.
   */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    this.giveUpAt = Date.now() + graceMs;
    await Promise.all(this.running);
  }

  /** Answers with this status, by step. */
  count(status: number, step?: Answer["step"]): number {
    return this.answers.filter((a) => a.status === status && (step === undefined || a.step === step)).length;
  }

  private async worker(): Promise<void> {
    while (!this.stopping) await this.journey(this.next++);
  }

  private async journey(n: number): Promise<void> {
    const customer = `${this.options.prefix}-${n}`;
    const clickId = await this.untilAcknowledged("click", () => this.click(n));
    if (!clickId) return;
    this.acknowledged.clicks.add(clickId);
    const lead = await this.untilAcknowledged("lead", () =>
      this.post("/track/lead", { clickId, eventName: LEAD_EVENT, customerExternalId: customer }),
    );
    if (!lead) return;
    this.acknowledged.leads.add(customer);
    const invoiceId = `${customer}-invoice`;
    const sale = await this.untilAcknowledged("sale", () =>
      this.post("/track/sale", { customerExternalId: customer, amount: 1000 + n, invoiceId }),
    );
    if (sale) this.acknowledged.sales.add(invoiceId);
  }

  /** Repeats one step until it is acknowledged (a truthy result), or gives up once stopping has run out. */
  private async untilAcknowledged<T>(
    step: Answer["step"],
    attempt: () => Promise<{ status: number; retryAfter: string | null; result: T | null }>,
  ): Promise<T | null> {
    for (;;) {
      if (Date.now() > this.giveUpAt) return null;
      const answer = await attempt().catch(() => ({ status: 0, retryAfter: null, result: null }));
      this.answers.push({ step, status: answer.status, retryAfter: answer.retryAfter });
      if (answer.result) return answer.result;
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 100));
    }
  }

  /** A visitor with an address of its own: a retried visit that was stored gets the same click id back. */
  private async click(n: number) {
    const ip = `10.${this.ipBase}.${(n >> 8) & 255}.${n & 255}`;
    const response = await fetch(`${this.options.origin()}/${this.options.linkKey}`, {
      redirect: "manual",
      headers: { "user-agent": BROWSER_UA, "x-forwarded-for": ip },
      signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
    });
    await response.arrayBuffer();
    const location = response.headers.get("location");
    const clickId = response.status === 302 && location ? new URL(location).searchParams.get("dub_id") : null;
    return { status: response.status, retryAfter: response.headers.get("retry-after"), result: clickId };
  }

  private async post(path: string, body: unknown) {
    const response = await fetch(`${this.options.origin()}/api${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.options.key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
    });
    const text = await response.text();
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      result: response.status === 200 ? text : null,
    };
  }
}

let loads = 0;

type Query = (text: string, ...params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * What the database holds against what was acknowledged: every acknowledged click, lead and sale is there, and
 * nothing is there twice (no click id twice, no customer with two leads of one event, no invoiceId on two
 * sales). `query` runs SQL both engines accept, with `?` placeholders. Returns the problems found.
 */
export async function findLossesAndDuplicates(query: Query, acknowledged: Acknowledged): Promise<string[]> {
  const problems: string[] = [];
  const clicks = await query("SELECT id, count(*) AS n FROM clicks GROUP BY id");
  const storedClicks = new Set(clicks.map((row) => String(row.id)));
  const lostClicks = [...acknowledged.clicks].filter((id) => !storedClicks.has(id));
  if (lostClicks.length)
    problems.push(`${lostClicks.length} acknowledged clicks lost, e.g. ${lostClicks[0]}`);
  const twiceClicks = clicks.filter((row) => Number(row.n) > 1);
  if (twiceClicks.length) problems.push(`${twiceClicks.length} click ids stored twice`);

  const leads = await query(
    `SELECT c.external_id AS customer, count(*) AS n FROM lead_events l
     JOIN customers c ON c.id = l.customer_id WHERE l.event_name = ? GROUP BY c.external_id`,
    LEAD_EVENT,
  );
  const leadCounts = new Map(leads.map((row) => [String(row.customer), Number(row.n)]));
  const lostLeads = [...acknowledged.leads].filter((customer) => !leadCounts.has(customer));
  if (lostLeads.length) problems.push(`${lostLeads.length} acknowledged leads lost, e.g. ${lostLeads[0]}`);
  const twiceLeads = [...leadCounts].filter(([, n]) => n > 1);
  if (twiceLeads.length)
    problems.push(`${twiceLeads.length} customers with two leads, e.g. ${twiceLeads[0][0]}`);

  const sales = await query(
    "SELECT invoice_id, count(*) AS n FROM sale_events WHERE invoice_id IS NOT NULL GROUP BY invoice_id",
  );
  const saleCounts = new Map(sales.map((row) => [String(row.invoice_id), Number(row.n)]));
  const lostSales = [...acknowledged.sales].filter((invoice) => !saleCounts.has(invoice));
  if (lostSales.length) problems.push(`${lostSales.length} acknowledged sales lost, e.g. ${lostSales[0]}`);
  const twiceSales = [...saleCounts].filter(([, n]) => n > 1);
  if (twiceSales.length)
    problems.push(`${twiceSales.length} invoiceIds sold twice, e.g. ${twiceSales[0][0]}`);

  const counters = await query(
    `SELECT l.key, l.clicks, l.leads, l.sales,
       (SELECT count(*) FROM clicks c WHERE c.link_id = l.id) AS click_rows,
       (SELECT count(*) FROM lead_events e WHERE e.link_id = l.id) AS lead_rows,
       (SELECT count(*) FROM sale_events s WHERE s.link_id = l.id) AS sale_rows
     FROM links l`,
  );
  for (const row of counters) {
    for (const kind of ["click", "lead", "sale"]) {
      if (Number(row[`${kind}s`]) !== Number(row[`${kind}_rows`])) {
        problems.push(
          `link ${row.key}: counter ${kind}s = ${row[`${kind}s`]} but ${row[`${kind}_rows`]} rows`,
        );
      }
    }
  }
  return problems;
}
