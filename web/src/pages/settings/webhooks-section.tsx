import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { ConfirmButton } from "../../components/confirm-button";
import { MutationForm } from "../../components/mutation-form";
import { QueryState } from "../../components/query-state";
import { ShownOnce } from "../../components/shown-once";
import { LinkPicker } from "./link-picker";
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
  linkIds: string[];
  disabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  secret: string | null;
};

/**
 * Webhooks: each with its triggers, links and status, a test event, its delivery log; create (secret shown once),
 * edit, delete.
 */
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
      {!isOwner && <OwnerOnlyNote what="create, edit, test or delete webhooks" />}
      {isOwner &&
        (secret ? (
          <ShownOnce label="The webhook's signing secret" value={secret} onDone={() => setSecret(null)} />
        ) : (
          <WebhookForm
            save={(fields) =>
              api<Webhook & { secret: string }>("/webhooks", {
                method: "POST",
                workspace: workspace.slug,
                body: fields,
              })
            }
            onSaved={(created) => {
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
                  onChanged={() => queryClient.invalidateQueries({ queryKey })}
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
  onChanged,
}: {
  webhook: Webhook;
  isOwner: boolean;
  onChanged: () => Promise<unknown>;
}) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const [showLog, setShowLog] = useState(false);
  const [editing, setEditing] = useState(false);
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
        <span className="muted"> · </span>
        {webhook.linkIds.length === 0 ? "every link" : `${webhook.linkIds.length} link(s)`}
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
            <button
              type="button"
              className="secondary"
              aria-expanded={editing}
              onClick={() => setEditing(!editing)}
            >
              Edit <span className="visually-hidden">{webhook.name}</span>
            </button>
            <button type="button" onClick={() => sendTest.mutate()} disabled={sendTest.isPending}>
              {sendTest.isPending ? "Sending…" : "Send test event"}
            </button>
            <ConfirmButton
              trigger={`Delete ${webhook.name}`}
              title={`Delete the webhook "${webhook.name}"?`}
              confirmLabel="Delete webhook"
              onConfirm={() =>
                api(`/webhooks/${webhook.id}`, { method: "DELETE", workspace: workspace.slug }).then(
                  onChanged,
                )
              }
            >
              <p>{webhook.url} receives no more events, and its delivery log is deleted with it.</p>
            </ConfirmButton>
          </>
        )}
      </div>
      {editing && (
        <WebhookForm
          initial={webhook}
          save={(fields) =>
            api(`/webhooks/${webhook.id}`, { method: "PATCH", workspace: workspace.slug, body: fields })
          }
          onSaved={() => {
            setEditing(false);
            void onChanged();
          }}
        />
      )}
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

type WebhookFields = Pick<Webhook, "name" | "url" | "triggers" | "linkIds" | "disabled">;

/** A new webhook's fields (its secret is the server's), or an existing one's: name, URL, events, links, enabled. */
function WebhookForm<T>({
  initial,
  save,
  onSaved,
}: {
  initial?: Webhook;
  save: (fields: WebhookFields) => Promise<T>;
  onSaved: (saved: T) => void;
}) {
  const empty = {
    name: "",
    url: "",
    triggers: ["lead.created", "sale.created"],
    linkIds: [],
    disabled: false,
  };
  const [fields, setFields] = useState<WebhookFields>(
    initial
      ? {
          name: initial.name,
          url: initial.url,
          triggers: initial.triggers,
          linkIds: initial.linkIds,
          disabled: initial.disabled,
        }
      : empty,
  );
  const set = (patch: Partial<WebhookFields>) => setFields({ ...fields, ...patch });
  function toggle(trigger: string, on: boolean) {
    const others = fields.triggers.filter((each) => each !== trigger);
    set({ triggers: on ? TRIGGERS.filter((each) => each === trigger || others.includes(each)) : others });
  }
  return (
    <MutationForm
      label={initial ? `Edit ${initial.name}` : "Create a webhook"}
      heading={!initial}
      layout="stack"
      submitLabel={initial ? "Save webhook" : "Create webhook"}
      pendingLabel={initial ? "Saving…" : "Creating…"}
      blocked={fields.triggers.length === 0 && "Choose at least one event."}
      save={() => save(fields)}
      onSaved={(saved) => {
        if (!initial) setFields(empty);
        onSaved(saved);
      }}
    >
      <label>
        Name
        <input
          required
          maxLength={190}
          value={fields.name}
          onChange={(event) => set({ name: event.target.value })}
        />
      </label>
      <label>
        URL
        <input
          required
          type="url"
          placeholder="https://example.com/webhooks/clicktrail"
          value={fields.url}
          onChange={(event) => set({ url: event.target.value })}
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
              checked={fields.triggers.includes(trigger)}
              onChange={(event) => toggle(trigger, event.target.checked)}
            />
            {trigger}
          </label>
        ))}
      </fieldset>
      <LinkPicker value={fields.linkIds} onChange={(linkIds) => set({ linkIds })} />
      {initial && (
        <label className="inline">
          <input
            type="checkbox"
            checked={!fields.disabled}
            onChange={(event) => set({ disabled: !event.target.checked })}
          />
          Enabled (sends events)
        </label>
      )}
    </MutationForm>
  );
}
