/**
 * The part of `returned` (money given back) that comes off a sale recorded net of tax: `returned × net / gross`,
 * where `gross` is what the payment (or the refund's own breakdown) counts with tax and `net` the sale's share of
 * it, rounded half up to the minor unit and never more than `returned`. Returning all of `gross` takes exactly
 * `net`. Exact integer arithmetic, whatever the amounts.
 */
export function netShare(returned: number, net: number, gross: number): number {
  if (gross <= 0 || net >= gross) return returned;
  const share = (2n * BigInt(returned) * BigInt(net) + BigInt(gross)) / (2n * BigInt(gross));
  return Math.min(returned, Number(share));
}
