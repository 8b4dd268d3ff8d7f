import { createContext, useContext } from "react";
import type { WorkspaceSummary } from "../api/session";

export const WorkspaceContext = createContext<WorkspaceSummary | null>(null);

/** The workspace the page shows (from the URL's slug); pages under /app/{slug}/ only. */
export function useWorkspace(): WorkspaceSummary {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error("useWorkspace outside a workspace page");
  return workspace;
}
