export type Customer = {
  id: string;
  name: string;
  email: string | null;
  externalId: string;
  country: string | null;
  sales: number;
  saleAmount: number;
  createdAt: string;
  firstSaleAt: string | null;
};

export type ExpandedCustomer = Customer & {
  link: { id: string; domain: string; key: string; shortLink: string; url: string } | null;
};

type EventLink = { id: string; shortLink: string; url: string };
type EventClick = {
  id: string;
  timestamp: string;
  country: string;
  city: string;
  device: string;
  browser: string;
  os: string;
  referer: string;
};

export type JourneyEvent =
  | { event: "click"; timestamp: string; click: EventClick; link: EventLink }
  | {
      event: "lead";
      timestamp: string;
      eventId: string;
      eventName: string;
      click: EventClick;
      link: EventLink;
    }
  | {
      event: "sale";
      timestamp: string;
      eventId: string;
      eventName: string;
      click: EventClick;
      link: EventLink;
      sale: {
        amount: number;
        currency: string;
        invoiceId: string | null;
        originalAmount?: number;
        originalCurrency?: string;
      };
    };
