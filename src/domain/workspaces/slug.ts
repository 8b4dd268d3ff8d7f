/** A workspace's slug: 3 to 48 lowercase letters, digits and hyphens; an id (`ws_…`) can never be one. */
export const SLUG_MIN = 3;
export const SLUG_MAX = 48;
export const SLUG_PATTERN = /^[a-z0-9-]{3,48}$/;

const FALLBACK = "workspace";

/** The slug a name suggests: "Acme Café (EU)" → "acme-cafe-eu"; one shorter than 3 characters → "workspace". */
export function slugFromName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, "");
  return slug.length >= SLUG_MIN ? slug : FALLBACK;
}

/** An alternative to a taken slug: "acme" → "acme-2" (or "acme-x7k2qa"), still within SLUG_MAX. */
export function numberedSlug(slug: string, n: number | string): string {
  const suffix = `-${n}`;
  return `${slug.slice(0, SLUG_MAX - suffix.length).replace(/-+$/, "")}${suffix}`;
}
