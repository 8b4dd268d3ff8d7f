import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { QueryState } from "../../components/query-state";
import { formatInstant } from "../settings/format";
import type { Customer } from "./customer-types";
import { formatMoney } from "./money";

const PAGE_SIZE = 25;

/** /app/{workspace}/customers: the workspace's customers, searchable by name, email or external ID, paged. */
export function CustomersPage() {
  const workspace = useWorkspace();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const customers = useQuery({
    queryKey: ["customers", workspace.slug, search, page],
    queryFn: ({ signal }) =>
      api<Customer[]>("/customers", {
        workspace: workspace.slug,
        query: { search: search || undefined, page, pageSize: PAGE_SIZE },
        signal,
      }),
    placeholderData: keepPreviousData,
  });
  return (
    <div className="stack">
      <h1>Customers</h1>
      <div className="customer-search">
        <label>
          Search by name, email or external ID
          <input
            type="search"
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setPage(1);
            }}
          />
        </label>
      </div>
      <QueryState query={customers} what="customers">
        {(list) => (
          <>
            {list.length === 0 ? (
              <p className="muted">
                {search ? "No customer matches this search." : "No customers yet: track a lead to make one."}
              </p>
            ) : (
              <div className="table-scroll">
                <table aria-label="Customers">
                  <thead>
                    <tr>
                      <th scope="col">Customer</th>
                      <th scope="col">External ID</th>
                      <th scope="col">Country</th>
                      <th scope="col" className="number">
                        Sales
                      </th>
                      <th scope="col" className="number">
                        Lifetime value
                      </th>
                      <th scope="col">Since</th>
                    </tr>
                  </thead>
                  <tbody>
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
                  </tbody>
                </table>
              </div>
            )}
            <nav aria-label="Pages" className="button-row">
              <button
                type="button"
                className="secondary"
                disabled={page === 1}
                onClick={() => setPage(page - 1)}
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
                onClick={() => setPage(page + 1)}
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
