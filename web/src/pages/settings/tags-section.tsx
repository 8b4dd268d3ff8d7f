import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { ConfirmButton } from "../../components/confirm-button";
import { QueryState } from "../../components/query-state";

const COLORS = ["blue", "green", "yellow", "red", "purple", "pink", "brown", "gray"] as const;

type Tag = { id: string; name: string; color: string };

/** Tags: list with colour, add, rename or recolour, delete. */
export function TagsSection() {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const queryKey = ["tags", workspace.slug];
  const tags = useQuery({ queryKey, queryFn: () => api<Tag[]>("/tags", { workspace: workspace.slug }) });
  const refresh = () => queryClient.invalidateQueries({ queryKey });
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <div className="stack">
      <TagForm
        title="Add a tag"
        submitLabel="Add tag"
        onSubmit={(tag) =>
          api("/tags", { method: "POST", workspace: workspace.slug, body: tag }).then(refresh)
        }
      />
      <QueryState query={tags} what="tags">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No tags yet.</p>
          ) : (
            <ul className="plain-list">
              {list.map((tag) => (
                <li key={tag.id} className="card stack">
                  <div className="row-between">
                    <span className={`tag-chip tag-${tag.color}`}>{tag.name}</span>
                    <div className="button-row">
                      <button
                        type="button"
                        className="secondary"
                        aria-expanded={editing === tag.id}
                        onClick={() => setEditing(editing === tag.id ? null : tag.id)}
                      >
                        Edit <span className="visually-hidden">{tag.name}</span>
                      </button>
                      <ConfirmButton
                        trigger={`Delete ${tag.name}`}
                        title={`Delete the tag "${tag.name}"?`}
                        confirmLabel="Delete tag"
                        onConfirm={() =>
                          api(`/tags/${tag.id}`, { method: "DELETE", workspace: workspace.slug }).then(
                            refresh,
                          )
                        }
                      >
                        <p>The tag is removed from every link that has it; the links stay.</p>
                      </ConfirmButton>
                    </div>
                  </div>
                  {editing === tag.id && (
                    <TagForm
                      title={`Edit ${tag.name}`}
                      submitLabel="Save tag"
                      initial={tag}
                      onSubmit={(fields) =>
                        api(`/tags/${tag.id}`, {
                          method: "PATCH",
                          workspace: workspace.slug,
                          body: fields,
                        }).then(() => {
                          setEditing(null);
                          return refresh();
                        })
                      }
                    />
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </div>
  );
}

function TagForm({
  title,
  submitLabel,
  initial,
  onSubmit,
}: {
  title: string;
  submitLabel: string;
  initial?: Tag;
  onSubmit: (fields: { name: string; color: string }) => Promise<unknown>;
}) {
  const [name, setName] = useState(initial?.name ?? "");
  const [color, setColor] = useState(initial?.color ?? "blue");
  const save = useMutation({
    mutationFn: () => onSubmit({ name, color }),
    onSuccess: () => {
      if (!initial) setName("");
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  return (
    <form className="card row-wrap" onSubmit={submit} aria-label={title}>
      <label>
        Name
        <input required maxLength={50} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <label>
        Colour
        <select value={color} onChange={(event) => setColor(event.currentTarget.value)}>
          {COLORS.map((each) => (
            <option key={each} value={each}>
              {each}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={save.isPending}>
        {submitLabel}
      </button>
      {save.error && (
        <p className="error-message" role="alert">
          {save.error.message}
        </p>
      )}
    </form>
  );
}
