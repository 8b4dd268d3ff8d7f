import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { FilterChips } from "../../components/filter-chips";
import { SkeletonRows } from "../../components/skeleton-rows";
import { TimeRangePicker } from "../../components/time-range-picker";
import { countryName, formatCents, formatCount, formatDateTime, type Metrics } from "../analytics/format";
import { useAnalytics } from "../analytics/queries";
import {
  activeFilters,
  apiQueryOf,
  EVENT_KINDS,
  type EventKind,
  type FilterParam,
  type InsightsSearch,
  type RangeSearch,
  timeZoneOf,
  withoutFilters,
} from "../analytics/search";
import {
  type AnyEvent,
  customerLabel,
  type EventLink,
  eventKey,
  type LeadEvent,
  type SaleEvent,
  shortLinkText,
} from "./event-rows";
import { useNewRows } from "./use-new-rows";

const route = getRouteApi("/$workspace/events");

const PAGE_SIZE = 50;
/** How often the first page asks for new events while the tab is visible. */
const POLL_MS = 5_000;

const KIND_LABELS: Record<EventKind, string> = { clicks: "Clicks", leads: "Leads", sales: "Sales" };
const COUNT_FIELDS: Record<EventKind, keyof Metrics> = { clicks: "clicks", leads: "leads", sales: "sales" };

export function EventsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const workspace = useWorkspace();
  const kind: EventKind = search.event ?? "clicks";
  const page = search.page ?? 1;
  const timeZone = timeZoneOf(search);
  const filters = activeFilters(search);
  const query = useMemo(() => apiQueryOf(search), [search]);
  const visible = useDocumentVisible();

  const params = { ...query, event: kind, page: String(page), limit: String(PAGE_SIZE), sortOrder: "desc" };
  const events = useQuery({
    queryKey: ["events", workspace.id, params],
    queryFn: ({ signal }) => api<AnyEvent[]>("/events", { query: params, workspace: workspace.id, signal }),
    placeholderData: keepPreviousData,
    refetchInterval: page === 1 ? POLL_MS : false,
    refetchIntervalInBackground: false,
  });
  const counts = useAnalytics<Metrics>("count", query, { refetchInterval: page === 1 ? POLL_MS : false });
  const links = useQuery({
    queryKey: ["links-for-filter", workspace.id],
    queryFn: () =>
      api<EventLink[]>("/links", { query: { pageSize: 100, sortBy: "clicks" }, workspace: workspace.id }),
    staleTime: 60_000,
  });

  const keys = useMemo(() => events.data?.map(eventKey), [events.data]);
  const fresh = useNewRows(JSON.stringify(params), events.isPlaceholderData ? undefined : keys);

  const update = (change: (previous: InsightsSearch) => InsightsSearch) =>
    navigate({ search: (previous: InsightsSearch) => change(previous) });
  const setFilter = (param: FilterParam, value: string | undefined) =>
    update((previous) => ({ ...previous, [param]: value || undefined, page: undefined }));
  const setRange = (range: RangeSearch) =>
    update((previous) => ({
      ...previous,
      interval: range.interval,
      start: range.start,
      end: range.end,
      timezone: range.timezone,
      page: undefined,
    }));
  const linkLabel = (id: string) => {
    const link = links.data?.find((each) => each.id === id);
    return link ? shortLinkText(link) : id;
  };
  const { event: _event, page: _page, ...analyticsSearch } = search;

  return (
    <div className="events-page">
      <div className="page-head">
        <h1>Events</h1>
        <div className="insights-toolbar">
          <TimeRangePicker
            key={`${search.interval}-${search.start}-${search.end}`}
            range={search}
            onChange={setRange}
          />
          <Link
            className="button secondary"
            to="/$workspace/analytics"
            params={{ workspace: workspace.slug }}
            search={analyticsSearch}
          >
            View analytics
          </Link>
        </div>
      </div>

      <EventFilters
        key={`${search.linkId}-${search.country}-${search.customerId}`}
        search={search}
        links={links.data ?? []}
        onApply={(values) =>
          update((previous) => ({
            ...previous,
            linkId: values.linkId || undefined,
            country: values.country.toUpperCase() || undefined,
            customerId: values.customerId || undefined,
            page: undefined,
          }))
        }
      />
      <FilterChips
        filters={filters.map((filter) => ({
          ...filter,
          display:
            filter.param === "country"
              ? countryName(filter.value)
              : filter.param === "linkId"
                ? linkLabel(filter.value)
                : filter.value,
        }))}
        onRemove={(param) => setFilter(param as FilterParam, undefined)}
        onClear={() => update((previous) => withoutFilters(previous))}
      />

      <nav className="event-tabs" aria-label="Event type">
        {EVENT_KINDS.map((each) => (
          <Link
            key={each}
            to="/$workspace/events"
            params={{ workspace: workspace.slug }}
            search={{ ...search, event: each === "clicks" ? undefined : each, page: undefined }}
            activeOptions={{ explicitUndefined: true }}
          >
            {KIND_LABELS[each]}
            {counts.data && <span className="muted"> {formatCount(counts.data[COUNT_FIELDS[each]])}</span>}
          </Link>
        ))}
      </nav>

      <p className={visible && page === 1 ? "live" : "live paused"} aria-live="off">
        {page !== 1
          ? "New events show on the first page."
          : visible
            ? "Live: new events appear as they happen."
            : "Paused while this tab is hidden."}
      </p>

      <section aria-labelledby="events-table-title" aria-busy={events.isFetching}>
        <h2 id="events-table-title" className="visually-hidden">
          {KIND_LABELS[kind]}
        </h2>
        {events.isError ? (
          <p className="error-message" role="alert">
            The events could not be loaded: {events.error.message}
          </p>
        ) : !events.data ? (
          <SkeletonRows count={8} />
        ) : events.data.length === 0 ? (
          <EmptyEvents kind={kind} filtered={filters.length > 0} page={page} workspaceSlug={workspace.slug} />
        ) : (
          <div className={`table-scroll${events.isPlaceholderData ? " stale" : ""}`}>
            <EventTable
              kind={kind}
              rows={events.data}
              fresh={fresh}
              timeZone={timeZone}
              onFilter={setFilter}
            />
          </div>
        )}
        {fresh.size > 0 && (
          <p className="visually-hidden" role="status">
            {fresh.size} new {KIND_LABELS[kind].toLowerCase()}
          </p>
        )}
      </section>

      <nav className="pagination" aria-label="Pages">
        <button
          type="button"
          className="secondary"
          disabled={page <= 1}
          onClick={() => update((previous) => ({ ...previous, page: page - 1 > 1 ? page - 1 : undefined }))}
        >
          Previous
        </button>
        <span>Page {page}</span>
        <button
          type="button"
          className="secondary"
          disabled={(events.data?.length ?? 0) < PAGE_SIZE}
          onClick={() => update((previous) => ({ ...previous, page: page + 1 }))}
        >
          Next
        </button>
      </nav>
    </div>
  );
}

type FilterValues = { linkId: string; country: string; customerId: string };

function EventFilters({
  search,
  links,
  onApply,
}: {
  search: InsightsSearch;
  links: EventLink[];
  onApply: (values: FilterValues) => void;
}) {
  const [values, setValues] = useState<FilterValues>({
    linkId: search.linkId ?? "",
    country: search.country ?? "",
    customerId: search.customerId ?? "",
  });
  const set = (name: keyof FilterValues) => (event: { target: { value: string } }) =>
    setValues((previous) => ({ ...previous, [name]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(values);
  };
  return (
    <form className="event-filters" onSubmit={submit} aria-label="Filter events">
      <label>
        Link
        <select value={values.linkId} onChange={set("linkId")}>
          <option value="">All links</option>
          {search.linkId && !links.some((link) => link.id === search.linkId) && (
            <option value={search.linkId}>{search.linkId}</option>
          )}
          {links.map((link) => (
            <option key={link.id} value={link.id}>
              {shortLinkText(link)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Country
        <input
          value={values.country}
          onChange={set("country")}
          placeholder="US"
          maxLength={2}
          size={4}
          pattern="[A-Za-z]{2}"
          title="Two-letter country code"
        />
      </label>
      <label>
        Customer ID
        <input value={values.customerId} onChange={set("customerId")} placeholder="cus_…" size={16} />
      </label>
      <button type="submit">Apply filters</button>
    </form>
  );
}

function EventTable({
  kind,
  rows,
  fresh,
  timeZone,
  onFilter,
}: {
  kind: EventKind;
  rows: AnyEvent[];
  fresh: Set<string>;
  timeZone: string;
  onFilter: (param: FilterParam, value: string) => void;
}) {
  const filterButton = (param: FilterParam, value: string, label: string, text = value) =>
    value ? (
      <button
        type="button"
        className="cell-filter"
        title={`Filter: ${label} is ${text}`}
        onClick={() => onFilter(param, value)}
      >
        {text}
      </button>
    ) : (
      <span className="muted">–</span>
    );
  return (
    <table className="events-table" data-event={kind}>
      <thead>
        <tr>
          <th scope="col">Time</th>
          {kind === "sales" && (
            <th scope="col" className="number">
              Amount
            </th>
          )}
          {kind !== "clicks" && <th scope="col">Event</th>}
          {kind !== "clicks" && <th scope="col">Customer</th>}
          <th scope="col">Link</th>
          <th scope="col">Country</th>
          {kind === "clicks" && <th scope="col">City</th>}
          <th scope="col">Device</th>
          {kind === "clicks" && <th scope="col">Browser</th>}
          {kind === "clicks" && <th scope="col">OS</th>}
          <th scope="col">Referrer</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const key = eventKey(row);
          const isNew = fresh.has(key);
          const conversion = row.event === "click" ? null : (row as LeadEvent | SaleEvent);
          return (
            <tr key={key} className={isNew ? "new-event" : undefined} data-key={key}>
              <td>
                <time dateTime={row.timestamp} title={row.timestamp}>
                  {formatDateTime(row.timestamp, timeZone)}
                </time>
                {isNew && <span className="new-badge">New</span>}
              </td>
              {row.event === "sale" && <td className="number">{formatCents(row.sale.amount)}</td>}
              {conversion && <td>{conversion.eventName}</td>}
              {conversion && (
                <td>
                  {filterButton(
                    "customerId",
                    conversion.customer.id,
                    "Customer",
                    customerLabel(conversion.customer),
                  )}
                </td>
              )}
              <td>{filterButton("linkId", row.link.id, "Link", shortLinkText(row.link))}</td>
              <td>{filterButton("country", row.click.country, "Country", countryName(row.click.country))}</td>
              {kind === "clicks" && <td>{row.click.city || <span className="muted">–</span>}</td>}
              <td>{filterButton("device", row.click.device, "Device")}</td>
              {kind === "clicks" && <td>{filterButton("browser", row.click.browser, "Browser")}</td>}
              {kind === "clicks" && <td>{filterButton("os", row.click.os, "OS")}</td>}
              <td>{filterButton("referer", row.click.referer, "Referrer")}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function EmptyEvents({
  kind,
  filtered,
  page,
  workspaceSlug,
}: {
  kind: EventKind;
  filtered: boolean;
  page: number;
  workspaceSlug: string;
}) {
  let text: React.ReactNode;
  if (page > 1) text = "No more events: this is past the last page.";
  else if (filtered)
    text = "No events match these filters in this range. Remove a filter or choose a longer range.";
  else if (kind === "clicks")
    text = (
      <>
        No clicks yet in this range. Share a short link from{" "}
        <Link to="/$workspace/links" params={{ workspace: workspaceSlug }}>
          Links
        </Link>
        ; each visit shows here within seconds.
      </>
    );
  else if (kind === "leads")
    text = (
      <>
        No leads yet. Record a sign-up with <code>POST /api/track/lead</code> (the <code>dub</code> SDK's{" "}
        <code>track.lead</code>) and the <code>dub_id</code> of the visit.
      </>
    );
  else
    text = (
      <>
        No sales yet. Record a purchase with <code>POST /api/track/sale</code> (the <code>dub</code> SDK's{" "}
        <code>track.sale</code>) for a customer that came as a lead.
      </>
    );
  return (
    <div className="empty-state" role="status">
      <p>{text}</p>
    </div>
  );
}

function useDocumentVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === "visible");
  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState === "visible");
    document.addEventListener("visibilitychange", onChange);
    return () => document.removeEventListener("visibilitychange", onChange);
  }, []);
  return visible;
}
