import { keepPreviousData, type QueryClient, useQuery } from "@tanstack/react-query";
import { api, apiUrl } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { LOCATIONS, SOURCES, TECHNOLOGY, TOP_LINKS } from "./dimensions";
import type { Metrics } from "./format";
import { apiQueryOf, type InsightsSearch } from "./search";

export type TimeseriesRow = Metrics & { start: string };
export type GroupRow = Metrics & Record<string, unknown>;

/** GET /analytics with `event=composite` (every metric in one answer), the page's range and filters. */
function analyticsQuery<T>(workspaceId: string, groupBy: string, query: Record<string, string>) {
  const params = { ...query, event: "composite", groupBy };
  return {
    queryKey: ["analytics", workspaceId, params],
    queryFn: ({ signal }: { signal?: AbortSignal }) =>
      api<T>("/analytics", { query: params, workspace: workspaceId, signal }),
  };
}

/** Data of the previous view stays on screen, dimmed, while the next one loads. */
export function useAnalytics<T>(
  groupBy: string,
  query: Record<string, string>,
  { enabled = true, refetchInterval }: { enabled?: boolean; refetchInterval?: number | false } = {},
) {
  const workspace = useWorkspace();
  return useQuery({
    ...analyticsQuery<T>(workspace.id, groupBy, query),
    placeholderData: keepPreviousData,
    enabled,
    refetchInterval,
  });
}

/**
 * Starts the requests of the analytics page's first view (the chart and each card's first tab) while its code
 * is still being fetched; the page's own queries then find them under the same keys.
 */
export function prefetchAnalytics(queryClient: QueryClient, workspaceId: string, search: InsightsSearch) {
  const query = apiQueryOf(search);
  const cards = search.linkId
    ? [LOCATIONS, TECHNOLOGY, SOURCES]
    : [TOP_LINKS, LOCATIONS, TECHNOLOGY, SOURCES];
  for (const groupBy of ["timeseries", ...cards.map((card) => card[0].groupBy)]) {
    void queryClient.prefetchQuery(analyticsQuery(workspaceId, groupBy, query));
  }
}

/** The API's own CSV of a grouping (GET /analytics/export), for a download link. */
export function useExportUrl(groupBy: string, query: Record<string, string>): string {
  const workspace = useWorkspace();
  return apiUrl("/analytics/export", { ...query, event: "composite", groupBy }, workspace.id);
}
