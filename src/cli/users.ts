import { checkEmail, checkPassword } from "../domain/accounts/credentials.js";
import { isRole, type Role } from "../domain/accounts/model.js";
import {
  type Command,
  iso,
  print,
  table,
  text,
  UsageError,
  withServices,
  workspacePrincipal,
} from "./shared.js";

export const users: Command = {
  name: "users",
  usage: `users create --email E --password P [--name N] [--workspace ID] [--role owner|member] [--json]
                                        create a dashboard user, member of the workspace (the only
                                        one when --workspace is left out) with the role (owner)
users reset-password --email E --password P [--json]
                                        set a user's password; every session of theirs ends
users list [--json]                     list users and the workspaces they belong to`,
  options: {
    email: { type: "string" },
    password: { type: "string" },
    name: { type: "string" },
    workspace: { type: "string" },
    role: { type: "string" },
  },
  actions: ["create", "reset-password", "list"],
  async run({ action, values }) {
    const email = text(values.email);
    const password = text(values.password);
    if (action !== "list" && (!email || !password))
      throw new UsageError(`users ${action} needs --email and --password`, this);
    const role = text(values.role) ?? "owner";
    if (!isRole(role)) throw new UsageError(`--role is owner or member, not ${role}`, this);
    await withServices(async ({ accounts, workspaces }) => {
      if (action === "create") {
        checkEmail(email ?? "");
        checkPassword(password ?? "");
        const { workspaceId } = await workspacePrincipal(workspaces, text(values.workspace));
        const user = await accounts.createUser(
          { email: email ?? "", password: password ?? "", name: text(values.name) },
          { workspaceId, role: role as Role },
        );
        print(
          { id: user.id, email: user.email, name: user.name, workspaceId, role },
          values.json,
          `Created user ${user.id} (${user.email}), ${role} of workspace ${workspaceId}. Sign in at /app/login.`,
        );
      } else if (action === "reset-password") {
        const user = await accounts.resetPassword(email ?? "", password ?? "");
        print(
          { id: user.id, email: user.email, sessionsEnded: true },
          values.json,
          `Changed the password of ${user.email}; every session of theirs has ended.`,
        );
      } else {
        const rows = await accounts.listUsersWithWorkspaces();
        print(
          rows.map((row) => ({ ...row, createdAt: iso(row.createdAt) })),
          values.json,
          table(
            rows.map((row) => ({
              id: row.id,
              email: row.email,
              name: row.name ?? "",
              workspaces: row.workspaces.map((w) => `${w.id} (${w.role})`).join(", ") || "(none)",
              createdAt: iso(row.createdAt),
            })),
          ),
        );
      }
    });
  },
};
