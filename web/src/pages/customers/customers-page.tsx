/** Placeholder until this page is built (issue 12). */
export function CustomersPage() {
  return <h1>Customers</h1>;
}
