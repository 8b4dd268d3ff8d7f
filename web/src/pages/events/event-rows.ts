/** The parts of GET /events' items the table shows. */
export type EventLink = { id: string; shortLink: string; url: string };
export type EventClick = {
  id: string;
  country: string;
  city: string;
  device: string;
  browser: string;
  os: string;
  referer: string;
};
export type EventCustomer = { id: string; name: string | null; email: string | null; externalId: string };

export type ClickEvent = { event: "click"; timestamp: string; click: EventClick; link: EventLink };
export type LeadEvent = {
  event: "lead";
  timestamp: string;
  eventId: string;
  eventName: string;
  click: EventClick;
  link: EventLink;
  customer: EventCustomer;
};
export type SaleEvent = Omit<LeadEvent, "event"> & {
  event: "sale";
  sale: { amount: number; currency: string; invoiceId: string | null };
};
export type AnyEvent = ClickEvent | LeadEvent | SaleEvent;

/** A stable identity for a row: the click's id, or the conversion's event id. */
export const eventKey = (row: AnyEvent) => (row.event === "click" ? `c:${row.click.id}` : `e:${row.eventId}`);

export const customerLabel = (customer: EventCustomer) =>
  customer.name || customer.email || customer.externalId || customer.id;

export const shortLinkText = (link: EventLink) => link.shortLink.replace(/^https?:\/\//, "");
