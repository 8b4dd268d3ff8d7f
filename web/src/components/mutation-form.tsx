import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";

/**
 * A form that saves through the API: named by `label` (shown as its heading with `heading`), its submit button
 * waits while it saves, and the API's refusal shows in it. `onSaved` gets the answer (to reset the fields, say).
 */
export function MutationForm<T>({
  label,
  heading,
  layout = "row-wrap",
  submitLabel,
  pendingLabel = "Saving…",
  save,
  onSaved,
  blocked,
  cancel,
  children,
}: {
  label: string;
  heading?: boolean;
  layout?: "row-wrap" | "stack";
  submitLabel: string;
  pendingLabel?: string;
  save: () => Promise<T>;
  onSaved?: (saved: T) => void;
  /** Why the form cannot be sent yet (shown beside the disabled button), or nothing. */
  blocked?: string | false;
  /** A way out beside the submit button (a dialog's Cancel, say). */
  cancel?: ReactNode;
  children: ReactNode;
}) {
  const mutation = useMutation({ mutationFn: save, onSuccess: onSaved });
  return (
    <form
      className={`card ${layout}`}
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        mutation.mutate();
      }}
    >
      {heading && <h3>{label}</h3>}
      {children}
      <div>
        <button type="submit" disabled={mutation.isPending || Boolean(blocked)}>
          {mutation.isPending ? pendingLabel : submitLabel}
        </button>
        {cancel && <> {cancel}</>}
        {blocked && <span className="muted"> {blocked}</span>}
      </div>
      {mutation.error && (
        <p className="error-message" role="alert">
          {mutation.error.message}
        </p>
      )}
    </form>
  );
}
