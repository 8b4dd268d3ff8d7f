/** Placeholder until this page is built (issue 12). */
export function LoginPage() {
  return <h1>Sign in</h1>;
}
