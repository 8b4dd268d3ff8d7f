import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { ConfirmButton } from "../../components/confirm-button";
import { CopyButton } from "../../components/copy-button";
import { DataTable } from "../../components/data-table";
import { MutationForm } from "../../components/mutation-form";
import { QueryState } from "../../components/query-state";
import { formatInstant } from "./format";
import { OwnerOnlyNote, useIsOwner } from "./owner-only";

const PROCESSORS = [
  { id: "stripe", label: "Stripe", hint: "the endpoint's signing secret, whsec_…" },
  { id: "shopify", label: "Shopify", hint: "the app's client secret" },
  { id: "paddle", label: "Paddle", hint: "the notification destination's secret key, pdl_ntfset_…" },
] as const;

const STATUSES = ["received", "sale", "refund", "lead", "linked", "erased", "ignored", "parked", "failed"];

const PAGE_SIZE = 50;

type Integration = {
  processor: string;
  webhookUrl: string;
  secretFingerprint: string;
  previousSecretAcceptedUntil: string | null;
  updatedAt: string;
};

type IntegrationEvent = {
  processor: string;
  eventId: string;
  type: string;
  receivedAt: string;
  status: string;
  reason: string | null;
  saleEventId: string | null;
  refundId: string | null;
  customerId: string | null;
  invoiceId: string | null;
  attempts: number;
  cursor: string;
};

const labelOf = (processor: string) => PROCESSORS.find((each) => each.id === processor)?.label ?? processor;

/**
 * Payment integrations: the processors configured (where they deliver, which secret), a secret set or removed by an
 * owner, and every event the processors sent with what it became.
 */
export function IntegrationsSection() {
  const workspace = useWorkspace();
  const isOwner = useIsOwner();
  const queryClient = useQueryClient();
  const queryKey = ["integrations", workspace.slug];
  const integrations = useQuery({
    queryKey,
    queryFn: () => api<Integration[]>("/integrations", { workspace: workspace.slug }),
  });
  const changed = () => queryClient.invalidateQueries({ queryKey });

  return (
    <div className="stack">
      <p className="muted">
        Stripe, Shopify and Paddle record sales and refunds here through their webhooks, signed with the
        secret set for each.
      </p>
      <QueryState query={integrations} what="the integrations">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No payment processor is configured yet.</p>
          ) : (
            <DataTable
              label="Configured integrations"
              columns={["Processor", "Webhook URL", "Secret", "Updated"]}
              actions={isOwner}
            >
              {list.map((integration) => (
                <tr key={integration.processor}>
                  <td>{labelOf(integration.processor)}</td>
                  <td>
                    <code className="break">{integration.webhookUrl}</code>{" "}
                    <CopyButton
                      text={integration.webhookUrl}
                      label={`Copy the ${labelOf(integration.processor)} webhook URL`}
                    />
                  </td>
                  <td>
                    <span className="muted small">fingerprint </span>
                    <code>{integration.secretFingerprint}</code>
                    {integration.previousSecretAcceptedUntil && (
                      <div className="muted small">
                        the previous one until {formatInstant(integration.previousSecretAcceptedUntil)}
                      </div>
                    )}
                  </td>
                  <td>{formatInstant(integration.updatedAt)}</td>
                  {isOwner && (
                    <td>
                      <ConfirmButton
                        trigger={`Remove ${labelOf(integration.processor)}`}
                        title={`Remove the ${labelOf(integration.processor)} integration?`}
                        confirmLabel="Remove integration"
                        onConfirm={() =>
                          api(`/integrations/${integration.processor}`, {
                            method: "DELETE",
                            workspace: workspace.slug,
                          }).then(changed)
                        }
                      >
                        <p>Its deliveries are refused from now on; the events received so far stay listed.</p>
                      </ConfirmButton>
                    </td>
                  )}
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryState>
      {isOwner ? (
        <SecretForm onSaved={changed} />
      ) : (
        <OwnerOnlyNote what="set or remove a processor's secret" />
      )}
      <EventLog />
    </div>
  );
}

/** Sets a processor's signing secret (never shown again: the list shows its fingerprint). */
function SecretForm({ onSaved }: { onSaved: () => Promise<unknown> }) {
  const workspace = useWorkspace();
  const [processor, setProcessor] = useState<string>(PROCESSORS[0].id);
  const [secret, setSecret] = useState("");
  const hint = PROCESSORS.find((each) => each.id === processor)?.hint;
  return (
    <MutationForm
      label="Set a processor's secret"
      heading
      submitLabel="Save secret"
      save={() =>
        api<Integration>(`/integrations/${processor}`, {
          method: "PUT",
          workspace: workspace.slug,
          body: { secret },
        })
      }
      onSaved={() => {
        setSecret("");
        void onSaved();
      }}
    >
      <ProcessorSelect value={processor} onChange={setProcessor} />
      <label>
        Signing secret <span className="muted small">({hint})</span>
        <input
          required
          type="password"
          autoComplete="off"
          value={secret}
          onChange={(event) => setSecret(event.target.value)}
        />
      </label>
    </MutationForm>
  );
}

/** A processor picker; `anyLabel` adds a first choice for none in particular (a filter). */
function ProcessorSelect({
  value,
  onChange,
  anyLabel,
}: {
  value: string;
  onChange: (processor: string) => void;
  anyLabel?: string;
}) {
  return (
    <label>
      Processor
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        {anyLabel !== undefined && <option value="">{anyLabel}</option>}
        {PROCESSORS.map((each) => (
          <option key={each.id} value={each.id}>
            {each.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The events the processors sent, newest first, filtered by processor and outcome; older ones page by page. */
function EventLog() {
  const workspace = useWorkspace();
  const [processor, setProcessor] = useState("");
  const [status, setStatus] = useState("");
  const events = useInfiniteQuery({
    queryKey: ["integration-events", workspace.slug, processor, status],
    queryFn: ({ pageParam }) =>
      api<IntegrationEvent[]>("/integrations/events", {
        workspace: workspace.slug,
        query: { processor, status, limit: PAGE_SIZE, before: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.length === PAGE_SIZE ? last[last.length - 1].cursor : undefined),
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.some((event) => event.status === "received"))
        ? 1000
        : false,
  });
  return (
    <section className="stack" aria-labelledby="integration-events-title">
      <h3 id="integration-events-title">Received events</h3>
      <div className="row-wrap">
        <ProcessorSelect value={processor} onChange={setProcessor} anyLabel="All" />
        <label>
          Became
          <select value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value="">Anything</option>
            {STATUSES.map((each) => (
              <option key={each} value={each}>
                {each}
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryState query={events} what="the received events">
        {(data) => {
          const list = data.pages.flat();
          if (list.length === 0) return <p className="muted">No events received.</p>;
          return (
            <>
              <DataTable label="Received events" columns={["Event", "Processor", "Received", "Became"]}>
                {list.map((event) => (
                  <tr key={`${event.processor}.${event.eventId}`} data-event-id={event.eventId}>
                    <td>
                      <div>{event.type}</div>
                      <code className="muted small">{event.eventId}</code>
                    </td>
                    <td>{labelOf(event.processor)}</td>
                    <td>{formatInstant(event.receivedAt)}</td>
                    <td>
                      <span className={`status status-${event.status}`}>{event.status}</span>
                      <Outcome event={event} />
                    </td>
                  </tr>
                ))}
              </DataTable>
              {events.hasNextPage && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => events.fetchNextPage()}
                  disabled={events.isFetchingNextPage}
                >
                  {events.isFetchingNextPage ? "Loading…" : "Older events"}
                </button>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

/** What the event became: why (ignored, parked, a duplicate), its invoice and refund, and its customer. */
function Outcome({ event }: { event: IntegrationEvent }) {
  const workspace = useWorkspace();
  return (
    <div className="muted small">
      {event.reason && <div>{event.reason}</div>}
      {event.invoiceId && <div>invoice {event.invoiceId}</div>}
      {event.refundId && <div>refund {event.refundId}</div>}
      {event.customerId && (
        <Link
          to="/$workspace/customers/$customerId"
          params={{ workspace: workspace.slug, customerId: event.customerId }}
        >
          Customer <span className="visually-hidden">of {event.eventId}</span>
        </Link>
      )}
    </div>
  );
}
