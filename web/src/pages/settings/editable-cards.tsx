import { type ReactNode, useState } from "react";
import { ConfirmButton } from "../../components/confirm-button";

export type Removal = {
  title: string;
  confirmLabel: string;
  consequence: ReactNode;
  remove: () => Promise<unknown>;
};

/**
 * Things of a settings section as cards: each with its summary, an Edit button that opens its form in place (one at
 * a time), and a Delete button that asks first.
 */
export function EditableCards<T extends { id: string }>({
  items,
  name,
  summary,
  editForm,
  removal,
}: {
  items: T[];
  name: (item: T) => string;
  summary: (item: T) => ReactNode;
  /** The item's edit form; `close` after it saved. */
  editForm: (item: T, close: () => void) => ReactNode;
  removal: (item: T) => Removal;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <ul className="plain-list">
      {items.map((item) => {
        const { title, confirmLabel, consequence, remove } = removal(item);
        return (
          <li key={item.id} className="card stack">
            <div className="row-between">
              <div>{summary(item)}</div>
              <div className="button-row">
                <button
                  type="button"
                  className="secondary"
                  aria-expanded={editing === item.id}
                  onClick={() => setEditing(editing === item.id ? null : item.id)}
                >
                  Edit <span className="visually-hidden">{name(item)}</span>
                </button>
                <ConfirmButton
                  trigger={`Delete ${name(item)}`}
                  title={title}
                  confirmLabel={confirmLabel}
                  onConfirm={remove}
                >
                  <p>{consequence}</p>
                </ConfirmButton>
              </div>
            </div>
            {editing === item.id && editForm(item, () => setEditing(null))}
          </li>
        );
      })}
    </ul>
  );
}
