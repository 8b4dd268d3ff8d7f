import { type Command, iso, print, table, text, UsageError, withServices, words } from "./shared.js";

export const workspaces: Command = {
  name: "workspaces",
  usage: `workspaces create --name NAME [--json]  create a workspace
workspaces list [--json]                list workspaces
workspaces update ID --allowed-hostnames "example.com,*.example.com" [--json]
                                        sites whose pages may track from the browser (/track/click,
                                        and with a publishable key /track/lead/client, /track/sale/client)`,
  options: { name: { type: "string" }, "allowed-hostnames": { type: "string" } },
  actions: ["create", "list", "update"],
  async run({ action, rest, values }) {
    const name = text(values.name);
    const hostnames = text(values["allowed-hostnames"]);
    if (action === "create" && !name) throw new UsageError("workspaces create needs --name NAME", this);
    if (action === "update" && (!rest[0] || hostnames === undefined))
      throw new UsageError('workspaces update needs ID --allowed-hostnames "…"', this);
    await withServices(async ({ workspaces: service }) => {
      if (action === "create") {
        const workspace = await service.createWorkspace(name ?? "");
        print(
          { id: workspace.id, name: workspace.name, slug: workspace.slug },
          values.json,
          `Created workspace ${workspace.id} (${workspace.name}, slug ${workspace.slug})`,
        );
      } else if (action === "list") {
        const all = await service.listWorkspaces();
        const rows = all.map((w) => ({
          id: w.id,
          name: w.name,
          slug: w.slug,
          allowedHostnames: w.allowedHostnames,
          createdAt: iso(w.createdAt),
        }));
        print(
          rows,
          values.json,
          table(rows.map((row) => ({ ...row, allowedHostnames: row.allowedHostnames.join(" ") }))),
        );
      } else {
        await service.setAllowedHostnames(rest[0], words(hostnames));
        print({ id: rest[0], allowedHostnames: words(hostnames) }, values.json, `Updated ${rest[0]}`);
      }
    });
  },
};
