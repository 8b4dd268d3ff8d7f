export const UTM_FIELDS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const;
export type UtmField = (typeof UTM_FIELDS)[number];
export type Utm = Record<UtmField, string>;

export const UTM_LABELS: Record<UtmField, string> = {
  utm_source: "Source",
  utm_medium: "Medium",
  utm_campaign: "Campaign",
  utm_term: "Term",
  utm_content: "Content",
};

export const emptyUtm = (): Utm => ({
  utm_source: "",
  utm_medium: "",
  utm_campaign: "",
  utm_term: "",
  utm_content: "",
});

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The UTM values a pasted destination carries (empty for those it lacks, or when it is no URL). */
export function utmOf(url: string): Utm {
  const utm = emptyUtm();
  const parsed = parse(url);
  if (parsed) for (const field of UTM_FIELDS) utm[field] = parsed.searchParams.get(field) ?? "";
  return utm;
}

/** The destination with these UTM values in its query (an empty one removed); `url` as is when it is no URL. */
export function withUtm(url: string, utm: Utm): string {
  const parsed = parse(url);
  if (!parsed) return url;
  for (const field of UTM_FIELDS) {
    const value = utm[field].trim();
    if (value) parsed.searchParams.set(field, value);
    else parsed.searchParams.delete(field);
  }
  return parsed.toString();
}
