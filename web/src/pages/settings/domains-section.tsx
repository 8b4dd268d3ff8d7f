import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { MutationForm } from "../../components/mutation-form";
import { QueryState } from "../../components/query-state";
import { EditableCards } from "./editable-cards";

type Domain = {
  id: string;
  slug: string;
  archived: boolean;
  placeholder: string | null;
  notFoundUrl: string | null;
  expiredUrl: string | null;
};

type DomainFields = { slug: string; placeholder: string; notFoundUrl: string; archived: boolean };

const fieldsOf = (domain?: Domain): DomainFields => ({
  slug: domain?.slug ?? "",
  placeholder: domain?.placeholder ?? "",
  notFoundUrl: domain?.notFoundUrl ?? "",
  archived: domain?.archived ?? false,
});

const bodyOf = (fields: DomainFields) => ({
  slug: fields.slug,
  placeholder: fields.placeholder || null,
  notFoundUrl: fields.notFoundUrl || null,
  archived: fields.archived,
});

/** Custom short domains: list (archived ones too), add, edit, delete. */
export function DomainsSection() {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const queryKey = ["domains", workspace.slug];
  const domains = useQuery({
    queryKey,
    queryFn: async () => {
      const [active, archived] = await Promise.all([
        api<Domain[]>("/domains", { workspace: workspace.slug }),
        api<Domain[]>("/domains", { workspace: workspace.slug, query: { archived: true } }),
      ]);
      return [...active, ...archived];
    },
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey });
  const at = (domain: Domain) => `/domains/${encodeURIComponent(domain.slug)}`;
  return (
    <div className="stack">
      <DomainForm
        title="Add a domain"
        submitLabel="Add domain"
        save={(fields) =>
          api("/domains", { method: "POST", workspace: workspace.slug, body: bodyOf(fields) }).then(refresh)
        }
      />
      <QueryState query={domains} what="domains">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No custom domains: links use the server's default domain.</p>
          ) : (
            <EditableCards
              items={list}
              name={(domain) => domain.slug}
              summary={(domain) => (
                <>
                  <strong>{domain.slug}</strong>
                  {domain.archived && <span className="status"> Archived</span>}
                  <div className="muted small">
                    Root: {domain.placeholder ?? "—"} · Unknown keys: {domain.notFoundUrl ?? "—"}
                  </div>
                </>
              )}
              editForm={(domain, close) => (
                <DomainForm
                  title={`Edit ${domain.slug}`}
                  submitLabel="Save domain"
                  initial={domain}
                  save={(fields) =>
                    api(at(domain), { method: "PATCH", workspace: workspace.slug, body: bodyOf(fields) })
                      .then(close)
                      .then(refresh)
                  }
                />
              )}
              removal={(domain) => ({
                title: `Delete the domain ${domain.slug}?`,
                confirmLabel: "Delete domain",
                consequence: `Every link on ${domain.slug} is deleted with it, with its clicks. This cannot be undone.`,
                remove: () => api(at(domain), { method: "DELETE", workspace: workspace.slug }).then(refresh),
              })}
            />
          )
        }
      </QueryState>
    </div>
  );
}

function DomainForm({
  title,
  submitLabel,
  initial,
  save,
}: {
  title: string;
  submitLabel: string;
  initial?: Domain;
  save: (fields: DomainFields) => Promise<unknown>;
}) {
  const [fields, setFields] = useState(fieldsOf(initial));
  const set = (name: keyof DomainFields) => (event: { target: HTMLInputElement }) =>
    setFields({ ...fields, [name]: name === "archived" ? event.target.checked : event.target.value });
  return (
    <MutationForm
      label={title}
      submitLabel={submitLabel}
      save={() => save(fields)}
      onSaved={() => setFields(fieldsOf(initial))}
    >
      <label>
        Domain
        <input required placeholder="go.example.com" value={fields.slug} onChange={set("slug")} />
      </label>
      <label>
        Root redirect (optional)
        <input
          type="url"
          placeholder="https://example.com"
          value={fields.placeholder}
          onChange={set("placeholder")}
        />
      </label>
      <label>
        Unknown keys go to (optional)
        <input type="url" value={fields.notFoundUrl} onChange={set("notFoundUrl")} />
      </label>
      {initial && (
        <label className="inline">
          <input type="checkbox" checked={fields.archived} onChange={set("archived")} />
          Archived
        </label>
      )}
    </MutationForm>
  );
}
