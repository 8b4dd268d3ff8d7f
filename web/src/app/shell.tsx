import { useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useRouteContext, useRouter } from "@tanstack/react-router";
import { useEffect } from "react";
import { ApiError, api, setCsrfToken } from "../api/client";
import { WorkspaceContext } from "./workspace";

const SECTIONS = [
  { to: "/$workspace/links", label: "Links" },
  { to: "/$workspace/analytics", label: "Analytics" },
  { to: "/$workspace/events", label: "Events" },
  { to: "/$workspace/customers", label: "Customers" },
  { to: "/$workspace/settings", label: "Settings" },
] as const;

/** The frame of every workspace page: skip link, workspace switcher, sections, the user and sign-out. */
export function Shell() {
  const { workspace, user } = useRouteContext({ from: "/$workspace" });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const router = useRouter();

  // A session that ends meanwhile (signed out elsewhere, expired, revoked) sends the page to the login, and back.
  useEffect(() => {
    let leaving = false;
    return queryClient.getQueryCache().subscribe((event) => {
      const error = event.query.state.error;
      if (leaving || event.type !== "updated" || !(error instanceof ApiError) || error.status !== 401) return;
      if (router.state.location.pathname === "/login") return;
      leaving = true;
      setCsrfToken(null);
      queryClient.clear();
      void navigate({ to: "/login", search: { next: router.state.location.publicHref } });
    });
  }, [queryClient, navigate, router]);

  async function signOut() {
    await api("/auth/logout", { method: "POST" }).catch(() => undefined);
    setCsrfToken(null);
    queryClient.clear();
    await navigate({ to: "/login" });
  }

  return (
    <WorkspaceContext.Provider value={workspace}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Clicktrail
        </Link>
        <label className="workspace-switcher">
          <span className="visually-hidden">Workspace</span>
          <select
            value={workspace.slug}
            onChange={(event) =>
              navigate({ to: "/$workspace/links", params: { workspace: event.currentTarget.value } })
            }
          >
            {user.workspaces.map((each) => (
              <option key={each.id} value={each.slug}>
                {each.name}
              </option>
            ))}
          </select>
        </label>
        <nav aria-label="Sections" className="sections">
          {SECTIONS.map((section) => (
            <Link
              key={section.to}
              to={section.to}
              params={{ workspace: workspace.slug }}
              activeProps={{ "aria-current": "page", className: "active" }}
            >
              {section.label}
            </Link>
          ))}
        </nav>
        <div className="account">
          <span className="account-email">{user.user.email}</span>
          <button type="button" className="button secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </WorkspaceContext.Provider>
  );
}
