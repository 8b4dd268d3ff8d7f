/** Placeholder until this page is built (issue 12). */
export function SettingsPage() {
  return <h1>Settings</h1>;
}
