/** Placeholder until this page is built (issue 12). */
export function CustomerPage() {
  return <h1>Customer</h1>;
}
