/** Placeholder until this page is built (issue 12). */
export function LinksPage() {
  return <h1>Links</h1>;
}
