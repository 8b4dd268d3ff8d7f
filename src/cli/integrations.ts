import { readFileSync } from "node:fs";
import { isProcessor, PROCESSORS, type Processor } from "../domain/integrations/model.js";
import { presentIntegration } from "../wire/integration.js";
import { type Command, print, table, text, UsageError, withServices, workspacePrincipal } from "./shared.js";

export const integrations: Command = {
  name: "integrations",
  usage: `integrations set stripe|shopify|paddle --secret S [--keep-previous SECONDS] [--workspace ID] [--json]
                                        set the processor's signing secret (--secret - reads it from
                                        stdin); events go to /integrations/PROCESSOR/WORKSPACE_ID
integrations list [--workspace ID] [--json]
                                        list the configured processors (a fingerprint, never the secret)
integrations remove stripe|shopify|paddle [--workspace ID] [--json]
                                        stop taking that processor's events (they are refused with 404)`,
  options: {
    workspace: { type: "string" },
    secret: { type: "string" },
    "keep-previous": { type: "string" },
  },
  actions: ["set", "list", "remove"],
  async run({ action, rest, values }) {
    let processor: Processor | undefined;
    if (action !== "list") {
      if (!rest[0] || !isProcessor(rest[0]))
        throw new UsageError(`integrations ${action} needs one of ${PROCESSORS.join(", ")}`, this);
      processor = rest[0];
    }
    let secret = text(values.secret);
    if (action === "set") {
      if (!secret)
        throw new UsageError("integrations set needs --secret (or --secret - to read stdin)", this);
      if (secret === "-") secret = readFileSync(0, "utf8").split(/\r?\n/)[0];
    }
    const keep = text(values["keep-previous"]);
    if (keep !== undefined && !/^\d+$/.test(keep))
      throw new UsageError("--keep-previous takes a number of seconds", this);
    await withServices(async ({ integrations: service, workspaces }) => {
      const principal = await workspacePrincipal(workspaces, text(values.workspace));
      const path = (p: string) => `/integrations/${p}/${principal.workspaceId}`;
      if (action === "set" && processor && secret !== undefined) {
        const saved = await service.configure(principal, processor, {
          secret,
          keepPreviousSecretSeconds: keep === undefined ? undefined : Number(keep),
        });
        const shown = { ...presentIntegration(saved, ""), webhookUrl: path(processor) };
        print(
          shown,
          values.json,
          `${processor} secret set (fingerprint ${saved.secretFingerprint}) for workspace ${principal.workspaceId}.\n` +
            `Point the processor at https://<this server>${path(processor)}`,
        );
      } else if (action === "list") {
        const rows = (await service.list(principal)).map((item) => ({
          ...presentIntegration(item, ""),
          webhookUrl: path(item.processor),
        }));
        print(
          rows,
          values.json,
          table(
            rows.map((row) => ({
              processor: row.processor,
              path: row.webhookUrl,
              fingerprint: row.secretFingerprint,
              updatedAt: row.updatedAt,
            })),
          ),
        );
      } else if (processor) {
        await service.remove(principal, processor);
        print({ processor, removed: true }, values.json, `Removed the ${processor} integration.`);
      }
    });
  },
};
