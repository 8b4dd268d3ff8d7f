// Settings → Integrations in Chromium against a real server process: an owner sets Paddle's secret in the page (the
// list then shows where Paddle delivers and a fingerprint, never the secret); Paddle notifications signed with it
// are listed with what they became (a sale with its customer, an event type ignored with why), filtered by outcome;
// a refused delivery is not listed. axe-core runs on the section; it is saved as a screenshot.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { browserMissing, checkAccessibility, dashboardSuite, screenshot } from "../helpers/dashboard.js";
import { paddleEvent, paddleSignature } from "../helpers/processors.js";
import { BROWSER_UA } from "../helpers/server.js";

const SECRET = "pdl_ntfset_01jqdash0000_Hq2Lm9Xk4RtW";

describe("dashboard integrations", { skip: browserMissing, timeout: 120_000 }, () => {
  const dash = dashboardSuite();
  let clickId: string;

  before(async () => {
    const link = await dash.sdk.links.create({ url: "https://shop.example.com/pro", trackConversion: true });
    const click = await fetch(link.shortLink, { redirect: "manual", headers: { "user-agent": BROWSER_UA } });
    clickId = new URL(click.headers.get("location") ?? "").searchParams.get("dub_id") ?? "";
    assert.ok(clickId, "the redirect carries the click id");
  });

  /** Set from the webhook URL the page shows. */
  let workspaceId = "";
  const send = (body: string, secret = SECRET) =>
    fetch(`${dash.origin}/integrations/paddle/${workspaceId}`, {
      method: "POST",
      headers: { "content-type": "application/json", "paddle-signature": paddleSignature(body, [secret]) },
      body,
    });

  test("an owner sets Paddle's secret; its notifications are listed with what they became", async () => {
    const page = dash.page;
    await page.goto(dash.app("settings/integrations"));
    await page.getByText("No payment processor is configured yet.").waitFor();
    const form = page.getByRole("form", { name: "Set a processor's secret" });
    await form.getByLabel("Processor").selectOption("paddle");
    await form.getByLabel("Signing secret").fill(SECRET);
    await form.getByRole("button", { name: "Save secret" }).click();
    const configured = page.getByRole("table", { name: "Configured integrations" });
    const row = configured.getByRole("row", { name: /Paddle/ });
    await row.waitFor();
    const url = (await row.locator("code").first().textContent()) ?? "";
    assert.match(url, /\/integrations\/paddle\/ws_/);
    workspaceId = url.split("/").at(-1) ?? "";
    assert.ok(!((await page.content()) ?? "").includes(SECRET), "the secret is never shown");

    const sale = paddleEvent("evt_01jqdashsale", "transaction.completed", {
      id: "txn_01jqdash",
      status: "completed",
      customer_id: "ctm_01jqdash",
      custom_data: { clicktrail_click_id: clickId },
      origin: "web",
      subscription_id: null,
      currency_code: "USD",
      details: { totals: { subtotal: "2900", discount: "0", tax: "0", total: "2900", currency_code: "USD" } },
    });
    assert.equal((await send(sale)).status, 200);
    const other = paddleEvent("evt_01jqdashother", "subscription.created", { id: "sub_01jqdash" });
    assert.equal((await send(other)).status, 200);
    assert.equal(
      (await send(paddleEvent("evt_01jqdashforged", "transaction.completed", {}), "pdl_other")).status,
      401,
    );

    await page.reload();
    const events = page.getByRole("table", { name: "Received events" });
    const saleRow = events.getByRole("row", { name: /evt_01jqdashsale/ });
    await saleRow.getByText("sale", { exact: true }).waitFor();
    assert.match(
      (await saleRow.textContent()) ?? "",
      /transaction\.completed.*Paddle.*invoice txn_01jqdash/s,
    );
    const ignoredRow = events.getByRole("row", { name: /evt_01jqdashother/ });
    await ignoredRow.getByText("subscription.created events are not acted on").waitFor();
    assert.equal(await events.getByRole("row", { name: /evt_01jqdashforged/ }).count(), 0);
    await checkAccessibility(page, "settings/integrations");
    await screenshot(page, "settings-integrations");

    await page.getByLabel("Became").selectOption("ignored");
    await saleRow.waitFor({ state: "detached" });
    await ignoredRow.waitFor();
    await page.getByLabel("Became").selectOption("");
    await saleRow.getByRole("link", { name: /Customer/ }).click();
    await page.waitForURL(/\/customers\/cus_/);
    await page.getByText("ctm_01jqdash").first().waitFor();
  });
});
