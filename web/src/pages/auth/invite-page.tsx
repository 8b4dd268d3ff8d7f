/** Placeholder until this page is built (issue 12). */
export function InvitePage() {
  return <h1>Join a workspace</h1>;
}
