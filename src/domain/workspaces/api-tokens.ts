import { forbidden, notFound, unprocessable } from "../errors.js";
import type { ApiKey, KeyKind, Principal } from "./model.js";
import type { WorkspaceStore } from "./ports.js";
import type { WorkspaceService } from "./workspace-service.js";

/** The caller as the dashboard's key management needs it: a signed-in user (null for an API key) and their role. */
export type TokenCaller = Pick<Principal, "workspaceId" | "userId" | "role">;

export type TokenInput = { name?: string; scopes?: string[]; kind?: KeyKind };

/** A key's new name, or its new scopes (null or empty: every scope); what is absent stays. */
export type TokenChanges = { name?: string; scopes?: string[] | null };

/**
 * A workspace's API keys as its owners manage them in the dashboard: listed without their secret, created (the
 * secret shown once), renamed or given other scopes, revoked. Only a signed-in owner may; a key may not mint or revoke keys.
 */
export class ApiTokenService {
  constructor(
    private readonly store: Pick<WorkspaceStore, "listKeys">,
    private readonly workspaces: WorkspaceService,
  ) {}

  /** The workspace's live keys, oldest first. */
  async list(caller: TokenCaller): Promise<ApiKey[]> {
    assertOwnerSession(caller);
    return this.live(caller.workspaceId);
  }

  async create(caller: TokenCaller, input: TokenInput): Promise<ApiKey & { key: string }> {
    assertOwnerSession(caller);
    const created = await this.workspaces.createKey({
      workspaceId: caller.workspaceId,
      name: input.name,
      scopes: input.scopes,
      publishable: input.kind === "publishable",
      userId: caller.userId,
    });
    const record = (await this.live(caller.workspaceId)).find((key) => key.id === created.id);
    if (!record) throw notFound(`API key ${created.id} not found.`);
    return { ...record, key: created.key };
  }

  async update(caller: TokenCaller, id: string, changes: TokenChanges): Promise<ApiKey> {
    assertOwnerSession(caller);
    if (changes.name === undefined && changes.scopes === undefined)
      throw unprocessable("Nothing to change: give the key a new name, new scopes, or both.");
    const current = (await this.live(caller.workspaceId)).find((key) => key.id === id);
    if (!current) throw notFound(`No active API key with id ${id}.`);
    await this.workspaces.updateKey(current, changes);
    const updated = (await this.live(caller.workspaceId)).find((key) => key.id === id);
    if (!updated) throw notFound(`No active API key with id ${id}.`);
    return updated;
  }

  async revoke(caller: TokenCaller, id: string): Promise<{ id: string }> {
    assertOwnerSession(caller);
    if (!(await this.live(caller.workspaceId)).some((key) => key.id === id))
      throw notFound(`No active API key with id ${id}.`);
    await this.workspaces.revokeKey(id);
    return { id };
  }

  private async live(workspaceId: string): Promise<ApiKey[]> {
    return (await this.store.listKeys(workspaceId)).filter((key) => key.revokedAt === null);
  }
}

function assertOwnerSession(caller: TokenCaller): void {
  if (!caller.userId)
    throw forbidden("API keys are managed only from the dashboard: sign in as an owner of the workspace.");
  if (caller.role !== "owner")
    throw forbidden("Only an owner of the workspace may manage its API keys; ask an owner.");
}
