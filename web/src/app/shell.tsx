import { useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useRouteContext, useRouter } from "@tanstack/react-router";
import { DropdownMenu } from "radix-ui";
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

/** The frame of every workspace page: skip link, workspace switcher, sections, the user's menu (sign out). */
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

  /** Ends this session, or with `everywhere` every session of the user (other browsers and devices too). */
  async function signOut(everywhere = false) {
    await api(everywhere ? "/auth/logout-everywhere" : "/auth/logout", { method: "POST" }).catch(
      () => undefined,
    );
    setCsrfToken(null);
    queryClient.clear();
    await navigate({ to: "/login", search: everywhere ? { reason: "signed-out-everywhere" } : {} });
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
        {/* Not modal: a modal menu hides the page from screen readers (aria-hidden) with its controls still focusable. */}
        <DropdownMenu.Root modal={false}>
          <DropdownMenu.Trigger className="button secondary account">
            <span className="account-email">{user.user.email}</span>
            <span className="account-short">Account</span>
            <span aria-hidden="true"> ▾</span>
          </DropdownMenu.Trigger>
          <DropdownMenu.Portal>
            <DropdownMenu.Content className="menu" align="end" sideOffset={4}>
              <DropdownMenu.Item className="menu-item" onSelect={() => signOut()}>
                Sign out
              </DropdownMenu.Item>
              <DropdownMenu.Item className="menu-item" onSelect={() => signOut(true)}>
                Sign out everywhere
              </DropdownMenu.Item>
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu.Root>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </WorkspaceContext.Provider>
  );
}
