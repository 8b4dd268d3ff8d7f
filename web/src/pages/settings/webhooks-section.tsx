import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { ConfirmButton } from "../../components/confirm-button";
import { QueryState } from "../../components/query-state";
import { ShownOnce } from "../../components/shown-once";
import { OwnerOnlyNote, useIsOwner } from "./owner-only";
import { WebhookLog } from "./webhook-log";

export const TRIGGERS = [
  "link.created",
  "link.updated",
  "link.deleted",
  "link.clicked",
  "lead.created",
  "sale.created",
] as const;

export type Webhook = {
  id: string;
  name: string;
  url: string;
  triggers: string[];
  disabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  secret: string | null;
};

/** Webhooks: each with its triggers and status, a test event, its delivery log; create (secret shown once), delete. */
export function WebhooksSection() {
  const workspace = useWorkspace();
  const isOwner = useIsOwner();
  const queryClient = useQueryClient();
  const queryKey = ["webhooks", workspace.slug];
  const webhooks = useQuery({
    queryKey,
    queryFn: () => api<Webhook[]>("/webhooks", { workspace: workspace.slug }),
  });
  const [secret, setSecret] = useState<string | null>(null);

  return (
    <div className="stack">
      {!isOwner && <OwnerOnlyNote what="create, test or delete webhooks" />}
      {isOwner &&
        (secret ? (
          <ShownOnce label="The webhook's signing secret" value={secret} onDone={() => setSecret(null)} />
        ) : (
          <CreateWebhookForm
            onCreated={(created) => {
              setSecret(created.secret);
              void queryClient.invalidateQueries({ queryKey });
            }}
          />
        ))}
      <QueryState query={webhooks} what="webhooks">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No webhooks yet.</p>
          ) : (
            <ul className="webhook-list">
              {list.map((webhook) => (
                <WebhookCard
                  key={webhook.id}
                  webhook={webhook}
                  isOwner={isOwner}
                  onDeleted={() => queryClient.invalidateQueries({ queryKey })}
                />
              ))}
            </ul>
          )
        }
      </QueryState>
    </div>
  );
}

function WebhookCard({
  webhook,
  isOwner,
  onDeleted,
}: {
  webhook: Webhook;
  isOwner: boolean;
  onDeleted: () => Promise<unknown>;
}) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const [showLog, setShowLog] = useState(false);
  const sendTest = useMutation({
    mutationFn: () =>
      api<{ eventId: string; event: string }>(`/webhooks/${webhook.id}/test`, {
        method: "POST",
        workspace: workspace.slug,
        body: {},
      }),
    onSuccess: () => {
      setShowLog(true);
      return queryClient.invalidateQueries({ queryKey: ["webhook-events", webhook.id] });
    },
  });
  const titleId = `webhook-${webhook.id}`;
  return (
    <li className="card stack" aria-labelledby={titleId}>
      <div className="row-between">
        <div>
          <h3 id={titleId}>{webhook.name}</h3>
          <p className="muted break">{webhook.url}</p>
        </div>
        <span className={webhook.disabled ? "status status-failed" : "status status-ok"}>
          {webhook.disabled ? "Disabled" : "Active"}
        </span>
      </div>
      {webhook.disabledReason && <p className="muted">{webhook.disabledReason}</p>}
      <p>
        <span className="muted">Triggers: </span>
        {webhook.triggers.join(", ")}
      </p>
      <div className="button-row">
        <button
          type="button"
          className="secondary"
          aria-expanded={showLog}
          aria-controls={`${titleId}-log`}
          onClick={() => setShowLog(!showLog)}
        >
          {showLog ? "Hide delivery log" : "Delivery log"}
        </button>
        {isOwner && (
          <>
            <button type="button" onClick={() => sendTest.mutate()} disabled={sendTest.isPending}>
              {sendTest.isPending ? "Sending…" : "Send test event"}
            </button>
            <ConfirmButton
              trigger={`Delete ${webhook.name}`}
              title={`Delete the webhook "${webhook.name}"?`}
              confirmLabel="Delete webhook"
              onConfirm={() =>
                api(`/webhooks/${webhook.id}`, { method: "DELETE", workspace: workspace.slug }).then(
                  onDeleted,
                )
              }
            >
              <p>{webhook.url} receives no more events, and its delivery log is deleted with it.</p>
            </ConfirmButton>
          </>
        )}
      </div>
      {sendTest.isSuccess && (
        <p role="status" className="muted">
          A test {sendTest.data.event} event was queued; it appears in the delivery log.
        </p>
      )}
      {sendTest.error && (
        <p className="error-message" role="alert">
          {sendTest.error.message}
        </p>
      )}
      {showLog && (
        <div id={`${titleId}-log`}>
          <WebhookLog webhookId={webhook.id} canRetry={isOwner} />
        </div>
      )}
    </li>
  );
}

function CreateWebhookForm({ onCreated }: { onCreated: (webhook: Webhook & { secret: string }) => void }) {
  const workspace = useWorkspace();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [triggers, setTriggers] = useState<Set<string>>(new Set(["lead.created", "sale.created"]));
  const create = useMutation({
    mutationFn: () =>
      api<Webhook & { secret: string }>("/webhooks", {
        method: "POST",
        workspace: workspace.slug,
        body: { name, url, triggers: [...triggers] },
      }),
    onSuccess: (webhook) => {
      setName("");
      setUrl("");
      onCreated(webhook);
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  function toggle(trigger: string, on: boolean) {
    const next = new Set(triggers);
    if (on) next.add(trigger);
    else next.delete(trigger);
    setTriggers(next);
  }
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="create-webhook-title">
      <h3 id="create-webhook-title">Create a webhook</h3>
      <label>
        Name
        <input required maxLength={190} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <label>
        URL
        <input
          required
          type="url"
          placeholder="https://example.com/webhooks/clicktrail"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
        />
      </label>
      <fieldset>
        <legend>Events</legend>
        {TRIGGERS.map((trigger) => (
          <label className="inline" key={trigger}>
            <input
              type="checkbox"
              name="trigger"
              value={trigger}
              checked={triggers.has(trigger)}
              onChange={(event) => toggle(trigger, event.target.checked)}
            />
            {trigger}
          </label>
        ))}
      </fieldset>
      {create.error && (
        <p className="error-message" role="alert">
          {create.error.message}
        </p>
      )}
      <div>
        <button type="submit" disabled={create.isPending || triggers.size === 0}>
          {create.isPending ? "Creating…" : "Create webhook"}
        </button>
      </div>
    </form>
  );
}
