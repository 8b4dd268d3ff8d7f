import { z } from "zod";
import { ROLES } from "../../domain/accounts/model.js";

const text = (max: number) => z.string().max(max);

export const loginBody = z.object({ email: text(254), password: text(1024) });

export const setupBody = z.object({
  token: text(200),
  email: text(254),
  password: text(1024),
  name: text(190).nullish(),
});

export const tokenQuery = z.object({ token: text(200) });

export const tokenParams = z.object({ token: text(200) });

export const acceptBody = z.object({ name: text(190).nullish(), password: text(1024).optional() });

export const roleSchema = z.enum(ROLES);

export const memberParams = z.object({ idOrSlug: z.string(), userId: z.string() });

export const inviteParams = z.object({ idOrSlug: z.string(), inviteId: z.string() });

export const workspaceRefParams = z.object({ idOrSlug: z.string() });

export const inviteBody = z.object({ email: text(254), role: roleSchema.default("member") });

export const roleBody = z.object({ role: roleSchema });

const workspaceRef = z.object({ id: z.string(), name: z.string() });

export const meSchema = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
    workspaces: z.array(z.object({ id: z.string(), name: z.string(), slug: z.string(), role: roleSchema })),
    csrfToken: z.string(),
  })
  .meta({ id: "Me" });

export const setupInfoSchema = z.object({ workspace: workspaceRef });

export const inviteInfoSchema = z.object({
  workspace: workspaceRef,
  email: z.string(),
  role: roleSchema,
  expiresAt: z.string(),
});

export const okSchema = z.object({ ok: z.boolean(), sessions: z.number().optional() });

export const memberSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: roleSchema,
    createdAt: z.string(),
  })
  .meta({ id: "Member" });

export const inviteSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: roleSchema,
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: "Invite" });

export const createdInviteSchema = inviteSchema.extend({ url: z.string() }).meta({ id: "CreatedInvite" });

export const removedMemberSchema = z.object({ userId: z.string(), removed: z.boolean() });

export const revokedInviteSchema = z.object({ id: z.string(), revoked: z.boolean() });

/** Operations without a key: the sign-in forms and the links a person opens. */
export const NO_CREDENTIALS: { [name: string]: string[] }[] = [];
/** Operations of a signed-in person only. */
export const SESSION_ONLY: { [name: string]: string[] }[] = [{ session: [] }];
/** A key or a session. */
export const KEY_OR_SESSION: { [name: string]: string[] }[] = [{ token: [] }, { session: [] }];
