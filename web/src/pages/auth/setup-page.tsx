/** Placeholder until this page is built (issue 12). */
export function SetupPage() {
  return <h1>Set up Clicktrail</h1>;
}
