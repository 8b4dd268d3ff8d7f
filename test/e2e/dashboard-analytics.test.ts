import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { parseCsv } from "../helpers/csv.js";
import { browserMissing, checkAccessibility, dashboardSuite, screenshot } from "../helpers/dashboard.js";
import { clickIdAt, uniqueIp } from "../helpers/journey.js";

const FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/**
 * The analytics and events pages in Chromium over a real server: clicks through a short link (a trusted proxy's
 * country header, a browser's user agent), a lead and a sale through the `dub` SDK.
 */
describe("dashboard: analytics and events", { skip: browserMissing }, () => {
  const dashboard = dashboardSuite({ TRUST_PROXY: "true" });
  const visit = (key: string, country: string, userAgent?: string) =>
    clickIdAt(dashboard.origin, key, {
      "x-forwarded-for": uniqueIp(),
      "cf-ipcountry": country,
      ...(userAgent ? { "user-agent": userAgent } : {}),
    });

  const analyticsUrl = (query = "") => dashboard.app(`analytics${query}`);

  /** The page's data are on screen: the chart and every breakdown (the page marks it, see SHOWN_MARK). */
  const shown = (on: Page = dashboard.page) => on.waitForSelector(".analytics-page[data-shown]");

  const total = (metric: string, on: Page = dashboard.page) =>
    on.locator(`.metric-total[data-metric=${metric}]`).textContent();

  /** Waits until the clicks total reads `value` (the page refetches after a filter changes). */
  const clicksShown = (value: string, on: Page = dashboard.page) =>
    on.locator(".metric-total[data-metric=clicks]", { hasText: new RegExp(`^${value}$`) }).waitFor();

  /** Waits until the events table has exactly `count` rows. */
  const eventRows = async (count: number) => {
    const tableRows = dashboard.page.locator("table.events-table tbody tr");
    await tableRows.nth(count - 1).waitFor();
    await tableRows.nth(count).waitFor({ state: "detached" });
  };

  /** A breakdown's rows as [label, value] pairs. */
  const rows = (groupBy: string, on: Page = dashboard.page) =>
    on.$$eval(`table[data-groupby=${groupBy}] tbody tr`, (trs) =>
      trs.map((tr) => [
        tr.querySelector(".row-filter")?.textContent ?? "",
        tr.querySelector("td")?.textContent ?? "",
      ]),
    );

  /** Waits until a breakdown reads `expected` (its card refetches on its own after a filter changes). */
  const rowsBecome = async (groupBy: string, expected: string[][], on: Page = dashboard.page) => {
    const deadline = Date.now() + 10_000;
    let current = await rows(groupBy, on);
    while (JSON.stringify(current) !== JSON.stringify(expected) && Date.now() < deadline) {
      await on.waitForTimeout(50);
      current = await rows(groupBy, on);
    }
    assert.deepEqual(current, expected);
  };

  test("with no clicks the page says to share a link", async () => {
    const page = dashboard.page;
    await page.goto(analyticsUrl());
    await shown();
    assert.match(
      (await page.locator(".empty-state").textContent()) ?? "",
      /No clicks yet.*Share a short link/,
    );
  });

  test("clicks through the short link appear in the chart and the breakdowns", async () => {
    const page = dashboard.page;
    await dashboard.sdk.links.create({
      url: "https://example.com/launch",
      key: "launch",
      trackConversion: true,
    });
    await visit("launch", "DE", FIREFOX_UA);
    await visit("launch", "US");
    await visit("launch", "US");

    await page.goto(analyticsUrl());
    await shown();
    assert.equal(await total("clicks"), "3");
    assert.equal(await page.locator(".chart-canvas canvas").count(), 1);
    // The chart's text alternative holds the same figures, bucket by bucket.
    const chartClicks = await page.$$eval(".timeseries table tbody tr", (trs) =>
      trs.reduce((sum, tr) => sum + Number(tr.querySelectorAll("td")[0]?.textContent ?? 0), 0),
    );
    assert.equal(chartClicks, 3);
    // The chart takes the keyboard: End moves its cursor to the last period, today's.
    const chartSlider = page.getByRole("slider", { name: "Clicks by period" });
    await chartSlider.press("End");
    assert.match((await chartSlider.getAttribute("aria-valuetext")) ?? "", /: 3$/);
    assert.match((await page.locator(".chart-readout").textContent()) ?? "", /: 3$/);
    assert.deepEqual(await rows("countries"), [
      ["United States (US)", "2"],
      ["Germany (DE)", "1"],
    ]);
    const links = await rows("top_links");
    assert.equal(links.length, 1);
    assert.match(links[0][0], /\/launch$/);
    assert.equal(links[0][1], "3");
    await page.getByRole("tab", { name: "Browsers" }).click();
    await page.waitForSelector("table[data-groupby=browsers]");
    assert.deepEqual((await rows("browsers")).map(([label]) => label).sort(), ["Chrome", "Firefox"]);
    await screenshot(page, "analytics");
  });

  test("clicking a country filters the page and the URL; the URL alone gives the same view", async () => {
    const page = dashboard.page;
    await page.goto(analyticsUrl("?interval=7d"));
    await shown();
    await page.locator("table[data-groupby=countries]").getByRole("button", { name: "Germany (DE)" }).click();
    await page.waitForURL((url) => url.searchParams.get("country") === "DE");
    assert.equal(new URL(page.url()).searchParams.get("interval"), "7d", "the range stays");
    await clicksShown("1", page);
    assert.match((await page.locator(".filter-chips").textContent()) ?? "", /Country is Germany \(DE\)/);
    await rowsBecome("countries", [["Germany (DE)", "1"]]);

    const checkFiltered = async (on: Page) => {
      await shown(on);
      await clicksShown("1", on);
      assert.match((await on.locator(".filter-chips").textContent()) ?? "", /Country is Germany \(DE\)/);
      assert.equal(
        await on.locator("table[data-groupby=countries] button[aria-pressed=true]").textContent(),
        "Germany (DE)",
      );
    };
    const shared = page.url();
    await page.reload();
    await checkFiltered(page);
    const other = await dashboard.ownerPage();
    await other.goto(shared);
    await checkFiltered(other);
    await screenshot(other, "analytics-filtered");

    await page.getByRole("button", { name: "Remove filter: Country is Germany (DE)" }).click();
    await page.waitForURL((url) => !url.searchParams.has("country"));
    await clicksShown("3", page);
  });

  test("CSV downloads are the API's files, with the figures shown", async () => {
    const page = dashboard.page;
    await page.goto(analyticsUrl());
    await shown();
    const [chartFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    const chart = parseCsv(await readFile((await chartFile.path()) ?? "", "utf8"));
    assert.deepEqual(chart[0], ["start", "clicks", "leads", "sales", "saleAmount"]);
    assert.equal(
      chart.slice(1).reduce((sum, record) => sum + Number(record[1]), 0),
      3,
    );
    assert.ok(chart.length > 28, "a row per day of the 30 days");

    const [countriesFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "CSV of countries" }).click(),
    ]);
    const countries = parseCsv(await readFile((await countriesFile.path()) ?? "", "utf8"));
    const header = countries[0];
    const byCountry = Object.fromEntries(
      countries
        .slice(1)
        .map((record) => [record[header.indexOf("country")], record[header.indexOf("clicks")]]),
    );
    assert.deepEqual(byCountry, { US: "2", DE: "1" });
  });

  test("a lead and a sale tracked with the dub SDK appear in the events page without a reload, and in the funnel", async () => {
    const page = dashboard.page;
    const clickId = await visit("launch", "FR");
    await page.goto(`${dashboard.app("events")}?event=leads`);
    await page.waitForSelector(".empty-state");
    assert.match((await page.locator(".empty-state").textContent()) ?? "", /No leads yet/);
    await page.evaluate("window.sameDocument = true");

    await dashboard.sdk.track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId: "ada-1",
      customerName: "Ada Lovelace",
      customerEmail: "ada@example.com",
    });
    const lead = page.locator("tr.new-event", { hasText: "Sign up" });
    await lead.waitFor();
    assert.match((await lead.textContent()) ?? "", /New.*Sign up.*Ada Lovelace.*France \(FR\)/);

    await page.getByRole("link", { name: /^Sales/ }).click();
    await page.waitForSelector(".empty-state");
    await dashboard.sdk.track.sale({
      customerExternalId: "ada-1",
      amount: 4900,
      eventName: "Purchase",
      paymentProcessor: "stripe",
    });
    const sale = page.locator("tr.new-event", { hasText: "Purchase" });
    await sale.waitFor();
    assert.match((await sale.textContent()) ?? "", /\$49\.00.*Purchase.*Ada Lovelace/);
    await page.getByRole("link", { name: "Sales 1" }).waitFor();
    assert.equal(await page.evaluate("window.sameDocument"), true, "no reload");
    await screenshot(page, "events");

    await page.getByRole("link", { name: "View analytics" }).click();
    await shown();
    const funnel = (await page.locator(".funnel").textContent()) ?? "";
    assert.match(funnel, /Clicks4/);
    assert.match(funnel, /Leads1/);
    assert.match(funnel, /25% of clicks/);
    assert.match(funnel, /Sales1/);
    assert.match(funnel, /100% of leads, 25% of clicks/);
    assert.match(funnel, /Revenue \$49\.00/);
    assert.equal(await total("revenue"), "$49.00");
  });

  test("events: filters and cell filters live in the URL", async () => {
    const page = dashboard.page;
    await page.goto(`${dashboard.app("events")}`);
    await page.locator("table.events-table tbody tr").nth(3).waitFor();
    assert.equal(await page.locator("table.events-table tbody tr").count(), 4);
    await page.getByLabel("Country").fill("us");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL((url) => url.searchParams.get("country") === "US");
    await eventRows(2);
    await page.getByRole("button", { name: "Remove filter: Country is United States (US)" }).click();
    await eventRows(4);
    await page.getByTitle("Filter: Browser is Firefox").click();
    await page.waitForURL((url) => url.searchParams.get("browser") === "Firefox");
    await eventRows(1);
  });

  test("a custom range is chosen in the page, lands in the URL as start and end, and counts in days", async () => {
    const page = dashboard.page;
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await page.goto(analyticsUrl());
    await shown();
    assert.match(
      (await page.getByRole("link", { name: "Download CSV" }).getAttribute("href")) ?? "",
      /[?&]timezone=[^&]+/,
      "requests carry the viewer's time zone",
    );
    await page.getByRole("button", { name: "Custom" }).click();
    await page.getByLabel("From", { exact: true }).fill(day(-2));
    await page.getByLabel("To", { exact: true }).fill(day(0));
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("start") === day(-2));
    assert.equal(new URL(page.url()).searchParams.get("end"), `${day(0)}T23:59:59`);
    assert.equal(new URL(page.url()).searchParams.has("interval"), false);
    const days = page.locator(".timeseries tbody tr");
    await days.nth(3).waitFor({ state: "detached" }); // the 30-day table is replaced, not read before it is
    await days.nth(2).waitFor();
    assert.equal(await days.count(), 3, "one row per day");
    await clicksShown("4");

    await page.reload();
    await shown();
    assert.equal(await page.getByRole("button", { name: "Custom" }).getAttribute("aria-pressed"), "true");
    assert.equal(await page.getByLabel("From", { exact: true }).inputValue(), day(-2));
    await page.getByRole("button", { name: "7d" }).click();
    await page.waitForURL(
      (url) => url.searchParams.get("interval") === "7d" && !url.searchParams.has("start"),
    );
  });

  test("no serious or critical axe-core violation on either page, light and dark, at a phone's width", async () => {
    const page = dashboard.page;
    const phone = await dashboard.ownerPage({ width: 390, height: 844 });
    for (const colorScheme of ["light", "dark"] as const) {
      await phone.emulateMedia({ colorScheme });
      await phone.goto(analyticsUrl());
      await shown(phone);
      await checkAccessibility(phone, `analytics (${colorScheme}, phone)`);
      if (colorScheme === "dark") await screenshot(phone, "analytics-phone-dark");
      await phone.getByRole("button", { name: "Show as table" }).click();
      await checkAccessibility(phone, `analytics with the chart's table (${colorScheme})`);
      await phone.goto(`${dashboard.app("events")}?event=sales`);
      await phone.waitForSelector("table.events-table");
      await checkAccessibility(phone, `events (${colorScheme}, phone)`);
      if (colorScheme === "dark") await screenshot(phone, "events-phone-dark");
    }
    await phone.context().close();
    await page.goto(analyticsUrl());
    await shown();
    await checkAccessibility(page, "analytics (desktop)");
  });
});
