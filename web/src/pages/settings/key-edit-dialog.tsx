import { Dialog } from "radix-ui";
import { useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { MutationForm } from "../../components/mutation-form";
import type { Token } from "./keys-section";
import { choiceBlocked, choiceOf, ScopeFields, scopesOf } from "./scope-fields";

/**
 * An Edit button that opens a dialog to rename a key or change its permissions (a publishable key has none); the
 * key itself stays the same, and programs using it get the new permissions at their next call.
 */
export function KeyEditButton({ token, onSaved }: { token: Token; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className="button secondary">Edit {token.name}</Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-wide">
          <Dialog.Title>Edit the key "{token.name}"</Dialog.Title>
          <Dialog.Description className="muted">
            <code>{token.partialKey}</code> keeps working: programs using it get the new permissions at their
            next call.
          </Dialog.Description>
          {open && (
            <KeyEditForm
              token={token}
              onSaved={() => {
                setOpen(false);
                onSaved();
              }}
            />
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function KeyEditForm({ token, onSaved }: { token: Token; onSaved: () => void }) {
  const workspace = useWorkspace();
  const [name, setName] = useState(token.name);
  const [choice, setChoice] = useState(() => choiceOf(token.scopes));
  const secret = token.kind === "secret";
  return (
    <MutationForm
      label={`Edit ${token.name}`}
      layout="stack"
      submitLabel="Save key"
      blocked={secret && choiceBlocked(choice)}
      cancel={
        <Dialog.Close className="button secondary" type="button">
          Cancel
        </Dialog.Close>
      }
      save={() =>
        api<Token>(`/tokens/${token.id}`, {
          method: "PATCH",
          workspace: workspace.slug,
          body: secret ? { name, scopes: scopesOf(choice) } : { name },
        })
      }
      onSaved={onSaved}
    >
      <label>
        Name
        <input required maxLength={190} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      {secret ? (
        <ScopeFields value={choice} onChange={setChoice} />
      ) : (
        <p className="muted">
          A publishable key has no permissions to choose: it only tracks from allowed sites.
        </p>
      )}
    </MutationForm>
  );
}
