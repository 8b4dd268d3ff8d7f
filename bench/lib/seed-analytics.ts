// Seeds a Clicktrail SQLite database with a year of realistic events, fast: prepared better-sqlite3
// statements, one transaction per simulated day, and the rollups of each day written after it (a day's
// cells only come from that day's events) by DayRollups, which is checked against the server's own
// rollupRows on the first day.
import assert from "node:assert/strict";
import SQLite from "better-sqlite3";
import { countries } from "countries-list";
import { DAY_MS, HOUR_MS } from "../../src/domain/analytics/dimensions.js";
import {
  clickRollup,
  leadRollup,
  mergeCells,
  type RollupEvent,
  rollupRows,
  saleRollup,
} from "../../src/store/sql/rollups.js";
import { DayRollups } from "./day-rollups.js";

export type SeedOptions = {
  file: string;
  workspaceId: string;
  clicks: number;
  links: number;
  days: number;
  /** Events end here (epoch ms): the last day simulated is the UTC day holding it, up to it. */
  until: number;
  leadRate: number;
  saleRate: number;
  seed?: number;
  onDay?: (day: number, days: number, clicks: number) => void;
};

export type SeedReport = {
  clicks: number;
  leads: number;
  sales: number;
  rollupRows: number;
  /** Milliseconds per phase. */
  timings: { events: number; rollups: number; total: number };
  topLinkId: string;
  topCountry: string;
  topCity: string;
};

/** mulberry32: a small deterministic generator, so every run seeds the same data. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws from weighted choices with a precomputed cumulative table. */
function weighted<T>(random: () => number, choices: [T, number][]) {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let running = 0;
  const cumulative = choices.map(([value, weight]) => {
    running += weight / total;
    return { value, upTo: running };
  });
  return () => {
    const x = random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid].upTo < x) lo = mid + 1;
      else hi = mid;
    }
    return cumulative[lo].value;
  };
}

const COUNTRY_WEIGHTS: [string, number][] = [
  ["US", 34],
  ["GB", 8],
  ["DE", 7],
  ["IN", 7],
  ["FR", 5],
  ["CA", 5],
  ["BR", 4],
  ["AU", 3],
  ["NL", 3],
  ["ES", 3],
  ["IT", 2.5],
  ["JP", 2.5],
  ["SE", 1.5],
  ["PL", 1.5],
  ["MX", 1.5],
  ["SG", 1],
  ["IE", 1],
  ["CH", 1],
  ["KR", 1],
  ["ZA", 0.8],
  ["NG", 0.7],
  ["AR", 0.7],
  ["TR", 0.7],
  ["ID", 0.7],
  ["Unknown", 2],
];

const DEVICES: [{ device: string; os: [string, number][] }, number][] = [
  [
    {
      device: "Desktop",
      os: [
        ["Windows", 55],
        ["Mac OS", 35],
        ["Linux", 8],
        ["Chromium OS", 2],
      ],
    },
    55,
  ],
  [
    {
      device: "Mobile",
      os: [
        ["iOS", 52],
        ["Android", 48],
      ],
    },
    40,
  ],
  [
    {
      device: "Tablet",
      os: [
        ["iOS", 65],
        ["Android", 35],
      ],
    },
    5,
  ],
];

const BROWSERS: [string, number][] = [
  ["Chrome", 58],
  ["Mobile Safari", 16],
  ["Safari", 7],
  ["Firefox", 7],
  ["Edge", 7],
  ["Samsung Browser", 3],
  ["Opera", 2],
];

const REFERERS: [string, number][] = [
  ["(direct)", 42],
  ["google.com", 20],
  ["t.co", 7],
  ["facebook.com", 6],
  ["linkedin.com", 5],
  ["reddit.com", 4],
  ["news.ycombinator.com", 3],
  ["bing.com", 2],
  ["duckduckgo.com", 2],
  ...Array.from({ length: 60 }, (_, i): [string, number] => [`blog${i}.example.org`, 9 / 60]),
];

const UTM = {
  source: ["google", "newsletter", "twitter", "facebook", "linkedin", "partner"],
  medium: ["cpc", "email", "social", "referral"],
  campaign: ["spring_sale", "launch_2026", "retargeting", "black_friday", "webinar"],
};

type Link = {
  id: string;
  domain: string;
  key: string;
  url: string;
  utm: {
    source: string | null;
    medium: string | null;
    campaign: string | null;
    term: string | null;
    content: string | null;
  };
};

/** A visitor's context: everything a click records but its link and time. */
type Visit = {
  country: string;
  continent: string;
  region: string;
  city: string;
  device: string;
  browser: string;
  os: string;
  referer: string;
  referer_url: string;
  trigger: string;
  qr: number;
};

export function seedAnalytics(options: SeedOptions): SeedReport {
  const started = performance.now();
  const random = rng(options.seed ?? 42);
  const db = new SQLite(options.file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -1000000");
  db.pragma("temp_store = MEMORY");

  const links = createLinks(db, options, random);
  // Zipf-like popularity: a few links get most clicks.
  const pickLink = weighted(
    random,
    links.map((link, rank): [Link, number] => [link, 1 / (rank + 1) ** 1.1]),
  );
  const pickVisit = visitPicker(random);

  const insertClick =
    db.prepare(`INSERT INTO clicks (workspace_id, id, link_id, timestamp, identity_hash, domain,
    key, url, ip, country, continent, region, city, device, browser, os, engine, ua, referer, referer_url, qr,
    trigger, utm_source, utm_medium, utm_campaign, utm_term, utm_content)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertCustomer =
    db.prepare(`INSERT INTO customers (workspace_id, id, external_id, name, email, avatar,
    country, click_id, link_id, clicked_at, sales, sale_amount, first_sale_at, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const attribution = `click_id, link_id, domain, key, url, ip, country, continent, region, city, device, browser,
    os, referer, referer_url, qr, trigger, utm_source, utm_medium, utm_campaign, utm_term, utm_content`;
  const insertLead =
    db.prepare(`INSERT INTO lead_events (workspace_id, id, customer_id, timestamp, event_name,
    metadata, ${attribution}) VALUES (?, ?, ?, ?, 'Sign up', NULL, ${Array(22).fill("?").join(", ")})`);
  const insertSale =
    db.prepare(`INSERT INTO sale_events (workspace_id, id, customer_id, lead_event_id, timestamp,
    event_name, amount, currency, converted, original_amount, original_currency, payment_processor, invoice_id,
    metadata, ${attribution}) VALUES (?, ?, ?, ?, ?, 'Purchase', ?, 'usd', 1, ?, 'usd', 'stripe', NULL, NULL,
    ${Array(22).fill("?").join(", ")})`);
  // Cells are appended to a plain table, then moved into the rollups in primary-key order by one statement:
  // far quicker than inserting each day's cells all over the rollups' B-tree.
  db.exec("CREATE TEMP TABLE seeded_rollups AS SELECT * FROM rollups WHERE 0");
  const insertRollup =
    db.prepare(`INSERT INTO seeded_rollups (workspace_id, dimension, hours, link_id, period,
    value, clicks, leads, sales, sale_amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  const ws = options.workspaceId;
  const first = options.until - (options.until % DAY_MS) - (options.days - 1) * DAY_MS;
  const perDay = dailyVolumes(options.clicks, options.days, first, random);
  const counters = new Map<
    string,
    { clicks: number; leads: number; sales: number; saleAmount: number; last: number }
  >();
  const cityClicks = new Map<string, number>();
  let clicks = 0;
  let leads = 0;
  let sales = 0;
  let rollupRowCount = 0;
  let eventsMs = 0;
  let rollupsMs = 0;
  let seq = 0;
  const pickHour = weighted(
    random,
    Array.from({ length: 24 }, (_, hour): [number, number] => [
      hour,
      0.35 + Math.sin(((hour - 8) / 24) * Math.PI) ** 2,
    ]),
  );

  for (let day = 0; day < options.days; day++) {
    const dayStart = first + day * DAY_MS;
    const dayEnd = Math.min(dayStart + DAY_MS, options.until);
    const rollups = new DayRollups(dayStart, options.links);
    const events: RollupEvent[] = [];
    const add = (event: RollupEvent) => {
      rollups.add(event);
      if (day === 0) events.push(event);
    };
    const t0 = performance.now();
    db.transaction(() => {
      for (let n = 0; n < perDay[day]; n++) {
        const link = pickLink();
        const visit = pickVisit();
        const timestamp =
          dayEnd - dayStart === DAY_MS
            ? dayStart + pickHour() * HOUR_MS + Math.floor(random() * HOUR_MS)
            : dayStart + Math.floor(random() * (dayEnd - dayStart));
        const id = `c${(seq++).toString(36).padStart(15, "0")}`;
        const row = {
          workspace_id: ws,
          link_id: link.id,
          timestamp,
          domain: link.domain,
          url: link.url,
          ...visit,
          utm_source: link.utm.source,
          utm_medium: link.utm.medium,
          utm_campaign: link.utm.campaign,
          utm_term: link.utm.term,
          utm_content: link.utm.content,
        };
        insertClick.run(
          ws,
          id,
          link.id,
          timestamp,
          id,
          link.domain,
          link.key,
          link.url,
          "203.0.113.7",
          visit.country,
          visit.continent,
          visit.region,
          visit.city,
          visit.device,
          visit.browser,
          visit.os,
          "Blink",
          "Mozilla/5.0",
          visit.referer,
          visit.referer_url,
          visit.qr,
          visit.trigger,
          link.utm.source,
          link.utm.medium,
          link.utm.campaign,
          link.utm.term,
          link.utm.content,
        );
        add(clickRollup(row));
        const counter = counters.get(link.id) ?? { clicks: 0, leads: 0, sales: 0, saleAmount: 0, last: 0 };
        counter.clicks++;
        counter.last = Math.max(counter.last, timestamp);
        counters.set(link.id, counter);
        cityClicks.set(visit.city, (cityClicks.get(visit.city) ?? 0) + 1);
        clicks++;
        if (random() >= options.leadRate) continue;

        // A sign-up later the same day, and sometimes a purchase after it.
        const leadAt = Math.min(dayEnd - 2, timestamp + Math.floor(random() * 6 * HOUR_MS));
        const customerId = `cus_${id}`;
        const leadId = `l${id}`;
        const attributionValues = [
          id,
          link.id,
          link.domain,
          link.key,
          link.url,
          "203.0.113.7",
          visit.country,
          visit.continent,
          visit.region,
          visit.city,
          visit.device,
          visit.browser,
          visit.os,
          visit.referer,
          visit.referer_url,
          visit.qr,
          visit.trigger,
          link.utm.source,
          link.utm.medium,
          link.utm.campaign,
          link.utm.term,
          link.utm.content,
        ];
        const buys = random() < options.saleRate;
        const amount = buys ? Math.round(1000 * Math.exp(random() * 3)) : 0;
        const saleAt = Math.min(dayEnd - 1, leadAt + 1 + Math.floor(random() * 3 * HOUR_MS));
        insertCustomer.run(
          ws,
          customerId,
          `user-${seq}`,
          `Customer ${seq}`,
          `user${seq}@example.com`,
          visit.country,
          id,
          link.id,
          timestamp,
          buys ? 1 : 0,
          amount,
          buys ? saleAt : null,
          leadAt,
          leadAt,
        );
        insertLead.run(ws, leadId, customerId, leadAt, ...attributionValues);
        add(leadRollup({ ...row, timestamp: leadAt }));
        counter.leads++;
        leads++;
        if (!buys) continue;
        insertSale.run(ws, `s${id}`, customerId, leadId, saleAt, amount, amount, ...attributionValues);
        add(saleRollup({ ...row, timestamp: saleAt, amount, converted: 1 }));
        counter.sales++;
        counter.saleAmount += amount;
        sales++;
      }
    })();
    const t1 = performance.now();
    const cells = rollups.rows();
    if (day === 0) assert.deepEqual(mergeCells(cells), rollupRows(events));
    db.transaction(() => {
      for (const c of cells)
        insertRollup.run(
          c.workspace_id,
          c.dimension,
          c.hours,
          c.link_id,
          c.period,
          c.value,
          c.clicks,
          c.leads,
          c.sales,
          c.sale_amount,
        );
    })();
    rollupRowCount += cells.length;
    eventsMs += t1 - t0;
    rollupsMs += performance.now() - t1;
    options.onDay?.(day + 1, options.days, clicks);
  }

  const t2 = performance.now();
  db.exec(`INSERT INTO rollups SELECT * FROM seeded_rollups
    ORDER BY workspace_id, dimension, hours, link_id, period, value; DROP TABLE seeded_rollups`);
  rollupsMs += performance.now() - t2;
  const update = db.prepare(
    "UPDATE links SET clicks = ?, leads = ?, sales = ?, sale_amount = ?, last_clicked = ? WHERE id = ?",
  );
  db.transaction(() => {
    for (const [id, c] of counters) update.run(c.clicks, c.leads, c.sales, c.saleAmount, c.last || null, id);
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("ANALYZE");
  db.close();

  const topLink = [...counters.entries()].sort((a, b) => b[1].clicks - a[1].clicks)[0];
  const topCity = [...cityClicks.entries()].sort((a, b) => b[1] - a[1])[0];
  return {
    clicks,
    leads,
    sales,
    rollupRows: rollupRowCount,
    timings: { events: eventsMs, rollups: rollupsMs, total: performance.now() - started },
    topLinkId: topLink?.[0] ?? links[0].id,
    topCountry: "US",
    topCity: topCity?.[0] ?? "Unknown",
  };
}

function createLinks(db: SQLite.Database, options: SeedOptions, random: () => number): Link[] {
  const insert = db.prepare(`INSERT INTO links (workspace_id, id, domain, key, url, external_id, tenant_id,
    track_conversion, utm_source, utm_medium, utm_campaign, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`);
  const pickDomain = weighted(random, [
    ["go.acme.com", 70],
    ["acme.link", 20],
    ["try.acme.dev", 10],
  ]);
  const created = options.until - (options.days + 30) * DAY_MS;
  const links: Link[] = [];
  db.transaction(() => {
    for (let i = 0; i < options.links; i++) {
      const id = `link_bench${String(i).padStart(6, "0")}`;
      const tagged = random() < 0.45;
      const utm = {
        source: tagged ? UTM.source[Math.floor(random() * UTM.source.length)] : null,
        medium: tagged ? UTM.medium[Math.floor(random() * UTM.medium.length)] : null,
        campaign: tagged ? UTM.campaign[Math.floor(random() * UTM.campaign.length)] : null,
        term: null,
        content: tagged && random() < 0.3 ? `variant_${Math.floor(random() * 4)}` : null,
      };
      const base = `https://shop.acme.com/${["p", "blog", "pricing", "docs"][i % 4]}/${i}`;
      const query = utm.source
        ? `?utm_source=${utm.source}&utm_medium=${utm.medium}&utm_campaign=${utm.campaign}`
        : "";
      const link: Link = { id, domain: pickDomain(), key: `k${i.toString(36)}`, url: base + query, utm };
      insert.run(
        options.workspaceId,
        id,
        link.domain,
        link.key,
        link.url,
        `ext-${i}`,
        `tenant_${i % 12}`,
        utm.source,
        utm.medium,
        utm.campaign,
        created,
        created,
      );
      links.push(link);
    }
  })();
  return links;
}

function visitPicker(random: () => number): () => Visit {
  const pickCountry = weighted(random, COUNTRY_WEIGHTS);
  const pickDevice = weighted(random, DEVICES);
  const pickBrowser = weighted(random, BROWSERS);
  const pickReferer = weighted(random, REFERERS);
  const osPickers = new Map(DEVICES.map(([device]) => [device.device, weighted(random, device.os)]));
  // A country's visitors come from its cities unevenly: ten named ones, the first the most.
  const cityPickers = new Map(
    COUNTRY_WEIGHTS.map(([country]) => [
      country,
      weighted(
        random,
        Array.from({ length: 10 }, (_, i): [number, number] => [i, 1 / (i + 1)]),
      ),
    ]),
  );
  return () => {
    const country = pickCountry();
    const known = countries[country as keyof typeof countries];
    const cityIndex = cityPickers.get(country)?.() ?? 0;
    const { device, os } = pickDevice();
    const referer = pickReferer();
    const qr = random() < 0.04;
    return {
      country,
      continent: known?.continent ?? "Unknown",
      region: known ? `${country}-R${cityIndex % 4}` : "Unknown",
      city: known ? `${known.capital || known.name} ${cityIndex === 0 ? "" : cityIndex}`.trim() : "Unknown",
      device,
      browser: pickBrowser(),
      os: osPickers.get(device)?.() ?? os[0][0],
      referer,
      referer_url: referer === "(direct)" ? "(direct)" : `https://${referer}/${Math.floor(random() * 8)}`,
      trigger: qr ? "qr" : "link",
      qr: qr ? 1 : 0,
    };
  };
}

/** Clicks per day: growing over the year, quieter at weekends, with some noise; summing to `total`. */
function dailyVolumes(total: number, days: number, first: number, random: () => number): number[] {
  const weights = Array.from({ length: days }, (_, day) => {
    const weekday = new Date(first + day * DAY_MS).getUTCDay();
    const weekend = weekday === 0 || weekday === 6 ? 0.7 : 1;
    return (1 + (0.6 * day) / days) * weekend * (0.85 + 0.3 * random());
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const volumes = weights.map((weight) => Math.floor((weight / sum) * total));
  volumes[days - 1] += total - volumes.reduce((a, b) => a + b, 0);
  return volumes;
}
