import {
  type Command,
  iso,
  print,
  table,
  text,
  UsageError,
  withServices,
  words,
  workspacePrincipal,
} from "./shared.js";

export const keys: Command = {
  name: "keys",
  usage: `keys create [--workspace ID] [--name NAME] [--scopes "links.read links.write …"] [--user EMAIL] [--json]
                                        create a secret API key; it is printed once. With --user it
                                        acts as that member (their folders, their id on links);
                                        without, as the workspace itself (every folder, no user)
keys create --publishable [--workspace ID] [--name NAME] [--json]
                                        create a publishable key (dub_pk_…) for web pages: it only
                                        tracks clicks, leads and sales from the workspace's allowed
                                        host names (workspaces update ID --allowed-hostnames …)
keys list [--workspace ID] [--json]     list API keys (never the keys themselves)
keys revoke ID [--json]                 revoke an API key at once`,
  options: {
    workspace: { type: "string" },
    name: { type: "string" },
    scopes: { type: "string" },
    publishable: { type: "boolean" },
    user: { type: "string" },
  },
  actions: ["create", "list", "revoke"],
  async run({ action, rest, values }) {
    if (action === "revoke" && !rest[0])
      throw new UsageError("keys revoke needs the key id (see keys list)", this);
    await withServices(async ({ workspaces: service, accounts }) => {
      if (action === "create") {
        const email = text(values.user);
        const workspaceId = email
          ? (await workspacePrincipal(service, text(values.workspace))).workspaceId
          : undefined;
        const user = email && workspaceId ? await accounts.memberOf(workspaceId, email) : null;
        const created = await service.createKey({
          userId: user?.id ?? null,
          workspaceId: workspaceId ?? text(values.workspace),
          name: text(values.name),
          scopes: words(values.scopes),
          publishable: values.publishable === true,
        });
        const what = created.kind === "publishable" ? "publishable key" : "API key";
        print(
          created,
          values.json,
          `Created ${what} ${created.id} in workspace ${created.workspaceId}:\n\n  ${created.key}\n\nIt is shown only this once.`,
        );
      } else if (action === "list") {
        const rows = (await service.listKeys(text(values.workspace))).map((k) => ({
          id: k.id,
          workspaceId: k.workspaceId,
          name: k.name,
          kind: k.kind,
          key: k.partialKey,
          scopes: k.scopes,
          userId: k.userId,
          createdAt: iso(k.createdAt),
          revokedAt: iso(k.revokedAt),
        }));
        print(
          rows,
          values.json,
          table(rows.map((row) => ({ ...row, scopes: row.scopes?.join(" ") ?? "(all)" }))),
        );
      } else {
        await service.revokeKey(rest[0]);
        print({ id: rest[0], revoked: true }, values.json, `Revoked ${rest[0]}`);
      }
    });
  },
};
