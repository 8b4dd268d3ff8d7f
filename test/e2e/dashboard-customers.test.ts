// The customers pages in Chromium against a real server process: the list pages by 25, sorts, and keeps its view in
// the URL; a customer made by a lead and a sale tracked with the `dub` SDK is found by search, its page shows the link
// and click that brought it, the lead, the sale and the totals; erasure asks first, names what goes, and the customer
// is gone from the API after.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { browserMissing, checkAccessibility, dashboardSuite, screenshot } from "../helpers/dashboard.js";
import { BROWSER_UA } from "../helpers/server.js";

describe("dashboard customers", { skip: browserMissing, timeout: 120_000 }, () => {
  const dash = dashboardSuite();
  let customerId: string;
  let shortLink: string;

  before(async () => {
    const dub = dash.sdk;
    const link = await dub.links.create({ url: "https://shop.example.com/pricing", trackConversion: true });
    shortLink = link.shortLink;
    const click = await fetch(link.shortLink, {
      redirect: "manual",
      headers: { "user-agent": BROWSER_UA, referer: "https://news.example.net/post" },
    });
    const clickId = new URL(click.headers.get("location") ?? "").searchParams.get("dub_id") ?? "";
    assert.ok(clickId, "the redirect carries the click id");
    for (let i = 1; i <= 25; i++)
      await dub.track.lead({
        clickId,
        eventName: "Sign up",
        customerExternalId: `filler_${i}`,
        customerName: `Filler ${i}`,
      });
    await dub.track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId: "user_ada",
      customerName: "Ada Lovelace",
      customerEmail: "ada@example.com",
    });
    await dub.track.sale({
      customerExternalId: "user_ada",
      amount: 4900,
      currency: "usd",
      eventName: "Pro plan",
      invoiceId: "in_ada_1",
    });
    await dub.track.lead({
      clickId,
      eventName: "Sign up",
      customerExternalId: "user_bob",
      customerName: "Bob Other",
    });
    const [ada] = (await dub.customers.list({ externalId: "user_ada" })).result;
    customerId = ada.id;
  });

  test("the list pages by 25 and searches by name; the customer's page shows the link, the click, the lead, the sale and the totals", async () => {
    const page = dash.page;
    await page.goto(dash.app("customers"));
    const table = page.getByRole("table", { name: "Customers" });
    await table.getByRole("link", { name: "Bob Other" }).waitFor();
    await checkAccessibility(page, "customers");
    await screenshot(page, "customers");
    const rows = table.getByRole("row");
    assert.equal(await rows.count(), 26, "a header and 25 customers on the first page");
    await page.getByRole("button", { name: "Next page" }).click();
    await table.getByRole("link", { name: "Filler 1", exact: true }).waitFor();
    assert.equal(await rows.count(), 3, "the 26th and 27th customers, the oldest, on the second");
    assert.equal(await page.getByRole("button", { name: "Next page" }).isDisabled(), true);
    assert.equal(new URL(page.url()).searchParams.get("page"), "2", "the page is in the URL");
    await page.reload();
    await table.getByRole("link", { name: "Filler 1", exact: true }).waitFor();
    await page.getByRole("button", { name: "Previous page" }).click();
    await table.getByRole("link", { name: "Bob Other" }).waitFor();
    assert.equal(new URL(page.url()).searchParams.has("page"), false);
    await page.getByLabel("Search by name, email or external ID").fill("lovelace");
    await page.waitForURL((url) => url.searchParams.get("search") === "lovelace");
    await table.getByRole("link", { name: "Bob Other" }).waitFor({ state: "detached" });
    const row = table.getByRole("row", { name: /Ada Lovelace/ });
    assert.match((await row.textContent()) ?? "", /\$49\.00/);

    await row.getByRole("link", { name: "Ada Lovelace" }).click();
    await page.waitForURL(dash.app(`customers/${customerId}`));
    await page.getByRole("heading", { name: "Ada Lovelace", level: 1 }).waitFor();
    const journey = page.getByRole("list", { name: "Events, newest first" });
    await journey.getByText("Pro plan").waitFor();
    const text = (await journey.textContent()) ?? "";
    assert.match(text, /Sale.*Pro plan: \$49\.00.*invoice in_ada_1/s);
    assert.match(text, /Lead.*Sign up via/s);
    assert.match(text, /Click.*news\.example\.net/s, "the click that brought them, with its referrer");
    assert.ok(
      text.indexOf("Pro plan") < text.indexOf("Sign up") &&
        text.indexOf("Sign up") < text.lastIndexOf("Click"),
      "newest first",
    );
    const cameFrom = page.getByRole("region", { name: "How they came" });
    assert.ok(((await cameFrom.textContent()) ?? "").includes(shortLink));
    const stats = (await page.locator("dl.stats").textContent()) ?? "";
    assert.match(stats, /Lifetime value\$49\.00/);
    assert.match(stats, /Sales1/);
    assert.match(stats, /Leads1/);
    await checkAccessibility(page, "customer");
    await screenshot(page, "customer");
  });

  test("sorted by lifetime value, the view is a URL: opened in another browser it shows the same", async () => {
    const page = dash.page;
    await page.goto(dash.app("customers"));
    await page.getByLabel("Sort by").selectOption("saleAmount");
    await page.waitForURL((url) => url.searchParams.get("sortBy") === "saleAmount");
    const firstRow = page.getByRole("table", { name: "Customers" }).getByRole("row").nth(1);
    await firstRow.getByRole("link", { name: "Ada Lovelace" }).waitFor();
    await page.getByRole("button", { name: "Descending" }).click();
    await page.waitForURL((url) => url.searchParams.get("sortOrder") === "asc");
    await firstRow.getByRole("link", { name: "Ada Lovelace" }).waitFor({ state: "detached" });

    const other = await dash.ownerPage();
    await other.goto(dash.app("customers?sortBy=saleAmount&search=a"));
    assert.equal(await other.getByLabel("Search by name, email or external ID").inputValue(), "a");
    assert.equal(await other.getByLabel("Sort by").inputValue(), "saleAmount");
    await other
      .getByRole("table", { name: "Customers" })
      .getByRole("row")
      .nth(1)
      .getByRole("link", { name: "Ada Lovelace" })
      .waitFor();
    await other.context().close();
  });

  test("at a phone's width in dark mode the list and the customer's page pass axe-core", async () => {
    const phone = await dash.ownerPage({ width: 390, height: 844, colorScheme: "dark" });
    await phone.goto(dash.app("customers"));
    await phone.getByRole("link", { name: "Ada Lovelace" }).waitFor();
    await checkAccessibility(phone, "customers (phone, dark)");
    await screenshot(phone, "customers-phone-dark");
    await phone.goto(dash.app(`customers/${customerId}`));
    await phone.getByRole("list", { name: "Events, newest first" }).getByText("Pro plan").waitFor();
    await checkAccessibility(phone, "customer (phone, dark)");
    await screenshot(phone, "customer-phone-dark");
  });

  test("erasure asks first, names what goes, and removes the customer", async () => {
    const page = dash.page;
    await page.goto(dash.app(`customers/${customerId}`));
    await page.getByRole("button", { name: "Erase customer" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Erase Ada Lovelace?" });
    const said = (await dialog.textContent()) ?? "";
    assert.match(said, /1 lead event/);
    assert.match(said, /1 sale event\(s\) worth \$49\.00/);
    await checkAccessibility(page, "customer erasure dialog");
    await screenshot(page, "customer-erase");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    assert.equal((await dash.api("GET", `/customers/${customerId}`)).status, 200);

    await page.getByRole("button", { name: "Erase customer" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Erase for good" }).click();
    await page.waitForURL(dash.app("customers"));
    await page.getByRole("link", { name: "Bob Other" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Ada Lovelace" }).count(), 0);
    assert.equal((await dash.api("GET", `/customers/${customerId}`)).status, 404);
    const sales = await dash.api("GET", "/events?event=sales&interval=all");
    assert.deepEqual(sales.body, [], "the sale went with the customer");
  });
});
