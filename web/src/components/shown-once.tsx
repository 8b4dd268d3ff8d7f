import { CopyButton } from "./copy-button";

/** A secret the server shows only in this answer: displayed with a copy button and a warning. */
export function ShownOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  return (
    <div className="card shown-once" role="status">
      <p>
        <strong>{label}</strong> — copy it now: it will not be shown again.
      </p>
      <div className="shown-once-value">
        <code data-testid="shown-once">{value}</code>
        <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
      <button type="button" className="secondary" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
