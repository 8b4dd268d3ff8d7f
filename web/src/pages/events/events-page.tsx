/** Placeholder until this page is built (issue 12). */
export function EventsPage() {
  return <h1>Events</h1>;
}
