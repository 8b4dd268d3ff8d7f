import { useState } from "react";
import { ConfirmDialog } from "./confirm-dialog";

/**
 * A danger button that asks before it acts: the dialog names what will happen, and the action's error (if any)
 * stays in the dialog.
 */
export function ConfirmButton({
  trigger,
  title,
  children,
  confirmLabel,
  onConfirm,
  disabled,
}: {
  trigger: string;
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" className="danger" disabled={disabled} onClick={() => setOpen(true)}>
        {trigger}
      </button>
      <ConfirmDialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) setError(null);
        }}
        title={title}
        confirmLabel={busy ? "Working…" : confirmLabel}
        danger
        pending={busy}
        error={error}
        onConfirm={confirm}
      >
        {children}
      </ConfirmDialog>
    </>
  );
}
