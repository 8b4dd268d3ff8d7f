import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError, api } from "../../api/client";

export type Availability = "idle" | "checking" | "available" | "taken";

/** Whether `key` on `domain` is free, asked of GET /links/info a moment after the typing stops (404 = free). */
export function useKeyAvailability(
  workspace: string,
  domain: string,
  key: string,
  ownLinkId: string | undefined,
): Availability {
  const [settled, setSettled] = useState(key);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(key.trim()), 350);
    return () => clearTimeout(timer);
  }, [key]);
  const check = useQuery({
    queryKey: ["key-availability", workspace, domain, settled],
    enabled: settled !== "",
    staleTime: 5_000,
    queryFn: async ({ signal }) => {
      try {
        const found = await api<{ id: string }>("/links/info", {
          query: { domain: domain || undefined, key: settled },
          workspace,
          signal,
        });
        return found.id === ownLinkId ? "available" : "taken";
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return "available";
        throw error;
      }
    },
  });
  if (key.trim() === "") return "idle";
  if (settled !== key.trim() || check.isPending) return "checking";
  return check.data ?? "idle";
}
