import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { api } from "../../api/client";
import { useSearchText } from "../../app/use-search-text";
import { useWorkspace } from "../../app/workspace";
import { DataTable } from "../../components/data-table";
import { QueryState } from "../../components/query-state";
import { SortControl } from "../../components/sort-control";
import { formatInstant } from "../settings/format";
import type { Customer } from "./customer-types";
import type { CustomerSort, CustomersSearch } from "./customers-search";
import { formatMoney } from "./money";

const PAGE_SIZE = 25;

const SORT_LABELS: Record<CustomerSort, string> = {
  createdAt: "Date added",
  saleAmount: "Lifetime value",
  firstSaleAt: "First sale",
};

/**
 * /app/{workspace}/customers: the workspace's customers, searchable by name, email or external ID, sorted, paged;
 * the view lives in the URL.
 */
export function CustomersPage() {
  const workspace = useWorkspace();
  const view = useSearch({ from: "/$workspace/customers" });
  const navigate = useNavigate({ from: "/$workspace/customers" });
  const page = view.page ?? 1;
  const setView = (patch: Partial<CustomersSearch>, keepPage = false) =>
    navigate({
      search: (previous) => ({ ...previous, ...patch, ...(keepPage ? {} : { page: undefined }) }),
      replace: true,
    });
  const [searchText, setSearchText] = useSearchText(view.search, (search) => setView({ search }));
  const customers = useQuery({
    queryKey: ["customers", workspace.slug, view],
    queryFn: ({ signal }) =>
      api<Customer[]>("/customers", {
        workspace: workspace.slug,
        query: {
          search: view.search,
          sortBy: view.sortBy ?? "createdAt",
          sortOrder: view.sortOrder ?? "desc",
          page,
          pageSize: PAGE_SIZE,
        },
        signal,
      }),
    placeholderData: keepPreviousData,
  });
  return (
    <div className="stack">
      <h1>Customers</h1>
      <search className="toolbar" aria-label="Find customers">
        <label className="customer-search grow">
          Search by name, email or external ID
          <input type="search" value={searchText} onChange={(event) => setSearchText(event.target.value)} />
        </label>
        <SortControl
          labels={SORT_LABELS}
          by={view.sortBy ?? "createdAt"}
          ascending={view.sortOrder === "asc"}
          onSort={(by, ascending) =>
            setView({ sortBy: by === "createdAt" ? undefined : by, sortOrder: ascending ? "asc" : undefined })
          }
        />
      </search>
      <QueryState query={customers} what="customers">
        {(list) => (
          <>
            {list.length === 0 ? (
              <p className="muted">
                {view.search
                  ? "No customer matches this search."
                  : "No customers yet: track a lead to make one."}
              </p>
            ) : (
              <DataTable
                label="Customers"
                columns={[
                  "Customer",
                  "External ID",
                  "Country",
                  { label: "Sales", className: "number" },
                  { label: "Lifetime value", className: "number" },
                  "Since",
                ]}
              >
                {list.map((customer) => (
                  <tr key={customer.id}>
                    <td>
                      <Link
                        to="/$workspace/customers/$customerId"
                        params={{ workspace: workspace.slug, customerId: customer.id }}
                      >
                        {customer.name}
                      </Link>
                      {customer.email && <div className="muted small">{customer.email}</div>}
                    </td>
                    <td>
                      <code>{customer.externalId}</code>
                    </td>
                    <td>{customer.country ?? "—"}</td>
                    <td className="number">{customer.sales}</td>
                    <td className="number">{formatMoney(customer.saleAmount)}</td>
                    <td>{formatInstant(customer.createdAt)}</td>
                  </tr>
                ))}
              </DataTable>
            )}
            <nav aria-label="Pages" className="button-row">
              <button
                type="button"
                className="secondary"
                disabled={page === 1}
                onClick={() => setView({ page: page > 2 ? page - 1 : undefined }, true)}
              >
                Previous page
              </button>
              <span className="muted" aria-live="polite">
                Page {page}
              </span>
              <button
                type="button"
                className="secondary"
                disabled={list.length < PAGE_SIZE}
                onClick={() => setView({ page: page + 1 }, true)}
              >
                Next page
              </button>
            </nav>
          </>
        )}
      </QueryState>
    </div>
  );
}
