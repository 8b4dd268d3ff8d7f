import { useQuery } from "@tanstack/react-query";
import { ApiError, api, setCsrfToken } from "./client";

export type Role = "owner" | "member";
export type WorkspaceSummary = { id: string; name: string; slug: string; role: Role };
export type Me = {
  user: { id: string; email: string; name: string | null };
  workspaces: WorkspaceSummary[];
  csrfToken: string;
};

export const ME_KEY = ["me"] as const;

/** The signed-in user, or null when nobody is signed in. */
export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api<Me>("/auth/me");
    setCsrfToken(me.csrfToken);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000 });
}
