import { WEBHOOK_TRIGGERS } from "../../../src/domain/webhooks/model.js";
import { BROWSER_UA, startServer, type TestServer } from "../../helpers/server.js";
import { type Receiver, startReceiver } from "../../helpers/webhook-receiver.js";
import { fingerprinter } from "./fingerprint.js";

/** A server with a little of everything in it, and the ids the generators draw from. */
export type World = {
  server: TestServer;
  address: { host: string; port: number };
  /** A digest of every table's contents; see fingerprint.ts. */
  fingerprint: () => Promise<string>;
  /** Where the workspace's webhook delivers: a real receiver on 127.0.0.1 answering 200. */
  receiver: Receiver;
  keys: {
    /** unrestricted key of the fuzzed workspace */
    main: string;
    /** same workspace, links.read only */
    readOnly: string;
    revoked: string;
    /** a key of another workspace */
    other: string;
  };
  ids: {
    links: string[];
    /** links of the other workspace, which the main key must not see */
    otherLinks: string[];
    keys: string[];
    externalIds: string[];
    clickIds: string[];
    customers: string[];
    customerExternalIds: string[];
    invoiceIds: string[];
    webhooks: string[];
    otherWebhooks: string[];
    tags: string[];
    otherTags: string[];
    folders: string[];
    otherFolders: string[];
    webhookEvents: string[];
    /** slugs of the workspace's domains, then one of the other workspace's */
    domains: string[];
    /** This workspace's id and slug, and the other workspace's. */
    workspaces: string[];
    /** Every opaque id of the other workspace (itself, its link, click, customer, webhook): none may leak. */
    theirs: string[];
  };
  /** Host names the workspace lets call POST /api/track/click (CORS). */
  allowedOrigins: string[];
  stop(): Promise<void>;
};

/**
 * Rate limits out of the way (a 429 would hide what comes after it), webhooks allowed to the local receiver only,
 * proxy headers trusted so they are fuzzed too, and SQLite without a sync per commit: speed, not durability, here.
 */
const SERVER_ENV = {
  RATE_LIMIT_PER_MINUTE: "100000000",
  WEBHOOK_ALLOW_PRIVATE: "true",
  TRUST_PROXY: "true",
  SQLITE_SYNCHRONOUS: "normal",
  CLICK_DEDUPE_SECONDS: "0",
};

export async function startWorld(): Promise<World> {
  const server = await startServer(SERVER_ENV);
  const receiver = await startReceiver();
  const services = server.services.workspaces;
  const readOnly = await services.createKey({ workspaceId: server.workspaceId, scopes: ["links.read"] });
  const revoked = await services.createKey({ workspaceId: server.workspaceId });
  await services.revokeKey(revoked.id);
  const other = await server.newWorkspace();
  const allowedOrigins = ["https://shop.example.com", "https://blog.example.org"];
  await services.setAllowedHostnames(server.workspaceId, ["shop.example.com", "*.example.org"]);

  const call = async (path: string, body: unknown, key = server.key, method = "POST") => {
    const response = await fetch(`${server.origin}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200 && response.status !== 201)
      throw new Error(`fixture ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const visit = async (key: string) => {
    const response = await fetch(`${server.origin}/${key}`, {
      redirect: "manual",
      headers: { "user-agent": BROWSER_UA },
    });
    const location = response.headers.get("location") ?? "";
    return new URL(location).searchParams.get("dub_id") ?? "";
  };

  await call("/webhooks", {
    name: "fuzz",
    url: receiver.url,
    triggers: WEBHOOK_TRIGGERS,
  });
  const tags = [
    await call("/tags", { name: "fz-tag", color: "gray" }),
    await call("/tags", { name: "fz-second-tag" }),
  ];
  const folder = await call("/folders", { name: "fz-folder" });
  const past = new Date(Date.now() - 86_400_000).toISOString();
  const links = [
    await call("/links", { url: "https://shop.example.com/a?x=1", key: "fz-tracked", trackConversion: true }),
    await call("/links", { url: "https://shop.example.com/b", key: "fz-plain", externalId: "fz-ext" }),
    await call("/links", { url: "https://shop.example.com/c", key: "fz-gone", expiresAt: past }),
    await call("/links", {
      url: "https://shop.example.com/d",
      key: "fz-moved",
      expiresAt: past,
      expiredUrl: "https://shop.example.com/expired",
    }),
    await call("/links", { url: "https://shop.example.com/e", key: "fz-archived", archived: true }),
    await call("/links", { url: "https://shop.example.com/f", domain: "go.example.net", key: "fz-custom" }),
    await call("/links", {
      url: "https://shop.example.com/g",
      key: "fz-filed",
      tagIds: tags.map((tag) => tag.id),
      folderId: folder.id,
    }),
  ];
  const clickIds = [await visit("fz-tracked"), await visit("fz-tracked")];
  await call("/track/lead", {
    clickId: clickIds[0],
    eventName: "Sign up",
    customerExternalId: "fz-customer",
  });
  await call("/track/lead", { clickId: clickIds[1], eventName: "Sign up", customerExternalId: "fz-second" });
  await call("/track/sale", { customerExternalId: "fz-customer", amount: 4900, invoiceId: "fz-invoice" });

  const otherLink = await call(
    "/links",
    { url: "https://other.example.com/", key: "fz-other", trackConversion: true },
    other.key,
  );
  const otherClick = await visit("fz-other");
  await call(
    "/track/lead",
    { clickId: otherClick, eventName: "Sign up", customerExternalId: "fz-theirs" },
    other.key,
  );
  await call("/domains", {
    slug: "fz.example.net",
    placeholder: "https://shop.example.com/home",
    notFoundUrl: "https://shop.example.com/missing",
    expiredUrl: "https://shop.example.com/expired",
  });
  const otherDomain = await call("/domains", { slug: "fz-theirs.example.net" }, other.key);
  const otherTag = await call("/tags", { name: "fz-tag" }, other.key);
  const otherFolder = await call("/folders", { name: "fz-folder" }, other.key);
  const otherWebhook = await call(
    "/webhooks",
    { name: "theirs", url: receiver.url, triggers: ["lead.created"] },
    other.key,
  );

  const column = async (sql: string, ...params: unknown[]) =>
    (await server.query<{ v: string }>(sql, ...params)).map((row) => String(row.v));
  const ws = server.workspaceId;
  return {
    server,
    address: { host: "127.0.0.1", port: Number(new URL(server.origin).port) },
    fingerprint: await fingerprinter(server),
    receiver,
    keys: { main: server.key, readOnly: readOnly.key, revoked: revoked.key, other: other.key },
    ids: {
      links: links.map((link) => String(link.id)),
      otherLinks: [String(otherLink.id)],
      keys: [
        "fz-tracked",
        "fz-plain",
        "fz-gone",
        "fz-moved",
        "fz-archived",
        "fz-custom",
        "fz-filed",
        "fz-other",
      ],
      externalIds: ["fz-ext", "ext_fz-ext"],
      clickIds: [...clickIds, otherClick],
      customers: await column("select id as v from customers order by external_id"),
      customerExternalIds: ["fz-customer", "fz-second", "fz-theirs"],
      invoiceIds: ["fz-invoice"],
      webhooks: await column("select id as v from webhooks where workspace_id = ?", ws),
      otherWebhooks: [String(otherWebhook.id)],
      tags: tags.map((tag) => String(tag.id)),
      otherTags: [String(otherTag.id)],
      folders: [String(folder.id)],
      otherFolders: [String(otherFolder.id)],
      webhookEvents: await column("select event_id as v from webhook_messages order by event_id"),
      domains: ["go.example.net", "fz.example.net", "fz-theirs.example.net"],
      workspaces: await column("select id as v from workspaces union all select slug as v from workspaces"),
      theirs: [
        other.workspaceId,
        String(otherLink.id),
        otherClick,
        String(otherWebhook.id),
        String(otherDomain.id),
        String(otherTag.id),
        String(otherFolder.id),
        ...(await column("select id as v from customers where workspace_id = ?", other.workspaceId)),
      ],
    },
    allowedOrigins,
    async stop() {
      await server.stop();
      await receiver.close();
    },
  };
}
