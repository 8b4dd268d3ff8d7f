import type { Dimension } from "./breakdown-card";
import { continentName, countryName } from "./format";

const field =
  (name: string) =>
  (row: Record<string, unknown>): string =>
    String(row[name] ?? "");

const UTM_FIELDS = ["source", "medium", "campaign", "term", "content"] as const;

export const TOP_LINKS: Dimension[] = [
  {
    groupBy: "top_links",
    label: "Links",
    param: "linkId",
    valueOf: field("id"),
    display: (row) => String(row.shortLink ?? row.id).replace(/^https?:\/\//, ""),
  },
];

export const LOCATIONS: Dimension[] = [
  {
    groupBy: "countries",
    label: "Countries",
    param: "country",
    valueOf: field("country"),
    display: (row) => countryName(String(row.country)),
  },
  {
    groupBy: "cities",
    label: "Cities",
    param: "city",
    valueOf: field("city"),
    display: (row) => `${row.city}, ${row.country}`,
  },
  {
    groupBy: "continents",
    label: "Continents",
    param: "continent",
    valueOf: field("continent"),
    display: (row) => continentName(String(row.continent)),
  },
];

export const TECHNOLOGY: Dimension[] = [
  { groupBy: "devices", label: "Devices", param: "device", valueOf: field("device") },
  { groupBy: "browsers", label: "Browsers", param: "browser", valueOf: field("browser") },
  { groupBy: "os", label: "OS", param: "os", valueOf: field("os") },
];

export const SOURCES: Dimension[] = [
  { groupBy: "referers", label: "Referrers", param: "referer", valueOf: field("referer") },
  ...UTM_FIELDS.map(
    (name): Dimension => ({
      groupBy: `utm_${name}s`,
      label: `UTM ${name}`,
      param: `utm_${name}`,
      valueOf: field(`utm_${name}`),
    }),
  ),
];
