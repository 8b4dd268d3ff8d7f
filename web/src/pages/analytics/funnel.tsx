import { formatCents, formatCount, formatPercent, type Metrics } from "./format";

const rate = (part: number, whole: number) => (whole > 0 ? formatPercent(part / whole) : "–");

/** Clicks → leads → sales, each step's bar sized against the clicks, with the conversion between steps. */
export function Funnel({ totals }: { totals: Metrics }) {
  const steps = [
    { name: "Clicks", value: totals.clicks, className: "clicks" },
    {
      name: "Leads",
      value: totals.leads,
      className: "leads",
      conversion: `${rate(totals.leads, totals.clicks)} of clicks`,
    },
    {
      name: "Sales",
      value: totals.sales,
      className: "sales",
      conversion: `${rate(totals.sales, totals.leads)} of leads, ${rate(totals.sales, totals.clicks)} of clicks`,
    },
  ];
  return (
    <section className="card funnel" aria-labelledby="funnel-title">
      <h2 id="funnel-title">Funnel</h2>
      <ol>
        {steps.map((step) => (
          <li key={step.name} className={`funnel-step ${step.className}`}>
            <div className="funnel-label">
              <span>{step.name}</span>
              <strong>{formatCount(step.value)}</strong>
            </div>
            <div className="funnel-track" aria-hidden="true">
              <span
                className="funnel-bar"
                style={{
                  width: `${totals.clicks > 0 ? Math.max((step.value / totals.clicks) * 100, step.value > 0 ? 1 : 0) : 0}%`,
                }}
              />
            </div>
            {step.conversion && <p className="muted funnel-rate">{step.conversion}</p>}
          </li>
        ))}
      </ol>
      <p className="funnel-revenue">
        Revenue <strong>{formatCents(totals.saleAmount)}</strong>
        {totals.sales > 0 && (
          <span className="muted">
            {" "}
            · {formatCents(Math.round(totals.saleAmount / totals.sales))} per sale
          </span>
        )}
      </p>
      {totals.clicks > 0 && totals.leads === 0 && (
        <p className="muted hint">
          No leads yet. Track sign-ups with <code>POST /api/track/lead</code> (the <code>dub</code> SDK's{" "}
          <code>track.lead</code>) using the <code>dub_id</code> the short link adds to its destination.
        </p>
      )}
    </section>
  );
}
