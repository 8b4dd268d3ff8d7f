import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { DataTable } from "../../components/data-table";
import { QueryState } from "../../components/query-state";
import { formatInstant } from "./format";

type Attempt = {
  attemptedAt: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseExcerpt: string | null;
};

type WebhookEvent = {
  eventId: string;
  event: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  lastError: string | null;
  attemptLog: Attempt[];
};

/** A webhook's deliveries, newest first, each with its attempts; refreshed while any is pending. */
export function WebhookLog({ webhookId, canRetry }: { webhookId: string; canRetry: boolean }) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const queryKey = ["webhook-events", webhookId];
  const events = useQuery({
    queryKey,
    queryFn: () => api<WebhookEvent[]>(`/webhooks/${webhookId}/events`, { workspace: workspace.slug }),
    refetchInterval: (query) =>
      query.state.data?.some((event) => event.status === "pending") ? 1000 : false,
  });
  const retry = useMutation({
    mutationFn: (eventId: string) =>
      api(`/webhooks/${webhookId}/events/${eventId}/retry`, {
        method: "POST",
        workspace: workspace.slug,
        body: {},
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey }),
  });

  return (
    <>
      {retry.error && (
        <p className="error-message" role="alert">
          Could not retry: {retry.error.message}
        </p>
      )}
      <QueryState query={events} what="the delivery log">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No deliveries yet.</p>
          ) : (
            <DataTable label="Delivery log" columns={["Event", "Status", "Attempts", "Created"]} actions>
              {list.map((event) => (
                <tr key={event.eventId} data-event-id={event.eventId}>
                  <td>
                    <div>{event.event}</div>
                    <code className="muted small">{event.eventId}</code>
                  </td>
                  <td>
                    <span className={`status status-${event.status}`}>{event.status}</span>
                    {event.lastError && <div className="muted small">{event.lastError}</div>}
                  </td>
                  <td>
                    <ol className="attempts">
                      {event.attemptLog.map((attempt) => (
                        <li key={attempt.attemptedAt}>
                          {formatInstant(attempt.attemptedAt)}:{" "}
                          <strong>{attempt.statusCode ?? "no answer"}</strong> in {attempt.latencyMs} ms
                          {attempt.error && <span className="muted"> — {attempt.error}</span>}
                          {attempt.responseExcerpt && (
                            <div className="muted small break">Answer: {attempt.responseExcerpt}</div>
                          )}
                        </li>
                      ))}
                    </ol>
                    {event.attemptLog.length === 0 && <span className="muted">Not tried yet</span>}
                  </td>
                  <td>{formatInstant(event.createdAt)}</td>
                  <td>
                    {canRetry && event.status !== "pending" && (
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => retry.mutate(event.eventId)}
                        disabled={retry.isPending}
                      >
                        Retry <span className="visually-hidden">{event.eventId}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryState>
    </>
  );
}
