import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { type Role, useMe } from "../../api/session";
import { useWorkspace } from "../../app/workspace";
import { ConfirmButton } from "../../components/confirm-button";
import { DataTable } from "../../components/data-table";
import { MutationForm } from "../../components/mutation-form";
import { QueryState } from "../../components/query-state";
import { ShownOnce } from "../../components/shown-once";
import { formatInstant } from "./format";
import { OwnerOnlyNote, useIsOwner } from "./owner-only";

type Member = { userId: string; email: string; name: string | null; role: Role; createdAt: string };
type Invite = { id: string; email: string; role: Role; expiresAt: string; url?: string };

/** Members (role, remove) and invites (a link shown once, pending ones revocable). */
export function MembersSection() {
  const workspace = useWorkspace();
  const isOwner = useIsOwner();
  const me = useMe();
  const queryClient = useQueryClient();
  const base = `/workspaces/${workspace.id}`;
  const membersKey = ["members", workspace.slug];
  const invitesKey = ["invites", workspace.slug];
  const members = useQuery({
    queryKey: membersKey,
    queryFn: () => api<Member[]>(`${base}/members`, { workspace: workspace.slug }),
  });
  const invites = useQuery({
    queryKey: invitesKey,
    queryFn: () => api<Invite[]>(`${base}/invites`, { workspace: workspace.slug }),
    enabled: isOwner,
  });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      api(`${base}/members/${userId}`, { method: "PATCH", workspace: workspace.slug, body: { role } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: membersKey }),
  });
  const [inviteUrl, setInviteUrl] = useState<string | null>(null);

  return (
    <div className="stack">
      {!isOwner && <OwnerOnlyNote what="invite people, change roles or remove members" />}
      <QueryState query={members} what="members">
        {(list) => (
          <DataTable label="Members" columns={["Name", "Email", "Role", "Joined"]} actions>
            {list.map((member) => {
              const self = member.userId === me.data?.user.id;
              const label = member.name || member.email;
              return (
                <tr key={member.userId}>
                  <td>
                    {member.name ?? "—"}
                    {self && <span className="muted"> (you)</span>}
                  </td>
                  <td>{member.email}</td>
                  <td>
                    {isOwner ? (
                      <select
                        aria-label={`Role of ${label}`}
                        value={member.role}
                        disabled={changeRole.isPending}
                        onChange={(event) =>
                          changeRole.mutate({
                            userId: member.userId,
                            role: event.currentTarget.value as Role,
                          })
                        }
                      >
                        <option value="owner">Owner</option>
                        <option value="member">Member</option>
                      </select>
                    ) : (
                      member.role
                    )}
                  </td>
                  <td>{formatInstant(member.createdAt)}</td>
                  <td>
                    {isOwner && (
                      <ConfirmButton
                        trigger={`Remove ${label}`}
                        title={`Remove ${label} from ${workspace.name}?`}
                        confirmLabel="Remove member"
                        onConfirm={() =>
                          api(`${base}/members/${member.userId}`, {
                            method: "DELETE",
                            workspace: workspace.slug,
                          }).then(() => queryClient.invalidateQueries({ queryKey: membersKey }))
                        }
                      >
                        <p>
                          {member.email} loses access to this workspace at once. Their account and other
                          workspaces stay.
                        </p>
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </QueryState>
      {changeRole.error && (
        <p className="error-message" role="alert">
          {changeRole.error.message}
        </p>
      )}
      {isOwner && (
        <>
          <h3>Invites</h3>
          {inviteUrl ? (
            <ShownOnce label="The invite link" value={inviteUrl} onDone={() => setInviteUrl(null)} />
          ) : (
            <InviteForm
              onInvited={(url) => {
                setInviteUrl(url);
                void queryClient.invalidateQueries({ queryKey: invitesKey });
              }}
            />
          )}
          <QueryState query={invites} what="invites">
            {(list) =>
              list.length === 0 ? (
                <p className="muted">No pending invites.</p>
              ) : (
                <DataTable label="Pending invites" columns={["Email", "Role", "Expires"]} actions>
                  {list.map((invite) => (
                    <tr key={invite.id}>
                      <td>{invite.email}</td>
                      <td>{invite.role}</td>
                      <td>{formatInstant(invite.expiresAt)}</td>
                      <td>
                        <ConfirmButton
                          trigger={`Revoke invite for ${invite.email}`}
                          title={`Revoke the invite for ${invite.email}?`}
                          confirmLabel="Revoke invite"
                          onConfirm={() =>
                            api(`${base}/invites/${invite.id}`, {
                              method: "DELETE",
                              workspace: workspace.slug,
                            }).then(() => queryClient.invalidateQueries({ queryKey: invitesKey }))
                          }
                        >
                          <p>The link sent to {invite.email} stops working.</p>
                        </ConfirmButton>
                      </td>
                    </tr>
                  ))}
                </DataTable>
              )
            }
          </QueryState>
        </>
      )}
    </div>
  );
}

function InviteForm({ onInvited }: { onInvited: (url: string) => void }) {
  const workspace = useWorkspace();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  return (
    <MutationForm
      label="Invite someone"
      submitLabel="Create invite link"
      pendingLabel="Inviting…"
      save={() =>
        api<Invite>(`/workspaces/${workspace.id}/invites`, {
          method: "POST",
          workspace: workspace.slug,
          body: { email, role },
        })
      }
      onSaved={(created) => {
        setEmail("");
        if (created.url) onInvited(created.url);
      }}
    >
      <label>
        Email
        <input required type="email" value={email} onChange={(event) => setEmail(event.target.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
          <option value="member">Member</option>
          <option value="owner">Owner</option>
        </select>
      </label>
    </MutationForm>
  );
}
