import assert from "node:assert/strict";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BROWSER_UA, type TestServer } from "./server.js";

// Each test process starts elsewhere in 10/8: suites that share the PostgreSQL pass's Redis share its per-address
// counters (sign-in failures), so two processes must not hand out the same addresses.
let visitor = (process.pid % 250) << 16;

/** A fresh client address, so every visit is a new visitor (needs a server started with TRUST_PROXY). */
export function uniqueIp(): string {
  visitor += 1;
  return `10.${(visitor >> 16) & 255}.${(visitor >> 8) & 255}.${visitor & 255}`;
}

let linkCount = 0;
const nextLinkKey = () => {
  linkCount += 1;
  return `tl${Date.now().toString(36)}${linkCount}`;
};

/** A link with conversion tracking on, created through the SDK. */
export async function trackedLink(server: TestServer, key = nextLinkKey(), token?: string) {
  return server.sdk(token).links.create({ url: `https://example.com/${key}`, key, trackConversion: true });
}

/** How a visit looks: the country a trusted proxy names (needs TRUST_PROXY), the browser, the referrer, a QR scan. */
export type VisitAs = { country?: string; userAgent?: string; referer?: string; qr?: boolean };

/** Visits `/<key>` as a new visitor and returns the `dub_id` the redirect hands over. */
export async function clickIdFor(server: TestServer, key: string, as: VisitAs = {}): Promise<string> {
  const headers: Record<string, string> = { "x-forwarded-for": uniqueIp() };
  if (as.country) headers["cf-ipcountry"] = as.country;
  if (as.userAgent) headers["user-agent"] = as.userAgent;
  if (as.referer) headers.referer = as.referer;
  return clickIdAt(server.origin, `${key}${as.qr ? "?qr=1" : ""}`, headers);
}

/** Visits `/<path>` on the server at `origin` as a browser (with `headers`) and returns the `dub_id` handed over. */
export async function clickIdAt(
  origin: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(`${origin}/${path}`, {
    redirect: "manual",
    headers: { "user-agent": BROWSER_UA, ...headers },
  });
  if (response.status !== 302) throw new Error(`visiting /${path} answered ${response.status}`);
  const clickId = new URL(response.headers.get("location") ?? "").searchParams.get("dub_id");
  if (!clickId) throw new Error(`visiting /${path} gave no dub_id: ${response.headers.get("location")}`);
  return clickId;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the tests
type Json = any;

/** A call to the API of the server at `origin` with `key`: the status and the parsed answer (null when empty). */
export async function apiCall(
  origin: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${origin}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The same call, which must answer 200: the parsed answer. */
export async function apiJson(
  origin: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Json> {
  const answer = await apiCall(origin, key, method, path, body);
  assert.equal(answer.status, 200, `${method} ${path}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A tracked link and one click on it. */
export async function linkWithClick(server: TestServer, token?: string) {
  const link = await trackedLink(server, undefined, token);
  return { link, clickId: await clickIdFor(server, link.key) };
}

export type LinkCounters = {
  clicks: number;
  leads: number;
  sales: number;
  sale_amount: number;
  conversions: number;
};

export const linkCounters = async (server: TestServer, linkId: string) =>
  (await server.one<LinkCounters>(
    "select clicks, leads, sales, sale_amount, conversions from links where id = ?",
    linkId,
  )) as LinkCounters;

export type CustomerRow = {
  id: string;
  external_id: string;
  name: string;
  email: string | null;
  avatar: string | null;
  click_id: string | null;
  link_id: string | null;
  sales: number;
  sale_amount: number;
  first_sale_at: number | null;
};

export const customerRow = (server: TestServer, externalId: string, workspaceId = server.workspaceId) =>
  server.one<CustomerRow>(
    "select * from customers where workspace_id = ? and external_id = ?",
    workspaceId,
    externalId,
  );

/** `sqlText` is a `select count(*) as n ...`; the count as a number on either store. */
export const countRows = async (server: TestServer, sqlText: string, ...params: unknown[]) =>
  Number((await server.one<{ n: number | string }>(sqlText, ...params))?.n);

let uniqueCount = 0;
/** A value no other test has used, e.g. an external id or an invoice id. */
export function unique(prefix: string): string {
  uniqueCount += 1;
  return `${prefix}-${Date.now().toString(36)}-${uniqueCount}`;
}

/** A raw JSON POST to the API with the workspace key, returning status, content type and the text as sent. */
export async function postRaw(
  server: TestServer,
  path: string,
  body: string,
  token = server.key,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.origin}/api${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json",
      ...headers,
    },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text: await response.text(),
  };
}

/** A request through node:http, for headers fetch would not send as given (e.g. an empty Content-Type). */
export function rawRequest(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method, headers: options.headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** An HTTP server on 127.0.0.1 answering every request with `body`; close it in `after`. */
export async function fixtureServer(body: string, contentType = "application/xml") {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": contentType });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/eurofxref-daily.xml`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
