import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { type Role, useMe } from "../../api/session";
import { useWorkspace } from "../../app/workspace";
import { ConfirmButton } from "../../components/confirm-button";
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
          <div className="table-scroll">
            <table aria-label="Members">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
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
              </tbody>
            </table>
          </div>
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
                <table aria-label="Pending invites">
                  <thead>
                    <tr>
                      <th scope="col">Email</th>
                      <th scope="col">Role</th>
                      <th scope="col">Expires</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
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
                  </tbody>
                </table>
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
  const invite = useMutation({
    mutationFn: () =>
      api<Invite>(`/workspaces/${workspace.id}/invites`, {
        method: "POST",
        workspace: workspace.slug,
        body: { email, role },
      }),
    onSuccess: (created) => {
      setEmail("");
      if (created.url) onInvited(created.url);
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    invite.mutate();
  }
  return (
    <form className="card row-wrap" onSubmit={submit} aria-label="Invite someone">
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
      <button type="submit" disabled={invite.isPending}>
        {invite.isPending ? "Inviting…" : "Create invite link"}
      </button>
      {invite.error && (
        <p className="error-message" role="alert">
          {invite.error.message}
        </p>
      )}
    </form>
  );
}
