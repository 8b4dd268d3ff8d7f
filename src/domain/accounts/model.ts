export const ROLES = ["owner", "member"] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** A person who signs in to the dashboard. `email` is kept as given; unique whatever its case (see emailKey). */
export type User = {
  id: string;
  email: string;
  name: string | null;
  /** scrypt, self-describing (see passwords.ts); never leaves the domain. */
  passwordHash: string;
  createdAt: number;
};

export type Membership = { workspaceId: string; userId: string; role: Role; createdAt: number };

/** A workspace as one of its members sees it in the dashboard. */
export type UserWorkspace = { id: string; name: string; slug: string; role: Role };

export type Member = { userId: string; email: string; name: string | null; role: Role; createdAt: number };

/** A signed-in browser. Only the SHA-256 of its token is stored; `csrfToken` is sent back on every write. */
export type Session = {
  id: string;
  userId: string;
  tokenHash: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
};

export type Invite = {
  id: string;
  workspaceId: string;
  tokenHash: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  revokedAt: number | null;
};

/** The one-time link of the first start that makes the first owner of the first workspace. */
export type SetupToken = {
  id: string;
  workspaceId: string;
  tokenHash: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
};

/** What the dashboard knows of the person signed in. */
export type Me = {
  user: { id: string; email: string; name: string | null };
  workspaces: UserWorkspace[];
  csrfToken: string;
};

/** The same address whatever its case or surrounding spaces. */
export const emailKey = (email: string) => email.trim().toLowerCase();
