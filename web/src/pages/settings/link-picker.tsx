import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { type Link, shortName } from "../links/link-types";

/** Links chosen by id: each shown by its short link and removable, more found by searching; none chosen means all. */
export function LinkPicker({ value, onChange }: { value: string[]; onChange: (ids: string[]) => void }) {
  const workspace = useWorkspace();
  const [text, setText] = useState("");
  const chosen = useQueries({
    queries: value.map((id) => ({
      queryKey: ["links", workspace.id, "info", id],
      queryFn: () => api<Link>("/links/info", { workspace: workspace.id, query: { linkId: id } }),
      staleTime: 60_000,
    })),
  });
  const found = useQuery({
    queryKey: ["links", workspace.id, "pick", text.trim()],
    queryFn: ({ signal }) =>
      api<Link[]>("/links", { workspace: workspace.id, signal, query: { search: text.trim(), pageSize: 5 } }),
    enabled: text.trim() !== "",
    placeholderData: keepPreviousData,
  });
  const offered = (found.data ?? []).filter((link) => !value.includes(link.id));
  return (
    <fieldset className="stack">
      <legend>Links</legend>
      {value.length === 0 ? (
        <p className="muted">Events of every link. Add links to send only theirs.</p>
      ) : (
        <ul className="chip-list" aria-label="Chosen links">
          {value.map((id, index) => {
            const name = chosen[index]?.data ? shortName(chosen[index].data) : id;
            return (
              <li key={id} className="chip">
                <span>{name}</span>
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={`Remove ${name}`}
                  onClick={() => onChange(value.filter((each) => each !== id))}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <label>
        Find a link
        <input
          type="search"
          placeholder="Short link or destination"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      {text.trim() !== "" && found.data && (
        <ul className="plain-list" aria-label="Links found">
          {offered.length === 0 && <li className="muted">No other link matches.</li>}
          {offered.map((link) => (
            <li key={link.id}>
              <button type="button" className="secondary small" onClick={() => onChange([...value, link.id])}>
                Add {shortName(link)}
              </button>{" "}
              <span className="muted small break">{link.url}</span>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
