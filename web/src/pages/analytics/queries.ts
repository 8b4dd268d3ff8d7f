import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, apiUrl } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import type { Metrics } from "./format";

export type TimeseriesRow = Metrics & { start: string };
export type GroupRow = Metrics & Record<string, unknown>;

/**
 * GET /analytics with `event=composite` (every metric in one answer), the page's range and filters. Data of the
 * previous view stays on screen while the next one loads.
 */
export function useAnalytics<T>(
  groupBy: string,
  query: Record<string, string>,
  { enabled = true, refetchInterval }: { enabled?: boolean; refetchInterval?: number | false } = {},
) {
  const workspace = useWorkspace();
  const params = { ...query, event: "composite", groupBy };
  return useQuery({
    queryKey: ["analytics", workspace.id, params],
    queryFn: ({ signal }) => api<T>("/analytics", { query: params, workspace: workspace.id, signal }),
    placeholderData: keepPreviousData,
    enabled,
    refetchInterval,
  });
}

/** The API's own CSV of a grouping (GET /analytics/export), for a download link. */
export function useExportUrl(groupBy: string, query: Record<string, string>): string {
  const workspace = useWorkspace();
  return apiUrl("/analytics/export", { ...query, event: "composite", groupBy }, workspace.id);
}
