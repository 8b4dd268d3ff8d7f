import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { ConfirmButton } from "../../components/confirm-button";
import { QueryState } from "../../components/query-state";
import { formatInstant } from "../settings/format";
import type { ExpandedCustomer, JourneyEvent } from "./customer-types";
import { formatMoney } from "./money";

/** /app/{workspace}/customers/{id}: who the customer is, how they came (link and click), their leads and sales. */
export function CustomerPage() {
  const workspace = useWorkspace();
  const { customerId } = useParams({ from: "/$workspace/customers/$customerId" });
  const customer = useQuery({
    queryKey: ["customer", workspace.slug, customerId],
    queryFn: () =>
      api<ExpandedCustomer>(`/customers/${customerId}`, {
        workspace: workspace.slug,
        query: { includeExpandedFields: true },
      }),
  });
  return (
    <div className="stack">
      <nav aria-label="Breadcrumb" className="muted">
        <Link to="/$workspace/customers" params={{ workspace: workspace.slug }}>
          Customers
        </Link>{" "}
        › {customer.data?.name ?? customerId}
      </nav>
      <QueryState query={customer} what="the customer">
        {(data) => <CustomerDetails customer={data} />}
      </QueryState>
    </div>
  );
}

function CustomerDetails({ customer }: { customer: ExpandedCustomer }) {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const journey = useQuery({
    queryKey: ["customer-journey", workspace.slug, customer.id],
    queryFn: async () => {
      const kinds = ["clicks", "leads", "sales"] as const;
      const lists = await Promise.all(
        kinds.map((event) =>
          api<JourneyEvent[]>("/events", {
            workspace: workspace.slug,
            query: { customerId: customer.id, event, interval: "all", limit: 100 },
          }),
        ),
      );
      return lists.flat().sort((a, b) => b.timestamp.localeCompare(a.timestamp));
    },
  });

  async function erase() {
    await api(`/customers/${customer.id}`, { method: "DELETE", workspace: workspace.slug });
    queryClient.removeQueries({ queryKey: ["customer", workspace.slug, customer.id] });
    await queryClient.invalidateQueries({ queryKey: ["customers", workspace.slug] });
    await navigate({ to: "/$workspace/customers", params: { workspace: workspace.slug } });
  }

  return (
    <>
      <div className="row-between">
        <div>
          <h1>{customer.name}</h1>
          <p className="muted">
            {customer.email ?? "No email"} · External ID <code>{customer.externalId}</code>
            {customer.country && <> · {customer.country}</>} · Customer since{" "}
            {formatInstant(customer.createdAt)}
          </p>
        </div>
        <QueryState query={journey} what="the erasure summary">
          {(events) => (
            <ConfirmButton
              trigger="Erase customer"
              title={`Erase ${customer.name}?`}
              confirmLabel="Erase for good"
              onConfirm={erase}
            >
              <p>This deletes, permanently and at once:</p>
              <ul>
                <li>
                  the customer {customer.name} ({customer.email ?? customer.externalId})
                </li>
                <li>{events.filter((event) => event.event === "lead").length} lead event(s)</li>
                <li>
                  {events.filter((event) => event.event === "sale").length} sale event(s) worth{" "}
                  {formatMoney(customer.saleAmount)}, taken out of the analytics and their links' totals
                </li>
                <li>the webhook events about them</li>
              </ul>
              <p>The clicks stay, without their link to this customer.</p>
            </ConfirmButton>
          )}
        </QueryState>
      </div>
      <dl className="stats">
        <div>
          <dt>Lifetime value</dt>
          <dd>{formatMoney(customer.saleAmount)}</dd>
        </div>
        <div>
          <dt>Sales</dt>
          <dd>{customer.sales}</dd>
        </div>
        <div>
          <dt>Leads</dt>
          <dd>{journey.data ? journey.data.filter((event) => event.event === "lead").length : "…"}</dd>
        </div>
        <div>
          <dt>First sale</dt>
          <dd className="small">{formatInstant(customer.firstSaleAt)}</dd>
        </div>
      </dl>
      <section className="card stack" aria-labelledby="came-from">
        <h2 id="came-from">How they came</h2>
        {customer.link ? (
          <p>
            Through <a href={customer.link.shortLink}>{customer.link.shortLink}</a> →{" "}
            <span className="break">{customer.link.url}</span>
          </p>
        ) : (
          <p className="muted">No link: this customer was not attributed to a click.</p>
        )}
      </section>
      <section className="stack" aria-labelledby="journey">
        <h2 id="journey">Journey</h2>
        <QueryState query={journey} what="the journey">
          {(events) =>
            events.length === 0 ? (
              <p className="muted">No events recorded.</p>
            ) : (
              <ol className="timeline" aria-label="Events, newest first">
                {events.map((event) => (
                  <li key={`${event.event}-${event.event === "click" ? event.click.id : event.eventId}`}>
                    <span className={`kind kind-${event.event}`}>
                      {event.event === "click" ? "Click" : event.event === "lead" ? "Lead" : "Sale"}
                    </span>{" "}
                    <time dateTime={event.timestamp}>{formatInstant(event.timestamp)}</time>
                    <div>
                      {event.event === "click" && (
                        <>
                          on {event.link.shortLink} from {event.click.country || "?"}, {event.click.device}{" "}
                          {event.click.browser} (referrer {event.click.referer})
                        </>
                      )}
                      {event.event === "lead" && (
                        <>
                          {event.eventName} via {event.link.shortLink}
                        </>
                      )}
                      {event.event === "sale" && (
                        <>
                          {event.eventName}:{" "}
                          <strong>{formatMoney(event.sale.amount, event.sale.currency)}</strong>
                          {event.sale.invoiceId && (
                            <span className="muted"> · invoice {event.sale.invoiceId}</span>
                          )}
                        </>
                      )}
                    </div>
                  </li>
                ))}
              </ol>
            )
          }
        </QueryState>
      </section>
    </>
  );
}
