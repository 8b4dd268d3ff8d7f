import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Navigate,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { fetchMe, ME_KEY, type Me } from "./api/session";
import { Shell } from "./app/shell";
import { prefetchAnalytics } from "./pages/analytics/queries";
import { validateInsightsSearch } from "./pages/analytics/search";
import { customersSearch } from "./pages/customers/customers-search";
import { linksSearch } from "./pages/links/links-search";

type RouterContext = { queryClient: QueryClient };

const me = (context: RouterContext) =>
  context.queryClient.ensureQueryData<Me | null>({ queryKey: ME_KEY, queryFn: fetchMe });

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  // An unknown path goes to the index, which opens the workspace (or the login); a component cannot throw redirects.
  notFoundComponent: () => <Navigate to="/" replace />,
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: async ({ context }) => {
    const user = await me(context);
    if (!user) throw redirect({ to: "/login" });
    const first = user.workspaces[0];
    if (!first) throw redirect({ to: "/login", search: { reason: "no-workspace" } });
    throw redirect({ to: "/$workspace/links", params: { workspace: first.slug } });
  },
});

const searchOf =
  <K extends string>(...names: K[]) =>
  (search: Record<string, unknown>): Partial<Record<K, string>> =>
    Object.fromEntries(
      names.filter((name) => typeof search[name] === "string").map((name) => [name, search[name]]),
    ) as Partial<Record<K, string>>;

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: searchOf("next", "reason"),
  component: lazyRouteComponent(() => import("./pages/auth/login-page"), "LoginPage"),
});

const setupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/setup",
  validateSearch: searchOf("token"),
  component: lazyRouteComponent(() => import("./pages/auth/setup-page"), "SetupPage"),
});

const inviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/invite",
  validateSearch: searchOf("token"),
  component: lazyRouteComponent(() => import("./pages/auth/invite-page"), "InvitePage"),
});

export const workspaceRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/$workspace",
  beforeLoad: async ({ context, params, location }) => {
    const user = await me(context);
    if (!user) throw redirect({ to: "/login", search: { next: location.publicHref } });
    const workspace = user.workspaces.find((each) => each.slug === params.workspace);
    if (!workspace) throw redirect({ to: "/" });
    return { workspace, user };
  },
  component: Shell,
});

const workspaceIndexRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "/",
  beforeLoad: ({ params }) => {
    throw redirect({ to: "/$workspace/links", params });
  },
});

const linksRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "/links",
  validateSearch: linksSearch,
  component: lazyRouteComponent(() => import("./pages/links/links-page"), "LinksPage"),
});

const analyticsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "/analytics",
  validateSearch: validateInsightsSearch,
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => prefetchAnalytics(context.queryClient, context.workspace.id, deps),
  component: lazyRouteComponent(() => import("./pages/analytics/analytics-page"), "AnalyticsPage"),
});

const eventsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "/events",
  validateSearch: validateInsightsSearch,
  component: lazyRouteComponent(() => import("./pages/events/events-page"), "EventsPage"),
});

const customersRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "/customers",
  validateSearch: customersSearch,
  component: lazyRouteComponent(() => import("./pages/customers/customers-page"), "CustomersPage"),
});

const customerRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "/customers/$customerId",
  component: lazyRouteComponent(() => import("./pages/customers/customer-page"), "CustomerPage"),
});

const settingsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "/settings",
  component: lazyRouteComponent(() => import("./pages/settings/settings-page"), "SettingsPage"),
});

const settingsSectionRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "/settings/$section",
  component: lazyRouteComponent(() => import("./pages/settings/settings-page"), "SettingsPage"),
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  loginRoute,
  setupRoute,
  inviteRoute,
  workspaceRoute.addChildren([
    workspaceIndexRoute,
    linksRoute,
    analyticsRoute,
    eventsRoute,
    customersRoute,
    customerRoute,
    settingsRoute,
    settingsSectionRoute,
  ]),
]);

export function makeRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    basepath: "/app",
    context: { queryClient },
    defaultPreload: "intent",
    scrollRestoration: true,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
