import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";

/** Loading and error states of a query, or its data rendered by `children`. */
export function QueryState<T>({
  query,
  children,
  what,
}: {
  query: UseQueryResult<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <p className="muted">Loading {what}…</p>;
  if (query.isError)
    return (
      <p className="error-message" role="alert">
        Could not load {what}: {query.error.message}
      </p>
    );
  return <>{children(query.data)}</>;
}
