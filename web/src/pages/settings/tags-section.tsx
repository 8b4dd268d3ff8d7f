import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { MutationForm } from "../../components/mutation-form";
import { QueryState } from "../../components/query-state";
import { EditableCards } from "./editable-cards";

const COLORS = ["blue", "green", "yellow", "red", "purple", "pink", "brown", "gray"] as const;

type Tag = { id: string; name: string; color: string };
type TagFields = Omit<Tag, "id">;

/** Tags: list with colour, add, rename or recolour, delete. */
export function TagsSection() {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const queryKey = ["tags", workspace.slug];
  const tags = useQuery({ queryKey, queryFn: () => api<Tag[]>("/tags", { workspace: workspace.slug }) });
  const refresh = () => queryClient.invalidateQueries({ queryKey });
  return (
    <div className="stack">
      <TagForm
        title="Add a tag"
        submitLabel="Add tag"
        save={(fields) =>
          api("/tags", { method: "POST", workspace: workspace.slug, body: fields }).then(refresh)
        }
      />
      <QueryState query={tags} what="tags">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No tags yet.</p>
          ) : (
            <EditableCards
              items={list}
              name={(tag) => tag.name}
              summary={(tag) => <span className={`tag-chip tag-${tag.color}`}>{tag.name}</span>}
              editForm={(tag, close) => (
                <TagForm
                  title={`Edit ${tag.name}`}
                  submitLabel="Save tag"
                  initial={tag}
                  save={(fields) =>
                    api(`/tags/${tag.id}`, { method: "PATCH", workspace: workspace.slug, body: fields })
                      .then(close)
                      .then(refresh)
                  }
                />
              )}
              removal={(tag) => ({
                title: `Delete the tag "${tag.name}"?`,
                confirmLabel: "Delete tag",
                consequence: "The tag is removed from every link that has it; the links stay.",
                remove: () =>
                  api(`/tags/${tag.id}`, { method: "DELETE", workspace: workspace.slug }).then(refresh),
              })}
            />
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
  save,
}: {
  title: string;
  submitLabel: string;
  initial?: Tag;
  save: (fields: TagFields) => Promise<unknown>;
}) {
  const [name, setName] = useState(initial?.name ?? "");
  const [color, setColor] = useState(initial?.color ?? "blue");
  return (
    <MutationForm
      label={title}
      submitLabel={submitLabel}
      save={() => save({ name, color })}
      onSaved={() => setName(initial?.name ?? "")}
    >
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
    </MutationForm>
  );
}
