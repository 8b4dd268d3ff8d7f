import { createHash } from "node:crypto";
import type { Clock } from "../clock.js";
import {
  badRequest,
  conflict,
  DomainError,
  forbidden,
  notFound,
  UniqueViolation,
  unprocessable,
} from "../errors.js";
import { alphanumeric, newApiKey, newPublishableKey, prefixedId } from "../ids.js";
import { isAllowedHostname, pageHostname } from "./allowed-sites.js";
import { cycleDay, cycleStart } from "./billing-cycle.js";
import type { ApiKey, KeyKind, Principal, Workspace, WorkspaceChanges, WorkspaceView } from "./model.js";
import type { WorkspaceStore } from "./ports.js";
import { isScope, SCOPES, type Scope } from "./scopes.js";
import { numberedSlug, slugFromName } from "./slug.js";

const HOSTNAME_PATTERN =
  /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;

export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

export type CreatedKey = { key: string; id: string; workspaceId: string; kind: KeyKind };

/** The only thing a publishable key may do, on the browser's track endpoints. */
const PUBLISHABLE_SCOPES: Scope[] = ["conversions.write"];

const LAST_USED_PRECISION_MS = 60_000;

/** Numbered alternatives tried for a taken slug before a random suffix. */
const NUMBERED_SLUGS = 20;
const randomSuffix = alphanumeric(6);

const PUBLISHABLE_TAKES_NO_SCOPES =
  "A publishable key takes no scopes: it may only track clicks, leads and sales from the browser.";

/** Dub's answer for a workspace the key may not see, whether or not it exists. */
const WORKSPACE_NOT_FOUND = "Workspace not found.";

export class WorkspaceService {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly clock: Clock,
  ) {}

  /** A new workspace, with the slug its name suggests (numbered when another workspace has it). */
  async createWorkspace(name: string): Promise<Workspace> {
    const trimmed = name.trim();
    if (!trimmed) throw badRequest("A workspace needs a name.");
    const base = slugFromName(trimmed);
    const id = prefixedId("ws");
    const createdAt = this.clock.now();
    for (let attempt = 1; attempt <= NUMBERED_SLUGS + 3; attempt++) {
      const suffix = attempt <= NUMBERED_SLUGS ? attempt : randomSuffix().toLowerCase();
      const slug = attempt === 1 ? base : numberedSlug(base, suffix);
      const workspace = { id, name: trimmed, slug, allowedHostnames: [], createdAt };
      try {
        await this.store.createWorkspace(workspace);
        return workspace;
      } catch (error) {
        if (!(error instanceof UniqueViolation && error.target === "slug")) throw error;
      }
    }
    throw conflict(`No free slug for a workspace named "${trimmed}"; choose another name.`);
  }

  /** The key's own workspace, named by its id or its slug; any other is not found. */
  async view(principal: Principal, idOrSlug: string): Promise<WorkspaceView> {
    return this.viewOf(await this.ownWorkspace(principal, idOrSlug));
  }

  /**
   * Renames the key's own workspace, changes its slug (409 when another workspace has it) or replaces the host
   * names it tracks from.
   */
  async update(principal: Principal, idOrSlug: string, changes: WorkspaceChanges): Promise<WorkspaceView> {
    const workspace = await this.ownWorkspace(principal, idOrSlug);
    let updated: Workspace | null;
    try {
      updated = await this.store.updateWorkspace(workspace.id, {
        ...changes,
        allowedHostnames: changes.allowedHostnames && validHostnames(changes.allowedHostnames),
      });
    } catch (error) {
      if (error instanceof UniqueViolation && error.target === "slug")
        throw conflict(`The slug "${changes.slug}" is already in use.`);
      throw error;
    }
    if (!updated) throw notFound(WORKSPACE_NOT_FOUND);
    return this.viewOf(updated);
  }

  private async ownWorkspace(principal: Principal, idOrSlug: string): Promise<Workspace> {
    const workspace = await this.store.getWorkspace(principal.workspaceId);
    if (!workspace || (idOrSlug !== workspace.id && idOrSlug.toLowerCase() !== workspace.slug))
      throw notFound(WORKSPACE_NOT_FOUND);
    return workspace;
  }

  private async viewOf(workspace: Workspace): Promise<WorkspaceView> {
    const billingCycleStart = cycleDay(workspace.createdAt);
    const [usage, domains] = await Promise.all([
      this.store.usageSince(workspace.id, cycleStart(billingCycleStart, this.clock.now())),
      this.store.domainsOf(workspace.id),
    ]);
    return { workspace, billingCycleStart, usage, domains };
  }

  listWorkspaces(): Promise<Workspace[]> {
    return this.store.listWorkspaces();
  }

  async setAllowedHostnames(id: string, hostnames: string[]): Promise<void> {
    if (!(await this.store.setAllowedHostnames(id, validHostnames(hostnames))))
      throw notFound(`Workspace ${id} not found.`);
  }

  /** A secret key, or with `publishable` a `dub_pk_…` key for web pages (it takes no scopes: it only tracks). */
  async createKey(options: {
    workspaceId?: string;
    name?: string;
    scopes?: string[];
    publishable?: boolean;
    /** The user the key acts as (ADR 24); the caller has checked that they are a member of the workspace. */
    userId?: string | null;
  }): Promise<CreatedKey> {
    const kind: KeyKind = options.publishable ? "publishable" : "secret";
    if (kind === "publishable" && options.scopes?.length) throw badRequest(PUBLISHABLE_TAKES_NO_SCOPES);
    const scopes = parseScopes(options.scopes);
    const workspace = await this.resolveWorkspace(options.workspaceId);
    const key = kind === "publishable" ? newPublishableKey() : newApiKey();
    const shown = kind === "publishable" ? "dub_pk_".length + 3 : 7;
    const record: ApiKey = {
      id: prefixedId("key"),
      workspaceId: workspace.id,
      name: options.name?.trim() || (kind === "publishable" ? "Publishable key" : "API key"),
      hashedKey: hashApiKey(key),
      partialKey: `${key.slice(0, shown)}…${key.slice(-4)}`,
      scopes,
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
      kind,
      userId: options.userId ?? null,
    };
    await this.store.createKey(record);
    return { key, id: record.id, workspaceId: workspace.id, kind };
  }

  listKeys(workspaceId?: string): Promise<ApiKey[]> {
    return this.store.listKeys(workspaceId);
  }

  /** Renames a live key or replaces its scopes (none or an empty list: every scope); a publishable key takes none. */
  async updateKey(
    key: Pick<ApiKey, "id" | "kind">,
    changes: { name?: string; scopes?: string[] | null },
  ): Promise<void> {
    const name = changes.name?.trim();
    if (name === "") throw unprocessable("A key's name cannot be empty.");
    if (key.kind === "publishable" && changes.scopes?.length) throw badRequest(PUBLISHABLE_TAKES_NO_SCOPES);
    const scopes = changes.scopes === undefined ? undefined : parseScopes(changes.scopes ?? undefined);
    if (!(await this.store.updateKey(key.id, { name, scopes })))
      throw notFound(`No active API key with id ${key.id}.`);
  }

  async revokeKey(id: string): Promise<void> {
    if (!(await this.store.revokeKey(id, this.clock.now())))
      throw notFound(`No active API key with id ${id}.`);
  }

  /**
   * The caller behind a live secret key. A key that acts as a user acts with that user's role now; the key of a
   * user who has left the workspace no longer opens it.
   */
  async authenticate(key: string): Promise<Principal | null> {
    const record = await this.store.findKeyByHash(hashApiKey(key));
    if (!record || record.revokedAt !== null || record.kind !== "secret") return null;
    if (record.userId !== null && record.userRole === null) return null;
    await this.noteUse(record);
    return {
      workspaceId: record.workspaceId,
      keyId: record.id,
      scopes: record.scopes,
      userId: null,
      role: null,
      actsAs: record.userId && record.userRole ? { userId: record.userId, role: record.userRole } : null,
    };
  }

  /** The caller behind a live publishable key; anything else is Dub's 401. */
  async authenticatePublishable(key: string): Promise<Principal> {
    const record = await this.store.findKeyByHash(hashApiKey(key));
    if (!record || record.revokedAt !== null || record.kind !== "publishable")
      throw new DomainError("unauthorized", "Invalid publishable key.");
    return {
      workspaceId: record.workspaceId,
      keyId: record.id,
      scopes: PUBLISHABLE_SCOPES,
      userId: null,
      role: null,
    };
  }

  /**
   * A publishable key tracks only from a page of a site its workspace names (by `Referer`, else `Origin`), and a
   * workspace that names none takes nothing from the browser with a key (stricter than Dub: ADR 21).
   */
  async checkPage(workspaceId: string, page: { referer?: string; origin?: string }): Promise<void> {
    const allowed = (await this.store.getWorkspace(workspaceId))?.allowedHostnames ?? [];
    if (allowed.length === 0)
      throw forbidden(
        "This workspace has no allowed hostnames: a publishable key tracks only from the sites it names. Add your site's host name first.",
      );
    const hostname = pageHostname(page.referer, page.origin);
    if (!hostname || !isAllowedHostname(hostname, allowed))
      throw forbidden(
        `Request origin '${hostname ?? "unknown"}' is not included in the allowed hostnames for this workspace.`,
      );
  }

  /** Records when a key was last used, at most once a minute per key: a write per request would cost too much. */
  private async noteUse(record: ApiKey): Promise<void> {
    const now = this.clock.now();
    if (record.lastUsedAt !== null && now - record.lastUsedAt < LAST_USED_PRECISION_MS) return;
    try {
      await this.store.touchKey(record.id, now);
    } catch {
      // Best effort: a database that takes no writes must not refuse the reads a key makes.
    }
  }

  /** On an empty database: one workspace and one unrestricted key, so a new user can call the API at once. */
  async bootstrap(): Promise<CreatedKey | null> {
    if ((await this.store.listWorkspaces()).length > 0) return null;
    const workspace = await this.createWorkspace("Default workspace");
    return this.createKey({ workspaceId: workspace.id, name: "Default key" });
  }

  private async resolveWorkspace(id: string | undefined): Promise<Workspace> {
    if (id) {
      const workspace = await this.store.getWorkspace(id);
      if (!workspace) throw notFound(`Workspace ${id} not found.`);
      return workspace;
    }
    const all = await this.store.listWorkspaces();
    if (all.length === 1) return all[0];
    if (all.length === 0) return this.createWorkspace("Default workspace");
    throw badRequest(`There are ${all.length} workspaces; name one with --workspace.`);
  }
}

/** The host names lowercased, without blanks or repeats; 400 naming any that is not a host name. */
function validHostnames(hostnames: string[]): string[] {
  const trimmed = hostnames.map((hostname) => hostname.trim().toLowerCase()).filter(Boolean);
  const invalid = trimmed.filter((hostname) => !HOSTNAME_PATTERN.test(hostname));
  if (invalid.length)
    throw badRequest(`Not a host name (e.g. example.com or *.example.com): ${invalid.join(", ")}`);
  return [...new Set(trimmed)];
}

function parseScopes(scopes: string[] | undefined): Scope[] | null {
  if (!scopes || scopes.length === 0) return null;
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (unknown.length)
    throw badRequest(`Unknown scope ${unknown.join(", ")}; known scopes: ${SCOPES.join(" ")}.`);
  return [...new Set(scopes)] as Scope[];
}
