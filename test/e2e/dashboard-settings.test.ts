// The settings pages in Chromium against a real server process: API keys (created in the page, used with the `dub`
// SDK, edited, revoked), webhooks (created in the page, a delivery and a test event in its log, edited), the
// workspace's name and allowed host names, domains and tags, members and invites (accepted in a second browser; an expired one is
// 410), and what a member may not do. axe-core runs on every section; each is saved as a screenshot.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import { Dub } from "dub";
import {
  browserMissing,
  checkAccessibility,
  confirmDialog,
  dashboardSuite,
  FIRST_WORKSPACE,
  focusArrives,
  screenshot,
} from "../helpers/dashboard.js";
import { cliJson, type Receiver, startReceiver, until } from "../helpers/processes.js";
import { rejection } from "../helpers/rejection.js";
import { verifyDubSignature } from "../helpers/webhook-receiver.js";

describe("dashboard settings", { skip: browserMissing, timeout: 180_000 }, () => {
  const dash = dashboardSuite({ WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_POLL_MS: "50" });
  let receiver: Receiver;
  const settings = (section: string) => dash.app(`settings/${section}`);
  const sdk = (token: string) => new Dub({ token, serverURL: `${dash.origin}/api` });

  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver?.close());

  test("an API key created in the page works with the dub SDK, shows its last use, and stops once revoked", async () => {
    const page = dash.page;
    await page.goto(settings("keys"));
    const form = page.getByRole("form", { name: "Create an API key" });
    await form.getByLabel("Name", { exact: true }).fill("Links robot");
    await form.getByLabel("Restricted").check();
    await form.getByRole("group", { name: "Links" }).getByLabel("Read").check();
    await form.getByRole("group", { name: "Links" }).getByLabel("Write").check();
    await form.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("shown-once").textContent()) ?? "";
    assert.match(key, /^dub_[0-9A-Za-z]{24}$/);
    await screenshot(page, "settings-keys-created");

    await sdk(key).links.create({ url: "https://example.com/from-the-page-key" });
    const listed = (await sdk(key).links.list()).result;
    assert.ok(listed.some((link) => link.url === "https://example.com/from-the-page-key"));
    await assert.rejects(sdk(key).analytics.retrieve({}), /permission|403|forbidden/i, "restricted to links");

    await page.getByRole("button", { name: "Done" }).click();
    await page.reload();
    const row = page.getByRole("row", { name: /Links robot/ });
    await row.getByText("links.read, links.write").waitFor();
    assert.doesNotMatch((await row.textContent()) ?? "", /Never/, "its use is shown");
    assert.ok(((await row.textContent()) ?? "").includes(`${key.slice(0, 7)}…${key.slice(-4)}`));
    await checkAccessibility(page, "settings/keys");
    await screenshot(page, "settings-keys");

    await row.getByRole("button", { name: "Revoke Links robot" }).click();
    const dialog = page.getByRole("alertdialog");
    await dialog.getByText("stops working at once").waitFor();
    await checkAccessibility(page, "settings/keys revoke dialog");
    await confirmDialog(page, "Revoke key", dialog);
    await page.getByRole("row", { name: /Links robot/ }).waitFor({ state: "detached" });
    await assert.rejects(sdk(key).links.list(), /401|Unauthorized/i);
  });

  test("a key's name and permissions edited in the page hold at its next call with the dub SDK", async () => {
    const page = dash.page;
    await page.goto(settings("keys"));
    const form = page.getByRole("form", { name: "Create an API key" });
    await form.getByLabel("Name", { exact: true }).fill("Editable robot");
    await form.getByLabel("Restricted").check();
    await form.getByRole("group", { name: "Links" }).getByLabel("Write").check();
    await form.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("shown-once").textContent()) ?? "";
    await page.getByRole("button", { name: "Done" }).click();
    const robot = sdk(key);
    await robot.links.create({ url: "https://example.com/before-the-edit" });

    const trigger = page.getByRole("button", { name: "Edit Editable robot" });
    await trigger.click();
    const dialog = page.getByRole("dialog", { name: /Edit the key "Editable robot"/ });
    const edit = dialog.getByRole("form", { name: "Edit Editable robot" });
    assert.equal(
      await edit.getByLabel("Restricted").isChecked(),
      true,
      "the dialog opens on the key's scopes",
    );
    assert.equal(await edit.getByRole("group", { name: "Links" }).getByLabel("Write").isChecked(), true);
    await checkAccessibility(page, "settings/keys edit dialog");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await focusArrives(page, "button: Edit Editable robot", "Escape gives the focus back to the Edit button");

    await trigger.click();
    await edit.getByLabel("Name", { exact: true }).fill("Analytics robot");
    await edit.getByRole("group", { name: "Links" }).getByLabel("Write").uncheck();
    await edit.getByRole("button", { name: "Save key" }).waitFor();
    assert.equal(
      await edit.getByRole("button", { name: "Save key" }).isDisabled(),
      true,
      "no permission chosen",
    );
    await edit.getByRole("group", { name: "Analytics" }).getByLabel("Read").check();
    await screenshot(page, "settings-keys-edit");
    await edit.getByRole("button", { name: "Save key" }).click();
    await dialog.waitFor({ state: "detached" });
    await page
      .getByRole("row", { name: /Analytics robot/ })
      .getByText("analytics.read")
      .waitFor();

    await rejection(robot.links.list(), 403, { message: /'links\.read'/ });
    await rejection(robot.links.create({ url: "https://example.com/after-the-edit" }), 403);
    const analytics = await robot.analytics.retrieve({});
    assert.ok(analytics, "the permission it gained");

    await page.getByRole("button", { name: "Edit Analytics robot" }).click();
    const again = page.getByRole("form", { name: "Edit Analytics robot" });
    await again.getByLabel("All access").check();
    await again.getByRole("button", { name: "Save key" }).click();
    await page
      .getByRole("row", { name: /Analytics robot/ })
      .getByText("All access")
      .waitFor();
    assert.ok((await robot.links.list()).result.length > 0, "every scope again");

    // A confirmation opened by a plain button gives the focus back to it when cancelled.
    await page.getByRole("button", { name: "Revoke Analytics robot" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("alertdialog").waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("alertdialog").waitFor({ state: "detached" });
    await focusArrives(page, "button: Revoke Analytics robot", "Escape gives the focus back to Revoke");
  });

  test("a webhook created in the page receives a delivery shown in its log, and a test event", async () => {
    const page = dash.page;
    await page.goto(settings("webhooks"));
    const form = page.getByRole("form", { name: "Create a webhook" });
    await form.getByLabel("Name", { exact: true }).fill("Receiver");
    await form.getByLabel("URL").fill(receiver.url);
    await form.getByLabel("lead.created").uncheck();
    await form.getByLabel("sale.created").uncheck();
    await form.getByLabel("link.created").check();
    await form.getByRole("button", { name: "Create webhook" }).click();
    const secret = (await page.getByTestId("shown-once").textContent()) ?? "";
    assert.match(secret, /^whsec_/);
    receiver.secret = secret;
    await page.getByRole("button", { name: "Done" }).click();

    const link = await dash.sdk.links.create({ url: "https://example.com/hooked" });
    const delivery = await until(() => receiver.of("link.created")[0], "link.created at the receiver");
    assert.ok(verifyDubSignature(secret, delivery.raw, delivery.headers["dub-signature"] as string));
    assert.equal(delivery.json.data.id, link.id);

    const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Receiver" }) });
    await card.getByRole("button", { name: "Delivery log" }).click();
    const logged = card.locator(`tr[data-event-id="${delivery.json.id}"]`);
    await logged.getByText("delivered").waitFor();
    assert.match((await logged.textContent()) ?? "", /200 in \d+ ms/, "the attempt and its status");

    await card.getByRole("button", { name: "Send test event" }).click();
    const sample = await until(
      () => receiver.deliveries.find((each) => each.json.id !== delivery.json.id),
      "the test event at the receiver",
    );
    assert.ok(sample.dubSignatureValid, "the test event is signed");
    await card.locator(`tr[data-event-id="${sample.json.id}"]`).getByText("delivered").waitFor();
    await checkAccessibility(page, "settings/webhooks");
    await screenshot(page, "settings-webhooks");

    await card
      .locator(`tr[data-event-id="${delivery.json.id}"]`)
      .getByRole("button", { name: /Retry/ })
      .click();
    await until(
      () => receiver.deliveries.filter((each) => each.json.id === delivery.json.id).length === 2,
      "the retried delivery, with the same event id",
    );

    // Edit: a new name and URL, other events, and only the events of one link.
    await dash.sdk.links.create({ url: "https://example.com/not-hooked", key: "not-hooked" });
    await card.getByRole("button", { name: "Edit Receiver" }).click();
    const edit = page.getByRole("form", { name: "Edit Receiver" });
    await edit.getByLabel("Name", { exact: true }).fill("Clicks of hooked");
    await edit.getByLabel("URL").fill(`${receiver.url}?edited=1`);
    await edit.getByLabel("link.created").uncheck();
    await edit.getByLabel("link.clicked").check();
    await edit.getByLabel("Find a link").fill("hooked");
    await edit.getByRole("button", { name: /^Add .*\/not-hooked$/ }).waitFor();
    await edit.getByRole("button", { name: `Add ${link.shortLink.replace(/^https?:\/\//, "")}` }).click();
    await edit.getByRole("list", { name: "Chosen links" }).getByText(link.key).waitFor();
    await checkAccessibility(page, "settings/webhooks, edit form");
    await screenshot(page, "settings-webhooks-edit");
    await edit.getByRole("button", { name: "Save webhook" }).click();
    const edited = page
      .getByRole("listitem")
      .filter({ has: page.getByRole("heading", { name: "Clicks of hooked" }) });
    await edited.getByText("link.clicked · 1 link(s)").waitFor();
    type Hook = { name: string; url: string; triggers: string[]; linkIds: string[] };
    const { body: hooks } = await dash.api<Hook[]>("GET", "/webhooks");
    assert.deepEqual(hooks.map(({ name, url, triggers, linkIds }) => ({ name, url, triggers, linkIds }))[0], {
      name: "Clicks of hooked",
      url: `${receiver.url}?edited=1`,
      triggers: ["link.clicked"],
      linkIds: [link.id],
    });
  });

  test("at a phone's width in dark mode every section passes axe-core", async () => {
    const phone = await dash.ownerPage({ width: 390, height: 844, colorScheme: "dark" });
    for (const section of ["general", "keys", "webhooks", "members", "domains", "tags"]) {
      await phone.goto(settings(section));
      await phone.getByRole("heading", { level: 2 }).waitFor();
      await phone.locator("main p.muted, main table, main form").first().waitFor();
      await checkAccessibility(phone, `settings/${section} (phone, dark)`);
      await screenshot(phone, `settings-${section}-phone-dark`);
    }
  });

  test("the workspace's name and allowed host names are saved through PATCH /workspaces", async () => {
    const page = dash.page;
    await page.goto(settings("general"));
    await page.getByLabel("Workspace name").fill("Acme");
    await page.getByLabel("Allowed host names").fill("shop.example.com\n*.example.org");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    const { body: workspace } = await dash.api<{ name: string; allowedHostnames: string[] }>(
      "GET",
      `/workspaces/${FIRST_WORKSPACE}`,
    );
    assert.equal(workspace.name, "Acme");
    assert.deepEqual(workspace.allowedHostnames, ["shop.example.com", "*.example.org"]);

    await page.getByLabel("Allowed host names").fill("not a host/name");
    await page.getByRole("button", { name: "Save" }).click();
    await page
      .getByRole("alert")
      .getByText(/Not a host name/)
      .waitFor();
    await checkAccessibility(page, "settings/general");
    await screenshot(page, "settings-general");
  });

  test("domains and tags: add, edit, delete", async () => {
    const page = dash.page;
    await page.goto(settings("domains"));
    const add = page.getByRole("form", { name: "Add a domain" });
    await add.getByLabel("Domain").fill("go.example.com");
    await add.getByRole("button", { name: "Add domain" }).click();
    await page.getByRole("button", { name: "Edit go.example.com" }).waitFor();
    await page.getByRole("button", { name: "Edit go.example.com" }).click();
    const edit = page.getByRole("form", { name: "Edit go.example.com" });
    await edit.getByLabel("Root redirect (optional)").fill("https://example.com/home");
    await edit.getByRole("button", { name: "Save domain" }).click();
    await page.getByText(/Root: https:\/\/example\.com\/home/).waitFor();
    await checkAccessibility(page, "settings/domains");
    await screenshot(page, "settings-domains");
    await page.getByRole("button", { name: "Delete go.example.com" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete domain" }).click();
    await page.getByText("No custom domains").waitFor();

    await page.goto(settings("tags"));
    const addTag = page.getByRole("form", { name: "Add a tag" });
    await addTag.getByLabel("Name", { exact: true }).fill("Newsletter");
    await addTag.getByRole("button", { name: "Add tag" }).click();
    await page.getByRole("button", { name: "Edit Newsletter" }).click();
    const editTag = page.getByRole("form", { name: "Edit Newsletter" });
    await editTag.getByLabel("Name", { exact: true }).fill("Spring newsletter");
    await editTag.getByLabel("Colour").selectOption("green");
    await editTag.getByRole("button", { name: "Save tag" }).click();
    await page.locator(".tag-chip", { hasText: "Spring newsletter" }).waitFor();
    const tags = await dash.sdk.tags.list({});
    assert.deepEqual(
      tags.map((tag) => [tag.name, tag.color]),
      [["Spring newsletter", "green"]],
    );
    await checkAccessibility(page, "settings/tags");
    await screenshot(page, "settings-tags");
    await page.getByRole("button", { name: "Delete Spring newsletter" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete tag" }).click();
    await page.getByText("No tags yet.").waitFor();
  });

  test("an invite accepted in a second browser; an expired one is 410; a member cannot manage keys or open another workspace", async () => {
    const page = dash.page;
    await page.goto(settings("members"));
    const invite = async (email: string) => {
      const form = page.getByRole("form", { name: "Invite someone" });
      await form.getByLabel("Email").fill(email);
      await form.getByRole("button", { name: "Create invite link" }).click();
      const url = (await page.getByTestId("shown-once").textContent()) ?? "";
      assert.match(url, /\/app\/invite\?token=/);
      await page.getByRole("button", { name: "Done" }).click();
      return url;
    };
    const memberUrl = await invite("mia@example.com");
    const expiredUrl = await invite("late@example.com");
    await page.getByRole("row", { name: /late@example\.com/ }).waitFor();
    await checkAccessibility(page, "settings/members");
    await screenshot(page, "settings-members");

    const memberPage = await dash.newPage();
    await memberPage.goto(memberUrl);
    await memberPage.getByLabel("Name").fill("Mia Member");
    await memberPage.getByLabel("Password").fill("member password 1");
    await Promise.all([
      memberPage.waitForURL((url) => !url.pathname.startsWith("/app/invite")),
      memberPage.getByRole("button", { name: "Create account and join" }).click(),
    ]);
    await page.reload();
    await page.getByRole("row", { name: /mia@example\.com/ }).waitFor();

    const database = new SQLite(join(dash.dataDir, "clicktrail.sqlite"));
    try {
      database
        .prepare("update invites set expires_at = ? where email = ?")
        .run(Date.now() - 1000, "late@example.com");
    } finally {
      database.close();
    }
    const token = new URL(expiredUrl).searchParams.get("token") ?? "";
    const refused = await fetch(`${dash.origin}/api/invites/${token}`);
    assert.equal(refused.status, 410);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "invite_expired");
    const latePage = await dash.newPage();
    await latePage.goto(expiredUrl);
    await latePage.getByRole("heading", { name: "This invite has expired or was used" }).waitFor();

    // The member: the keys section explains instead of offering, and the API refuses too.
    await memberPage.goto(settings("keys"));
    await memberPage
      .getByRole("note")
      .getByText(/Only owners of this workspace can see, create, edit and revoke API keys/)
      .waitFor();
    assert.equal(await memberPage.getByRole("form", { name: "Create an API key" }).count(), 0);
    await checkAccessibility(memberPage, "settings/keys as a member");
    await screenshot(memberPage, "settings-keys-member");
    const cookies = await memberPage.context().cookies(dash.origin);
    const session = cookies.find((cookie) => cookie.name === "ct_session")?.value;
    assert.ok(session, "the member is signed in");
    const asMember = (path: string, init: RequestInit = {}) =>
      fetch(`${dash.origin}/api${path}`, {
        ...init,
        headers: { cookie: `ct_session=${session}`, origin: dash.origin, ...(init.headers ?? {}) },
      });
    assert.equal((await asMember("/tokens")).status, 403);

    const other = await cliJson<{ id: string; slug: string }>(
      ["workspaces", "create", "--name", "Elsewhere"],
      { DATA_DIR: dash.dataDir },
    );
    assert.equal((await asMember(`/links?workspaceId=${other.id}`)).status, 403);
    await memberPage.goto(`${dash.origin}/app/${other.slug}/links`);
    await memberPage.waitForURL((url) => url.pathname.startsWith(`/app/${FIRST_WORKSPACE}/`));

    // The owner promotes Mia and demotes her again, revokes a pending invite, then removes her.
    const roles = async () =>
      (
        (await fetch(`${dash.origin}/api/workspaces/${FIRST_WORKSPACE}/members`, {
          headers: { cookie: `ct_session=${await dash.ownerSession()}` },
        }).then((response) => response.json())) as { email: string; role: string }[]
      ).find((member) => member.email === "mia@example.com")?.role;
    await page.reload();
    const role = page.getByLabel("Role of Mia Member");
    await role.selectOption("owner");
    await until(async () => (await roles()) === "owner", "Mia to be an owner");
    await role.selectOption("member");
    await until(async () => (await roles()) === "member", "Mia to be a member again");

    const revokedUrl = await invite("never@example.com");
    await page.getByRole("button", { name: "Revoke invite for never@example.com" }).click();
    await confirmDialog(page, "Revoke invite");
    await page.getByRole("row", { name: /never@example\.com/ }).waitFor({ state: "detached" });
    const revokedToken = new URL(revokedUrl).searchParams.get("token") ?? "";
    assert.equal((await fetch(`${dash.origin}/api/invites/${revokedToken}`)).status, 410);

    await page.getByRole("button", { name: "Remove Mia Member" }).click();
    const dialog = page.getByRole("alertdialog", { name: /Remove Mia Member/ });
    await dialog.getByText("mia@example.com loses access").waitFor();
    await confirmDialog(page, "Remove member", dialog);
    await page.getByRole("row", { name: /mia@example\.com/ }).waitFor({ state: "detached" });
    assert.equal(await roles(), undefined);
    assert.equal(
      (await asMember(`/links?workspaceId=${FIRST_WORKSPACE}`)).status,
      403,
      "a removed member is out",
    );
  });
});
