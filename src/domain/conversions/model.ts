import type { Attribution } from "../clicks/model.js";
import type { Customer } from "../customers/model.js";

export type LeadEvent = Attribution & {
  id: string;
  workspaceId: string;
  customerId: string;
  timestamp: number;
  eventName: string;
  metadata: Record<string, unknown> | null;
};

export const PAYMENT_PROCESSORS = [
  "stripe",
  "shopify",
  "polar",
  "paddle",
  "apple",
  "revenuecat",
  "lemonsqueezy",
  "dub",
  "custom",
] as const;

export type PaymentProcessor = (typeof PAYMENT_PROCESSORS)[number];

export type Money = {
  /** USD cents when `converted`, else the original amount. */
  amount: number;
  currency: string;
  converted: boolean;
  originalAmount: number;
  originalCurrency: string;
};

export type SaleEvent = Attribution & {
  id: string;
  workspaceId: string;
  customerId: string;
  leadEventId: string;
  timestamp: number;
  eventName: string;
  money: Money;
  paymentProcessor: PaymentProcessor;
  invoiceId: string | null;
  metadata: Record<string, unknown> | null;
};

/** What a sale call answers: the sale recorded (or replayed), or `recorded: null` when nothing was. */
export type SaleReceipt = {
  eventName: string;
  recorded: {
    customer: Customer;
    money: Money;
    paymentProcessor: PaymentProcessor;
    invoiceId: string | null;
    metadata: Record<string, unknown> | null;
  } | null;
};

/** Dub's dedupe key for a lead: lower-cased event name with spaces as dashes. */
export const eventSlug = (eventName: string) => eventName.toLowerCase().replaceAll(" ", "-");
