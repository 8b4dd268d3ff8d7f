import { loadConfig } from "../config.js";
import { type Command, print, UsageError, withStorage } from "./shared.js";

export const shortDomain: Command = {
  name: "short-domain",
  usage: `short-domain [--json]                   show the default short domain, fixed at first start
short-domain set DOMAIN [--json]        change it: new links without a domain get DOMAIN; existing links
                                        keep theirs and keep redirecting on it`,
  options: {},
  async run({ action, rest, values }) {
    if (action !== undefined && (action !== "set" || rest.length !== 1))
      throw new UsageError(
        action === "set" ? "short-domain set needs one DOMAIN" : `unknown action: short-domain ${action}`,
        this,
      );
    await withStorage(async ({ stores }, config) => {
      if (action === undefined) {
        const domain = (await stores.settings.findShortDomain()) ?? config.shortDomain;
        return print({ shortDomain: domain }, values.json, domain);
      }
      const parsed = loadConfig({ SHORT_DOMAIN: rest[0] });
      const before = await stores.settings.findShortDomain();
      await stores.settings.replaceShortDomain(parsed.shortDomain);
      print(
        { shortDomain: parsed.shortDomain, previous: before ?? null },
        values.json,
        `The default short domain is now ${parsed.shortDomain}. New links without a domain get it; links on ${before ?? "the previous domain"} keep that domain and keep redirecting there. Restart the servers (and set SHORT_DOMAIN=${parsed.shortDomain} or leave it unset).`,
      );
    });
  },
};
