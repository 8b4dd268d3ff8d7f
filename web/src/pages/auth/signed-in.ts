import type { QueryClient } from "@tanstack/react-query";
import { setCsrfToken } from "../../api/client";
import { ME_KEY, type Me } from "../../api/session";

/** What every sign-in answer (`me` shape) sets: the CSRF token and the cached user; the workspace to open. */
export function signedIn(queryClient: QueryClient, me: Me, preferred?: string): string | null {
  setCsrfToken(me.csrfToken);
  queryClient.setQueryData(ME_KEY, me);
  const workspace = me.workspaces.find((each) => each.id === preferred) ?? me.workspaces[0];
  return workspace?.slug ?? null;
}

/** `next` when it is a dashboard path of this origin (never another site, never the sign-in page itself). */
export function safeNext(next: string | undefined, origin = window.location.origin): string | null {
  if (!next) return null;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin || !next.startsWith("/app/") || next.startsWith("/app/login")) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
