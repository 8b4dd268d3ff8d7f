import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "../../api/client";
import { ME_KEY } from "../../api/session";
import { useWorkspace } from "../../app/workspace";
import { QueryState } from "../../components/query-state";
import { OwnerOnlyNote, useIsOwner } from "./owner-only";

type WorkspaceDetails = { id: string; name: string; slug: string; allowedHostnames: string[] | null };

/** The workspace's name and the host names allowed to track from the browser. */
export function GeneralSection() {
  const workspace = useWorkspace();
  const details = useQuery({
    queryKey: ["workspace", workspace.slug],
    queryFn: () => api<WorkspaceDetails>(`/workspaces/${workspace.id}`, { workspace: workspace.slug }),
  });
  return (
    <QueryState query={details} what="the workspace">
      {(data) => <GeneralForm details={data} />}
    </QueryState>
  );
}

function GeneralForm({ details }: { details: WorkspaceDetails }) {
  const workspace = useWorkspace();
  const isOwner = useIsOwner();
  const queryClient = useQueryClient();
  const [name, setName] = useState(details.name);
  const [hostnames, setHostnames] = useState((details.allowedHostnames ?? []).join("\n"));
  useEffect(() => {
    setName(details.name);
    setHostnames((details.allowedHostnames ?? []).join("\n"));
  }, [details]);
  const save = useMutation({
    mutationFn: () =>
      api<WorkspaceDetails>(`/workspaces/${workspace.id}`, {
        method: "PATCH",
        workspace: workspace.slug,
        body: {
          name,
          allowedHostnames: hostnames
            .split(/[\s,]+/)
            .map((each) => each.trim())
            .filter(Boolean),
        },
      }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(["workspace", workspace.slug], saved);
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  return (
    <form className="card stack" onSubmit={submit}>
      {!isOwner && <OwnerOnlyNote what="rename the workspace or change its allowed host names" />}
      <label>
        Workspace name
        <input
          required
          maxLength={32}
          value={name}
          disabled={!isOwner}
          onChange={(event) => setName(event.target.value)}
        />
      </label>
      <p className="muted">
        Slug: <code>{details.slug}</code> · ID: <code>{details.id}</code>
      </p>
      <label>
        Allowed host names
        <textarea
          rows={4}
          value={hostnames}
          disabled={!isOwner}
          aria-describedby="hostnames-help"
          onChange={(event) => setHostnames(event.target.value)}
        />
      </label>
      <p id="hostnames-help" className="muted">
        One per line, e.g. <code>shop.example.com</code> or <code>*.example.com</code>. Pages on these sites
        may track clicks, leads and sales from the browser with a publishable key.
      </p>
      {save.error && (
        <p className="error-message" role="alert">
          {save.error.message}
        </p>
      )}
      {save.isSuccess && (
        <p role="status" className="success-message">
          Saved.
        </p>
      )}
      {isOwner && (
        <div>
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save"}
          </button>
        </div>
      )}
    </form>
  );
}
