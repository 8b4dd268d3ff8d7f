// The links page in Chromium against a real server process: create (UTM builder, key availability), edit, a click
// through the short link counted in the table, QR downloads, archive, delete, bulk actions, filters in the URL,
// and the page at a phone's width and in dark mode.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  assetsLoaded,
  browserMissing,
  checkAccessibility,
  confirmDialog,
  dashboardSuite,
  focusArrives,
  focused,
  screenshot,
} from "../helpers/dashboard.js";
import { BROWSER_UA } from "../helpers/server.js";

type Link = {
  id: string;
  key: string;
  url: string;
  shortLink: string;
  archived: boolean;
  utm_source: string | null;
};

describe("dashboard links page", { skip: browserMissing }, () => {
  const dash = dashboardSuite();
  const linksUrl = () => dash.app("links");

  const row = (name: string) => dash.page.getByRole("row").filter({ hasText: name });

  test("a first visit of the links page loads at most 200 KB of gzip-compressed assets", async () => {
    const fresh = await dash.ownerPage();
    const { files, gzipBytes } = await assetsLoaded(fresh, async () => {
      await fresh.goto(linksUrl());
      await fresh.getByRole("heading", { name: "Links" }).waitFor();
    });
    assert.ok(
      files.some((file) => file.startsWith("links-page-")),
      files.join(" "),
    );
    assert.ok(gzipBytes <= 200 * 1024, `${gzipBytes} bytes: ${files.join(" ")}`);
    await fresh.context().close();
  });

  test("an empty workspace invites to create the first link; the page passes axe", async () => {
    const page = dash.page;
    await page.goto(linksUrl());
    await page.getByText("No links yet.").waitFor();
    await checkAccessibility(page, "links, empty");
    await screenshot(page, "links-empty");
  });

  test("create: destination, UTM builder, a custom key checked for availability, conversion tracking, comments", async () => {
    const page = dash.page;
    await dash.api("POST", "/links", { url: "https://example.com/taken", key: "taken" });
    await page.reload();
    await row("/taken").waitFor();

    await page.keyboard.press("c");
    const dialog = page.getByRole("dialog", { name: "Create link" });
    await dialog.waitFor();
    await dialog.getByLabel("Destination URL").fill("https://shop.example.com/pricing?utm_source=newsletter");
    assert.equal(
      await dialog.getByLabel("Source").inputValue(),
      "newsletter",
      "UTM read from the pasted URL",
    );
    await dialog.getByLabel("Campaign").fill("spring");
    assert.equal(
      await dialog.getByLabel("Destination URL").inputValue(),
      "https://shop.example.com/pricing?utm_source=newsletter&utm_campaign=spring",
    );
    await dialog.getByLabel("Short link key").fill("taken");
    await dialog.getByText("Already in use").waitFor();
    assert.equal(await dialog.getByRole("button", { name: "Create link" }).isDisabled(), true);
    await dialog.getByLabel("Short link key").fill("spring-sale");
    await dialog.getByText("Available").waitFor();
    await dialog.getByLabel("Conversion tracking").check();
    await dialog.getByLabel("Comments").fill("For the April newsletter");
    await checkAccessibility(page, "links, create dialog");
    await screenshot(page, "links-create");
    await dialog.getByRole("button", { name: "Create link" }).click();
    await dialog.waitFor({ state: "detached" });
    await row("/spring-sale").waitFor();

    const made = await dash.api<Link & { trackConversion: boolean; comments: string; utm_campaign: string }>(
      "GET",
      "/links/info?key=spring-sale",
    );
    assert.equal(made.status, 200);
    assert.equal(made.body.trackConversion, true);
    assert.equal(made.body.comments, "For the April newsletter");
    assert.equal(made.body.utm_source, "newsletter");
    assert.equal(made.body.utm_campaign, "spring");
  });

  test("edit: the dialog holds the link's values and saves a new destination", async () => {
    const page = dash.page;
    await row("/spring-sale")
      .getByRole("button", { name: /More actions for/ })
      .click();
    await page.getByRole("menuitem", { name: "Edit" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit link" });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel("Campaign").inputValue(), "spring");
    await dialog.getByLabel("Destination URL").fill("https://shop.example.com/offers?utm_source=newsletter");
    await dialog.getByLabel("Campaign").fill("");
    // An expiry in the browser's time zone, which is this process's (both the machine's).
    await dialog.getByLabel("Expires").fill("2040-06-01T09:30");
    await dialog.getByLabel("After expiry, go to").fill("https://shop.example.com/over");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "detached" });
    await row("/spring-sale").filter({ hasText: "https://shop.example.com/offers" }).waitFor();
    type Saved = Link & { utm_campaign: string | null; expiresAt: string | null; expiredUrl: string | null };
    const saved = await dash.api<Saved>("GET", "/links/info?key=spring-sale");
    assert.equal(saved.body.utm_campaign, null);
    assert.equal(saved.body.expiresAt, new Date(2040, 5, 1, 9, 30).toISOString());
    assert.equal(saved.body.expiredUrl, "https://shop.example.com/over");
  });

  test("the row menu, open, passes axe; the keyboard reaches, opens, walks and closes it, and its dialogs give focus back", async () => {
    const page = dash.page;
    await page.goto(linksUrl());
    const actions = row("/spring-sale");
    const qr = actions.getByRole("button", { name: /QR code of/ });
    const trigger = actions.getByRole("button", { name: /More actions for/ });
    const focusOn = (expected: string, why?: string) => focusArrives(page, expected, why);
    const onTrigger = `button: ${await trigger.getAttribute("aria-label")}`;
    await qr.focus();
    await page.keyboard.press("Tab");
    assert.equal(await focused(page), onTrigger, "Tab goes from the QR button to the menu's trigger");
    assert.equal(await trigger.getAttribute("aria-haspopup"), "menu");
    assert.equal(await trigger.getAttribute("aria-expanded"), "false");

    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu");
    await menu.waitFor();
    await checkAccessibility(page, "links, row menu open");
    assert.equal(await trigger.getAttribute("aria-expanded"), "true");
    await focusOn("menuitem: Edit", "Enter opens it on its first item");
    for (const [key, item] of [
      ["ArrowDown", "QR code"],
      ["ArrowDown", "Copy link ID"],
      ["ArrowDown", "Archive"],
      ["ArrowDown", "Delete"],
      ["ArrowUp", "Archive"],
      ["Home", "Edit"],
      ["End", "Delete"],
    ]) {
      await page.keyboard.press(key);
      await focusOn(`menuitem: ${item}`, `${key} moves to ${item}`);
    }
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    await focusOn(onTrigger, "Escape gives the focus back to the trigger");

    await page.keyboard.press("Space");
    await menu.waitFor();
    await focusOn("menuitem: Edit", "Space opens it too");
    await page.keyboard.press("Enter");
    const edit = page.getByRole("dialog", { name: "Edit link" });
    await edit.waitFor();
    await checkAccessibility(page, "links, edit dialog from the row menu");
    await page.keyboard.press("Escape");
    await edit.waitFor({ state: "detached" });
    await focusOn(onTrigger, "closing the edit dialog gives the focus back to the row's menu");

    await page.keyboard.press("Enter");
    await focusOn("menuitem: Edit");
    await page.keyboard.press("End");
    await focusOn("menuitem: Delete");
    await page.keyboard.press("Enter");
    const confirm = page.getByRole("alertdialog");
    await confirm.waitFor();
    await checkAccessibility(page, "links, delete confirmation from the row menu");
    await focusOn("button: Cancel", "the confirmation starts on its safe choice");
    await page.keyboard.press("Escape");
    await confirm.waitFor({ state: "detached" });
    await focusOn(onTrigger, "cancelling gives the focus back to the row's menu");
    await row("/spring-sale").waitFor();
  });

  test("the account menu opens from the keyboard, passes axe while open, and Escape gives focus back", async () => {
    const page = dash.page;
    await page.goto(linksUrl());
    const account = page.getByRole("button", { name: dash.owner.email });
    await account.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu");
    await menu.getByRole("menuitem", { name: /Sign out$/ }).waitFor();
    await checkAccessibility(page, "account menu open");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    await focusArrives(
      page,
      `button: ${await account.textContent()}`,
      "Escape gives the focus back to the account button",
    );
  });

  test("a click through the short link shows in the table's clicks after a reload", async () => {
    const page = dash.page;
    const link = (await dash.api<Link>("GET", "/links/info?key=spring-sale")).body;
    const visit = await fetch(link.shortLink, { redirect: "manual", headers: { "user-agent": BROWSER_UA } });
    assert.equal(visit.status, 302);
    await page.reload();
    const clicks = row("/spring-sale").locator('td[data-label="Clicks"]');
    await clicks.filter({ hasText: /^1$/ }).waitFor();
    await checkAccessibility(page, "links");
    await screenshot(page, "links");
    // Sorting by clicks puts it first, and the URL keeps the view.
    await page.getByLabel("Sort by").selectOption("clicks");
    await page.waitForURL(/sortBy=clicks/);
    await page.getByRole("row").nth(1).filter({ hasText: "/spring-sale" }).waitFor();
  });

  test("QR code: a preview image, and PNG and SVG downloads of the short link with ?qr=1", async () => {
    const page = dash.page;
    await row("/spring-sale")
      .getByRole("button", { name: /QR code of/ })
      .click();
    const dialog = page.getByRole("dialog", { name: "QR code" });
    await dialog.waitFor();
    const image = dialog.getByRole("img", { name: /QR code for/ });
    await page.waitForFunction(
      (element) => ((element as { naturalWidth: number } | null)?.naturalWidth ?? 0) > 0,
      await image.elementHandle(),
    );
    await checkAccessibility(page, "links, QR dialog");
    await screenshot(page, "links-qr");
    for (const [name, type] of [
      ["Download PNG", "image/png"],
      ["Download SVG", "image/svg+xml"],
    ] as const) {
      const href = await dialog.getByRole("link", { name }).getAttribute("href");
      assert.match(href ?? "", /qr%3D1/);
      const answer = await fetch(`${dash.origin}${href}`);
      assert.equal(answer.headers.get("content-type"), type);
    }
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });

  test("archive asks first, hides the link, and Show archived brings it back; delete asks and removes it", async () => {
    const page = dash.page;
    await row("/spring-sale")
      .getByRole("button", { name: /More actions for/ })
      .click();
    await page.getByRole("menuitem", { name: "Archive" }).click();
    const confirm = page.getByRole("alertdialog");
    await confirm.getByText(/Archive .*spring-sale\?/).waitFor();
    await checkAccessibility(page, "links, confirm");
    await confirmDialog(page, "Archive", confirm);
    await row("/spring-sale").waitFor({ state: "detached" });
    assert.equal((await dash.api<Link>("GET", "/links/info?key=spring-sale")).body.archived, true);

    await page.getByLabel("Show archived").check();
    await page.waitForURL(/showArchived=true/);
    await row("/spring-sale").filter({ hasText: "archived" }).waitFor();

    await row("/spring-sale")
      .getByRole("button", { name: /More actions for/ })
      .click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    await confirmDialog(page, "Delete");
    await row("/spring-sale").waitFor({ state: "detached" });
    assert.equal((await dash.api("GET", "/links/info?key=spring-sale")).status, 404);
    await page.getByLabel("Show archived").uncheck();
  });

  test("bulk: select two links, archive them together; then delete one of several at once", async () => {
    const page = dash.page;
    for (const key of ["bulk-a", "bulk-b", "bulk-c"]) {
      await dash.api("POST", "/links", { url: `https://example.com/${key}`, key });
    }
    await page.goto(linksUrl());
    await page.getByLabel(/Select .*\/bulk-a$/).check();
    await page.getByLabel(/Select .*\/bulk-b$/).check();
    const bar = page.getByRole("region", { name: "Selected links" });
    await bar.getByText("2 selected").waitFor();
    await bar.getByRole("button", { name: "Archive" }).click();
    await confirmDialog(page, "Archive");
    await row("/bulk-a").waitFor({ state: "detached" });
    await row("/bulk-b").waitFor({ state: "detached" });
    await row("/bulk-c").waitFor();

    await page.getByLabel("Select all links on this page").check();
    await bar.getByRole("button", { name: "Delete" }).click();
    await page
      .getByRole("alertdialog")
      .getByText(/Delete 2 links\?/)
      .waitFor();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
    await page.getByText("No links yet.").waitFor();
    const left = await dash.api<Link[]>("GET", "/links?showArchived=true");
    assert.deepEqual(left.body.map((link) => link.key).sort(), ["bulk-a", "bulk-b"]);
  });

  test("search filters the table and lives in the URL", async () => {
    const page = dash.page;
    await page.goto(linksUrl());
    await page.getByLabel("Show archived").check();
    await page.getByPlaceholder("Search by short link or URL").fill("bulk-b");
    await page.waitForURL(/search=bulk-b/);
    await row("/bulk-a").waitFor({ state: "detached" });
    await row("/bulk-b").waitFor();
    await page.getByPlaceholder("Search by short link or URL").fill("nothing-like-this");
    await page.getByText("No link matches these filters.").waitFor();
  });

  test("at a phone's width and in dark mode the page passes axe and every control is reachable", async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ url: `https://example.com/many/${i}` }));
    assert.equal((await dash.api<unknown[]>("POST", "/links/bulk", many)).body.length, 30);
    // One page for both looks: the viewport and the colour scheme change under it.
    const other = await dash.ownerPage({ width: 390, height: 844 });
    await other.goto(linksUrl());
    const pages = other.getByRole("navigation", { name: "Pages of links" });
    await pages.getByText(/Page 1 of 2/).waitFor();
    await checkAccessibility(other, "links-phone");
    await screenshot(other, "links-phone");
    // Tab reaches the row controls of a stacked row, and Enter opens its menu.
    const menu = other.getByRole("button", { name: /More actions for/ }).first();
    await menu.focus();
    await other.keyboard.press("Enter");
    await other.getByRole("menuitem", { name: "Edit" }).waitFor();
    await other.keyboard.press("Escape");
    await other.getByRole("button", { name: "Next" }).click();
    await other.waitForURL(/page=2/);
    await other.getByText(/Page 2 of 2/).waitFor();

    await other.setViewportSize({ width: 1280, height: 800 });
    await other.emulateMedia({ colorScheme: "dark" });
    await other.goto(linksUrl());
    await pages.getByText(/Page 1 of 2/).waitFor();
    await checkAccessibility(other, "links-dark");
    await screenshot(other, "links-dark");
    await other.context().close();
  });
});
