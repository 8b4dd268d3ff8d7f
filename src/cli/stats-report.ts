import type { AnalyticsService } from "../domain/analytics/analytics-service.js";
import type { Metrics, TopLinkRow } from "../domain/analytics/model.js";
import type { UnconvertedSales } from "../domain/analytics/ports.js";
import { minorUnits } from "../domain/conversions/currency.js";
import { badRequest, DomainError, notFound } from "../domain/errors.js";
import { INTERVALS, type Interval } from "../domain/events/time-range.js";
import { type LinkService, normaliseDomain } from "../domain/links/link-service.js";
import type { Principal } from "../domain/workspaces/model.js";

export type StatsOptions = {
  /** `DOMAIN/KEY`, or `KEY` on `defaultDomain`. */
  link?: string;
  interval?: string;
  top?: number;
  defaultDomain: string;
};

export type StatsReport = {
  workspaceId: string;
  interval: Interval;
  /** The link's `domain/key`, or null for the whole workspace. */
  link: string | null;
  /**
   * A rate is a share (0 to 1) of the step before, or null: when the step before is zero, or when it exceeds 1
   * because conversions in the period come from clicks (or leads) of an earlier period.
   */
  funnel: Metrics & { leadRate: number | null; saleRate: number | null; clickToSale: number | null };
  /** Sales no exchange rate converted to USD: not in `saleAmount`. Amounts in the currency's minor units. */
  unconverted: UnconvertedSales[];
  topLinks: (Metrics & { shortLink: string; url: string; leadRate: number | null })[];
};

/** A real share of `whole`, else null. */
const rate = (part: number, whole: number) => (whole > 0 && part <= whole ? part / whole : null);

/** `clicktrail stats`: the funnel (clicks → leads → sales, revenue) and the top links, read from the rollups. */
export async function statsReport(
  { analytics, links }: { analytics: AnalyticsService; links: LinkService },
  principal: Principal,
  options: StatsOptions,
): Promise<StatsReport> {
  const interval = (options.interval ?? "30d") as Interval;
  if (!INTERVALS.includes(interval))
    throw badRequest(`--interval must be one of ${INTERVALS.join(", ")}, got "${options.interval}".`);
  const { workspaceId } = principal;
  const link = options.link ? await findLink(links, principal, options.link, options.defaultDomain) : null;
  const filter = link ? { linkId: link.id } : {};
  const count = await analytics.retrieve(principal, {
    event: "composite",
    groupBy: "count",
    interval,
    ...filter,
  });
  const top = await analytics.retrieve(principal, {
    event: "composite",
    groupBy: "top_links",
    interval,
    ...filter,
  });
  const total = count.groupBy === "count" ? count.total : { clicks: 0, leads: 0, sales: 0, saleAmount: 0 };
  const rows: TopLinkRow[] = top.groupBy === "top_links" ? top.rows.slice(0, options.top ?? 10) : [];
  const unconverted = await analytics.unconvertedSales(principal, { interval, linkId: link?.id });
  return {
    workspaceId,
    interval,
    link: link ? `${link.domain}/${link.key}` : null,
    funnel: {
      ...total,
      leadRate: rate(total.leads, total.clicks),
      saleRate: rate(total.sales, total.leads),
      clickToSale: rate(total.sales, total.clicks),
    },
    unconverted,
    topLinks: rows.map(({ link, clicks, leads, sales, saleAmount }) => ({
      shortLink: `${link.domain}/${link.key}`,
      url: link.url,
      clicks,
      leads,
      sales,
      saleAmount,
      leadRate: rate(leads, clicks),
    })),
  };
}

async function findLink(links: LinkService, principal: Principal, text: string, defaultDomain: string) {
  const slash = text.lastIndexOf("/");
  const domain = normaliseDomain(slash > 0 ? text.slice(0, slash) : defaultDomain);
  const key = text.slice(slash + 1);
  try {
    return await links.info(principal, { domain, key });
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found")
      throw notFound(`No link ${domain}/${key} in workspace ${principal.workspaceId}.`);
    throw error;
  }
}

const count = (n: number) => n.toLocaleString("en-US");
/** "–" for a rate that is no share: no denominator, or more conversions than the step before. */
const percent = (r: number | null) => (r === null ? "–" : `${(r * 100).toFixed(2)}%`);
const minor = (amount: number, currency: string) =>
  (amount / 10 ** minorUnits(currency)).toLocaleString("en-US", {
    minimumFractionDigits: minorUnits(currency),
    maximumFractionDigits: minorUnits(currency),
  });
const dollars = (cents: number) =>
  `$${(cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

const INTERVAL_NAMES: Record<Interval, string> = {
  "24h": "the last 24 hours",
  "7d": "the last 7 days",
  "30d": "the last 30 days",
  "90d": "the last 90 days",
  "1y": "the last year",
  mtd: "this month",
  qtd: "this quarter",
  ytd: "this year",
  all: "all time",
};

/** The report as terminal tables. */
export function formatStats(report: StatsReport): string {
  const { funnel } = report;
  const lines = [
    `${report.link ? `Link ${report.link}` : `Workspace ${report.workspaceId}`}, ${INTERVAL_NAMES[report.interval]} (UTC)`,
    "",
    grid(
      [
        ["", "count", "conversion"],
        ["clicks", count(funnel.clicks), ""],
        ["leads", count(funnel.leads), `${percent(funnel.leadRate)} of clicks`],
        [
          "sales",
          count(funnel.sales),
          `${percent(funnel.saleRate)} of leads, ${percent(funnel.clickToSale)} of clicks`,
        ],
        ["revenue", dollars(funnel.saleAmount), "USD"],
      ],
      "lrl",
    ),
    ...report.unconverted.map(
      (sales) =>
        `+ ${count(sales.sales)} ${sales.sales === 1 ? "sale" : "sales"} in ${sales.currency} not converted ` +
        `(no exchange rate): ${minor(sales.amount, sales.currency)} ${sales.currency}; see clicktrail fx set`,
    ),
    ...notes(report),
    "",
  ];
  if (report.topLinks.length === 0) return [...lines, "No link has events in this period."].join("\n");
  return [
    ...lines,
    "Top links",
    grid(
      [
        ["link", "clicks", "leads", "sales", "revenue", "click→lead"],
        ...report.topLinks.map((link) => [
          link.shortLink,
          count(link.clicks),
          count(link.leads),
          count(link.sales),
          dollars(link.saleAmount),
          percent(link.leadRate),
        ]),
      ],
      "lrrrrr",
    ),
  ].join("\n");
}

/** Why a rate shows "–" although its denominator is not zero. */
function notes({ funnel, topLinks }: StatsReport): string[] {
  const lines: string[] = [];
  if (funnel.leads > funnel.clicks || topLinks.some((link) => link.leads > link.clicks))
    lines.push("– more leads than clicks: leads of clicks made before this period are counted in it.");
  if (funnel.sales > funnel.leads && funnel.leads > 0)
    lines.push(
      "– more sales than leads: a customer can buy more than once, or after a lead of an earlier period.",
    );
  if (funnel.sales > funnel.clicks && funnel.clicks > 0 && funnel.leads <= funnel.clicks)
    lines.push("– more sales than clicks: sales of clicks made before this period are counted in it.");
  return lines;
}

/** Columns padded to their widest cell, each aligned as `align` says ("l" or "r"). */
function grid(rows: string[][], align: string): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
  const pad = (cell: string, i: number) =>
    align[i] === "r" ? cell.padStart(widths[i] + cell.length - [...cell].length) : cell.padEnd(widths[i]);
  return rows.map((row) => row.map(pad).join("  ").trimEnd()).join("\n");
}
