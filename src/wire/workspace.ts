import type { WorkspaceView } from "../domain/workspaces/model.js";
import { iso } from "./iso.js";

/**
 * What Dub writes for a limit without one (its INFINITY_NUMBER, 1e9): a self-hosted install sets no limits, and
 * clients built for Dub already read this value as "unlimited".
 */
export const UNLIMITED = 1_000_000_000;

/**
 * A workspace as Dub's WorkspaceSchema has it, every key the SDKs know present. Clicktrail has no plans, billing,
 * invites, logos, AI or partner programme: `plan` is "enterprise" (every feature on, nothing to upgrade to), the
 * billing and Stripe keys are null, the limits UNLIMITED (AI's 0: there is none). Usage is real: events (clicks,
 * leads, sales), links created and converted revenue (USD cents) since the current monthly cycle began, on the
 * workspace's creation day. `users` is the caller, an API key, which Dub treats as the owner. `domains` are the
 * custom domains the workspace owns; none is primary (links without a domain take the install's default short
 * domain, which every workspace shares) and each serves as soon as its traffic reaches the server, so it counts as
 * verified.
 */
export const presentWorkspace = ({ workspace, billingCycleStart, usage, domains }: WorkspaceView) => ({
  id: workspace.id,
  name: workspace.name,
  slug: workspace.slug,
  logo: null,
  inviteCode: null,
  plan: "enterprise" as const,
  stripeId: null,
  billingCycleStart,
  paymentFailedAt: null,
  stripeConnectId: null,
  payoutMethodId: null,
  usage: usage.events,
  usageLimit: UNLIMITED,
  linksUsage: usage.links,
  linksLimit: UNLIMITED,
  salesUsage: usage.saleAmount,
  salesLimit: UNLIMITED,
  domainsLimit: UNLIMITED,
  tagsLimit: UNLIMITED,
  usersLimit: UNLIMITED,
  aiUsage: 0,
  aiLimit: 0,
  referralLinkId: null,
  conversionEnabled: true,
  dotLinkClaimed: false,
  partnersEnabled: false,
  publishableKey: null,
  createdAt: iso(workspace.createdAt),
  users: [{ role: "owner" as const }],
  domains: domains.map((slug) => ({ slug, primary: false, verified: false })),
  flags: {},
  allowedHostnames: workspace.allowedHostnames,
});
