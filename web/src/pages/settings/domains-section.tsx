import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { ConfirmButton } from "../../components/confirm-button";
import { QueryState } from "../../components/query-state";

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
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <div className="stack">
      <DomainForm
        title="Add a domain"
        submitLabel="Add domain"
        onSubmit={(fields) =>
          api("/domains", { method: "POST", workspace: workspace.slug, body: bodyOf(fields) }).then(refresh)
        }
      />
      <QueryState query={domains} what="domains">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No custom domains: links use the server's default domain.</p>
          ) : (
            <ul className="plain-list">
              {list.map((domain) => (
                <li key={domain.id} className="card stack">
                  <div className="row-between">
                    <div>
                      <strong>{domain.slug}</strong>
                      {domain.archived && <span className="status"> Archived</span>}
                      <div className="muted small">
                        Root: {domain.placeholder ?? "—"} · Unknown keys: {domain.notFoundUrl ?? "—"}
                      </div>
                    </div>
                    <div className="button-row">
                      <button
                        type="button"
                        className="secondary"
                        aria-expanded={editing === domain.id}
                        onClick={() => setEditing(editing === domain.id ? null : domain.id)}
                      >
                        Edit <span className="visually-hidden">{domain.slug}</span>
                      </button>
                      <ConfirmButton
                        trigger={`Delete ${domain.slug}`}
                        title={`Delete the domain ${domain.slug}?`}
                        confirmLabel="Delete domain"
                        onConfirm={() =>
                          api(`/domains/${encodeURIComponent(domain.slug)}`, {
                            method: "DELETE",
                            workspace: workspace.slug,
                          }).then(refresh)
                        }
                      >
                        <p>
                          Every link on {domain.slug} is deleted with it, with its clicks. This cannot be
                          undone.
                        </p>
                      </ConfirmButton>
                    </div>
                  </div>
                  {editing === domain.id && (
                    <DomainForm
                      title={`Edit ${domain.slug}`}
                      submitLabel="Save domain"
                      initial={fieldsOf(domain)}
                      onSubmit={(fields) =>
                        api(`/domains/${encodeURIComponent(domain.slug)}`, {
                          method: "PATCH",
                          workspace: workspace.slug,
                          body: bodyOf(fields),
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

function DomainForm({
  title,
  submitLabel,
  initial,
  onSubmit,
}: {
  title: string;
  submitLabel: string;
  initial?: DomainFields;
  onSubmit: (fields: DomainFields) => Promise<unknown>;
}) {
  const [fields, setFields] = useState<DomainFields>(initial ?? fieldsOf());
  const save = useMutation({
    mutationFn: () => onSubmit(fields),
    onSuccess: () => {
      if (!initial) setFields(fieldsOf());
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  const set = (name: keyof DomainFields) => (event: { target: HTMLInputElement }) =>
    setFields({ ...fields, [name]: name === "archived" ? event.target.checked : event.target.value });
  return (
    <form className="card row-wrap" onSubmit={submit} aria-label={title}>
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
