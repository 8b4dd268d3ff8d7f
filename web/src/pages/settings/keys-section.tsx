import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { ConfirmButton } from "../../components/confirm-button";
import { DataTable } from "../../components/data-table";
import { MutationForm } from "../../components/mutation-form";
import { QueryState } from "../../components/query-state";
import { ShownOnce } from "../../components/shown-once";
import { formatInstant, formatLastUsed } from "./format";
import { KeyEditButton } from "./key-edit-dialog";
import { OwnerOnlyNote, useIsOwner } from "./owner-only";
import { ALL_ACCESS, choiceBlocked, type ScopeChoice, ScopeFields, scopesOf } from "./scope-fields";
import { describeScopes } from "./scopes";

export type Token = {
  id: string;
  name: string;
  partialKey: string;
  scopes: string[] | null;
  kind: "secret" | "publishable";
  createdAt: string;
  lastUsedAt: string | null;
};

/** API keys: the list (partial key, permissions, last use), a form to create one (shown once), edit, revoke. */
export function KeysSection() {
  const isOwner = useIsOwner();
  if (!isOwner) return <OwnerOnlyNote what="see, create, edit and revoke API keys" />;
  return <OwnerKeys />;
}

function OwnerKeys() {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const queryKey = ["tokens", workspace.slug];
  const tokens = useQuery({
    queryKey,
    queryFn: () => api<Token[]>("/tokens", { workspace: workspace.slug }),
  });
  const [created, setCreated] = useState<string | null>(null);
  const revoke = (id: string) =>
    api(`/tokens/${id}`, { method: "DELETE", workspace: workspace.slug }).then(() =>
      queryClient.invalidateQueries({ queryKey }),
    );

  return (
    <div className="stack">
      {created ? (
        <ShownOnce label="Your new API key" value={created} onDone={() => setCreated(null)} />
      ) : (
        <CreateKeyForm
          onCreated={(key) => {
            setCreated(key);
            void queryClient.invalidateQueries({ queryKey });
          }}
        />
      )}
      <QueryState query={tokens} what="API keys">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No API keys yet.</p>
          ) : (
            <DataTable
              label="API keys"
              columns={["Name", "Permissions", "Key", "Created", "Last used"]}
              actions
            >
              {list.map((token) => (
                <tr key={token.id}>
                  <td>{token.name}</td>
                  <td>{describeScopes(token.scopes, token.kind)}</td>
                  <td>
                    <code>{token.partialKey}</code>
                  </td>
                  <td>{formatInstant(token.createdAt)}</td>
                  <td>{formatLastUsed(token.lastUsedAt)}</td>
                  <td>
                    <div className="button-row">
                      <KeyEditButton
                        token={token}
                        onSaved={() => void queryClient.invalidateQueries({ queryKey })}
                      />
                      <ConfirmButton
                        trigger={`Revoke ${token.name}`}
                        title={`Revoke the key "${token.name}"?`}
                        confirmLabel="Revoke key"
                        onConfirm={() => revoke(token.id)}
                      >
                        <p>
                          Every program using <code>{token.partialKey}</code> stops working at once. This
                          cannot be undone.
                        </p>
                      </ConfirmButton>
                    </div>
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryState>
    </div>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: string) => void }) {
  const workspace = useWorkspace();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"secret" | "publishable">("secret");
  const [choice, setChoice] = useState<ScopeChoice>(ALL_ACCESS);

  return (
    <MutationForm
      label="Create an API key"
      heading
      layout="stack"
      submitLabel="Create key"
      pendingLabel="Creating…"
      blocked={kind === "secret" && choiceBlocked(choice)}
      save={() =>
        api<Token & { key: string }>("/tokens", {
          method: "POST",
          workspace: workspace.slug,
          body: { name, kind, scopes: kind === "publishable" ? undefined : (scopesOf(choice) ?? undefined) },
        })
      }
      onSaved={(token) => {
        setName("");
        setChoice(ALL_ACCESS);
        onCreated(token.key);
      }}
    >
      <label>
        Name
        <input required maxLength={190} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <fieldset>
        <legend>Kind</legend>
        <label className="inline">
          <input type="radio" name="kind" checked={kind === "secret"} onChange={() => setKind("secret")} />
          Secret key (servers, the SDKs)
        </label>
        <label className="inline">
          <input
            type="radio"
            name="kind"
            checked={kind === "publishable"}
            onChange={() => setKind("publishable")}
          />
          Publishable key (web pages: tracks from the allowed host names only)
        </label>
      </fieldset>
      {kind === "secret" && <ScopeFields value={choice} onChange={setChoice} />}
    </MutationForm>
  );
}
