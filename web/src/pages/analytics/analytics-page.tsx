/** Placeholder until this page is built (issue 12). */
export function AnalyticsPage() {
  return <h1>Analytics</h1>;
}
