/** Where a conversion came from: the click's link and visit, copied onto every event it leads to. */
export type Attribution = {
  clickId: string;
  linkId: string;
  domain: string;
  key: string;
  url: string;
  ip: string;
  country: string;
  continent: string;
  region: string;
  city: string;
  device: string;
  browser: string;
  os: string;
  referer: string;
  refererUrl: string;
  qr: boolean;
  trigger: string;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
};

/** A recorded visit of a short link: its attribution, and what only the click itself keeps. */
export type Click = Omit<Attribution, "clickId" | "trigger"> & {
  id: string;
  workspaceId: string;
  timestamp: number;
  identityHash: string;
  engine: string;
  ua: string;
  trigger: "link" | "qr";
};
