import { INTERVALS } from "../domain/events/time-range.js";
import { type Command, print, text, withServices, workspacePrincipal } from "./shared.js";
import { formatStats, statsReport } from "./stats-report.js";

export const stats: Command = {
  name: "stats",
  usage: `stats [--workspace ID] [--link [DOMAIN/]KEY] [--interval 30d] [--json]
                                        the funnel (clicks → leads → sales, revenue) and the top links;
                                        KEY alone is on the default short domain; intervals:
                                        ${INTERVALS.join(" ")}`,
  options: { workspace: { type: "string" }, link: { type: "string" }, interval: { type: "string" } },
  async run({ values }) {
    await withServices(
      async (services, config) => {
        const principal = await workspacePrincipal(services.workspaces, text(values.workspace));
        const report = await statsReport(services, principal, {
          link: text(values.link),
          interval: text(values.interval),
          defaultDomain: config.shortDomain,
        });
        print(report, values.json, formatStats(report));
      },
      { settled: true },
    );
  },
};
