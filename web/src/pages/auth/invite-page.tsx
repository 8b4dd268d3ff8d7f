import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../../api/client";
import { type Me, useMe } from "../../api/session";
import { FormError } from "../../components/form-error";
import { NameField } from "./account-fields";
import { AuthFrame } from "./auth-frame";
import { PasswordField } from "./password-field";
import { signedIn } from "./signed-in";

type Invite = {
  workspace: { id: string; name: string };
  email: string;
  role: "owner" | "member";
  expiresAt: string;
};

/** An invite link: join its workspace as the signed-in user, or as a new account for the invited email. */
export function InvitePage() {
  const { token = "" } = useSearch({ from: "/invite" });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const invite = useQuery({
    queryKey: ["invite", token],
    queryFn: () => api<Invite>(`/invites/${encodeURIComponent(token)}`),
    enabled: token !== "",
  });
  const accept = useMutation({
    mutationFn: (body: { name?: string; password?: string }) =>
      api<Me>(`/invites/${encodeURIComponent(token)}/accept`, { method: "POST", body }),
    onSuccess: async (answer) => {
      const slug = signedIn(queryClient, answer, invite.data?.workspace.id);
      if (slug) await navigate({ to: "/$workspace/links", params: { workspace: slug } });
    },
  });

  const gone =
    token === "" ||
    (invite.error instanceof ApiError && invite.error.status === 410) ||
    (accept.error instanceof ApiError && accept.error.status === 410);
  if (gone) {
    return (
      <AuthFrame title="This invite has expired or was used">
        <p>Invites work once and for 7 days. Ask a workspace owner to send you a new one.</p>
        <p>
          <a href="/app/login">Sign in</a>
        </p>
      </AuthFrame>
    );
  }
  if (invite.isPending || me.isPending) {
    return (
      <AuthFrame title="Invitation">
        <p aria-live="polite">Checking the invite…</p>
      </AuthFrame>
    );
  }
  if (invite.isError) {
    return (
      <AuthFrame title="Invitation">
        <FormError message={invite.error.message} />
      </AuthFrame>
    );
  }

  const { workspace, email, role } = invite.data;
  const user = me.data?.user;
  const needsSignIn = accept.error instanceof ApiError && accept.error.status === 409;
  const nextHere = `/app/invite?token=${encodeURIComponent(token)}`;

  function submit(event: FormEvent) {
    event.preventDefault();
    accept.mutate(user ? {} : { password, ...(name.trim() ? { name: name.trim() } : {}) });
  }

  return (
    <AuthFrame title={`Join ${workspace.name}`}>
      <p>
        You are invited to <strong>{workspace.name}</strong> as {role === "owner" ? "an owner" : "a member"} (
        {email}).
      </p>
      <form className="stack" onSubmit={submit}>
        {user ? (
          <p>
            You are signed in as <strong>{user.email}</strong>.
          </p>
        ) : (
          <>
            <NameField value={name} onChange={setName} />
            <PasswordField value={password} onChange={setPassword} isNew />
          </>
        )}
        <FormError message={accept.isError ? accept.error.message : null} />
        {needsSignIn && (
          <p>
            <a href={`/app/login?next=${encodeURIComponent(nextHere)}`}>Sign in as {email}</a>, then open this
            invite again.
          </p>
        )}
        <button type="submit" disabled={accept.isPending}>
          {user ? `Join as ${user.email}` : "Create account and join"}
        </button>
      </form>
      {!user && (
        <p className="muted small">
          Already have an account?{" "}
          <a href={`/app/login?next=${encodeURIComponent(nextHere)}`}>Sign in first</a>.
        </p>
      )}
    </AuthFrame>
  );
}
