import { startServer } from "../test/helpers/server.js";
import { clickIdFor, trackedLink } from "../test/helpers/journey.js";
const server = await startServer({ TRUST_PROXY: "true" });
try {
  const dub = server.sdk();
  const link = await trackedLink(server);
  for (let i = 0; i < 3; i++) await clickIdFor(server, link.key, { country: "US" });
  await clickIdFor(server, link.key, { country: "DE", qr: true, referer: "https://www.google.com/x" });
  for (const groupBy of ["count","timeseries","continents","regions","countries","cities","devices","browsers","os","trigger","triggers","referers","referer_urls","top_links","top_urls","top_domains","utm_sources"] as const) {
    try {
      const r = await dub.analytics.retrieve({ groupBy, event: "composite", interval: "7d" });
      console.log(groupBy, JSON.stringify(r).slice(0, 300));
    } catch (e) { console.log(groupBy, "ERR", (e as Error).message.slice(0, 300)); }
  }
  const r = await fetch(`${server.origin}/api/analytics/export?groupBy=countries&event=composite`, { headers: { authorization: `Bearer ${server.key}` } });
  console.log(r.status, await r.text());
  const bad = await fetch(`${server.origin}/api/analytics?timezone=Mars/Base`, { headers: { authorization: `Bearer ${server.key}` } });
  console.log(bad.status, await bad.text());
} finally { await server.stop(); }
