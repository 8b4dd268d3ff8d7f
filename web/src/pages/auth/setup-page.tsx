import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../../api/client";
import type { Me } from "../../api/session";
import { FormError } from "../../components/form-error";
import { EmailField, NameField } from "./account-fields";
import { AuthFrame } from "./auth-frame";
import { PasswordField } from "./password-field";
import { signedIn } from "./signed-in";

type SetupInfo = { workspace: { id: string; name: string } };

/** The first start's one-time link: it makes the first owner of the first workspace. */
export function SetupPage() {
  const { token = "" } = useSearch({ from: "/setup" });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const info = useQuery({
    queryKey: ["setup", token],
    queryFn: () => api<SetupInfo>("/auth/setup", { query: { token } }),
    enabled: token !== "",
  });
  const setup = useMutation({
    mutationFn: () =>
      api<Me>("/auth/setup", {
        method: "POST",
        body: { token, email, password, ...(name.trim() ? { name: name.trim() } : {}) },
      }),
    onSuccess: async (me) => {
      const slug = signedIn(queryClient, me, info.data?.workspace.id);
      if (slug) await navigate({ to: "/$workspace/links", params: { workspace: slug } });
    },
  });

  if (token === "" || (info.error instanceof ApiError && info.error.status === 410)) {
    return (
      <AuthFrame title="This setup link cannot be used">
        <p>
          The link has expired, was used already, or is incomplete. If an owner exists,{" "}
          <a href="/app/login">sign in</a>; an operator can also create an account with{" "}
          <code>clicktrail users create</code>.
        </p>
      </AuthFrame>
    );
  }
  if (info.isPending) {
    return (
      <AuthFrame title="Set up Clicktrail">
        <p aria-live="polite">Checking the setup link…</p>
      </AuthFrame>
    );
  }
  if (info.isError) {
    return (
      <AuthFrame title="Set up Clicktrail">
        <FormError message={info.error.message} />
      </AuthFrame>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setup.mutate();
  }

  return (
    <AuthFrame title="Set up Clicktrail">
      <p>
        Create the first owner of <strong>{info.data.workspace.name}</strong>.
      </p>
      <form className="stack" onSubmit={submit}>
        <NameField value={name} onChange={setName} />
        <EmailField value={email} onChange={setEmail} />
        <PasswordField value={password} onChange={setPassword} isNew />
        <FormError message={setup.isError ? setup.error.message : null} />
        <button type="submit" disabled={setup.isPending}>
          {setup.isPending ? "Creating…" : "Create owner and sign in"}
        </button>
      </form>
    </AuthFrame>
  );
}
