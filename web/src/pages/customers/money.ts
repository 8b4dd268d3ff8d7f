/** An amount in minor units (cents for USD) in its currency, as the viewer's locale writes it. */
export function formatMoney(amount: number, currency = "usd"): string {
  const code = currency.toUpperCase();
  let digits = 2;
  try {
    digits =
      new Intl.NumberFormat(undefined, { style: "currency", currency: code }).resolvedOptions()
        .maximumFractionDigits ?? 2;
  } catch {
    return `${amount} ${code}`;
  }
  return new Intl.NumberFormat(undefined, { style: "currency", currency: code }).format(
    amount / 10 ** digits,
  );
}
