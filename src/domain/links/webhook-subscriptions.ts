import { unprocessable } from "../errors.js";
import type { Webhook } from "../webhooks/model.js";

/**
 * Checks the webhooks `wanted` as the subscriptions of the links `linkIds` (Dub's `webhookIds` on a link), against
 * the workspace's `webhooks`. A webhook's `linkIds` and a link's `webhookIds` are one relation seen from either
 * side. A webhook with no `linkIds` takes every link, so naming it on one link would narrow it to that link, and
 * taking a webhook's last link away would widen it to every link: both are refused rather than done silently.
 */
export function assertWebhookSubscriptions(webhooks: Webhook[], linkIds: string[], wanted: string[]): void {
  const byId = new Map(webhooks.map((webhook) => [webhook.id, webhook]));
  const unknown = wanted.filter((id) => !byId.has(id));
  if (unknown.length > 0)
    throw unprocessable(`Invalid webhookIds detected: ${[...new Set(unknown)].join(", ")}`);
  for (const id of new Set(wanted)) {
    if (byId.get(id)?.linkIds === null) {
      throw unprocessable(
        `invalid_value: webhookIds: webhook ${id} receives the events of every link; give it linkIds (PATCH /webhooks/${id}) to subscribe it to chosen links`,
      );
    }
  }
  const changed = new Set(linkIds);
  for (const webhook of webhooks) {
    if (webhook.linkIds === null || wanted.includes(webhook.id)) continue;
    const named = webhook.linkIds.filter((linkId) => changed.has(linkId));
    if (named.length > 0 && named.length === webhook.linkIds.length) {
      throw unprocessable(
        `invalid_value: webhookIds: webhook ${webhook.id} would be left with no link, which means every link; delete it or change its linkIds`,
      );
    }
  }
}
