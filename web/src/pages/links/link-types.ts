export type Tag = { id: string; name: string; color: string };
export type Domain = { id: string; slug: string; archived?: boolean };

/** The fields of Dub's Link object the dashboard reads. */
export type Link = {
  id: string;
  domain: string;
  key: string;
  url: string;
  shortLink: string;
  qrCode: string;
  archived: boolean;
  trackConversion: boolean;
  expiresAt: string | null;
  expiredUrl: string | null;
  comments: string | null;
  tags: Tag[];
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  clicks: number;
  leads: number;
  sales: number;
  saleAmount: number;
  createdAt: string;
};

/** How a link is named to people: its short link without the scheme. */
export const shortName = (link: Pick<Link, "shortLink">) => link.shortLink.replace(/^https?:\/\//, "");
