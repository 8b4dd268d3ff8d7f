// A client of Clicktrail written against types that openapi-typescript generates from GET /api/openapi.json, called
// through openapi-fetch. `clicktrail-openapi` names those generated types: test/api/openapi.test.ts writes them
// from the served document, type-checks this file against them, then runs it against that server. The project's
// own type check leaves this directory out, since the types exist only while that test runs.
import type { paths } from "clicktrail-openapi";
import createClient, { type Client } from "openapi-fetch";

export type Api = Client<paths>;

export const apiClient = (baseUrl: string, token: string): Api =>
  createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

function ok<T>(result: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (result.data === undefined) {
    throw new Error(`${what} answered ${result.response.status}: ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

/** Link → click (`visit` follows the short link and returns its click id) → lead → sale → analytics and events. */
export async function journey(api: Api, key: string, visit: (key: string) => Promise<string>) {
  const link = ok(
    await api.POST("/links", {
      body: { url: `https://shop.example.com/${key}`, key, trackConversion: true },
    }),
    "createLink",
  );
  const listed = ok(await api.GET("/links", { params: { query: { search: key } } }), "getLinks");
  const clickId = await visit(link.key);
  const customerExternalId = `customer-${key}`;
  const lead = ok(
    await api.POST("/track/lead", {
      body: { clickId, eventName: "Sign up", customerExternalId, customerEmail: `${key}@example.com` },
    }),
    "trackLead",
  );
  const sale = ok(
    await api.POST("/track/sale", {
      body: { customerExternalId, amount: 4900, currency: "usd", invoiceId: `in_${key}` },
    }),
    "trackSale",
  );
  const counts = ok(
    await api.GET("/analytics", {
      params: { query: { event: "composite", groupBy: "count", linkId: link.id } },
    }),
    "retrieveAnalytics",
  );
  if (Array.isArray(counts)) throw new Error("groupBy=count answered a list");
  const sales = ok(
    await api.GET("/events", { params: { query: { event: "sales", linkId: link.id } } }),
    "listEvents",
  );
  const missing = await api.GET("/links/{linkId}", { params: { path: { linkId: `link_${key}_missing` } } });
  return {
    link: { id: link.id, shortLink: link.shortLink, trackConversion: link.trackConversion },
    listedIds: listed.map((listedLink) => listedLink.id),
    lead: { clickId: lead.click.id, linkId: lead.link?.id ?? null, customer: lead.customer.externalId },
    sale: { amount: sale.sale?.amount ?? null, currency: sale.sale?.currency ?? null },
    counts: {
      clicks: counts.clicks,
      leads: counts.leads,
      sales: counts.sales,
      saleAmount: counts.saleAmount,
    },
    saleEvents: sales.map((event) =>
      event.event === "sale"
        ? { invoiceId: event.sale.invoiceId, customer: event.customer.externalId }
        : null,
    ),
    missing: { status: missing.response.status, code: missing.error?.error.code },
  };
}
