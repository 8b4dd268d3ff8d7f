import type { Attribution, Click } from "../clicks/model.js";
import type { ClickStore } from "../clicks/ports.js";
import { notFound } from "../errors.js";
import type { Link } from "../links/model.js";
import type { LinkStore } from "../links/ports.js";

export type ResolvedClick = { attribution: Attribution; link: Link; clickedAt: number };

/** Finds the click a conversion names, and the link it credits, within the caller's workspace only. */
export class ClickAttribution {
  constructor(
    private readonly clicks: ClickStore,
    private readonly links: LinkStore,
  ) {}

  async resolve(workspaceId: string, clickId: string, purpose: "lead" | "sale"): Promise<ResolvedClick> {
    const click = await this.clicks.findById(workspaceId, clickId);
    if (!click) throw notFound(`Click event not found for clickId: ${clickId}`);
    const link = await this.links.findById(workspaceId, click.linkId);
    if (!link) throw notFound(`Link not found for clickId: ${clickId}`);
    if (link.disabledAt !== null)
      throw notFound(`Link ${link.id} for clickId ${clickId} is disabled, ${purpose} not tracked`);
    return { link, clickedAt: click.timestamp, attribution: attributionOf(click) };
  }
}

/** What a click passes on to the leads and sales it leads to. */
export function attributionOf(click: Click): Attribution {
  const { id, workspaceId: _w, timestamp: _t, identityHash: _h, engine: _e, ua: _u, ...context } = click;
  return { ...context, clickId: id };
}
