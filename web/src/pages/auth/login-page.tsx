import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useRouter, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../../api/client";
import type { Me } from "../../api/session";
import { FormError } from "../../components/form-error";
import { EmailField } from "./account-fields";
import { AuthFrame } from "./auth-frame";
import { PasswordField } from "./password-field";
import { safeNext, signedIn } from "./signed-in";

/** Why a sign-in failed, in the words a person needs (the wait of a throttled one included). */
export function loginFailure(error: unknown): string {
  if (!(error instanceof ApiError)) return "Signing in failed. Retry.";
  if (error.status === 401) return "Wrong email or password.";
  if (error.status === 429) {
    const seconds = error.retryAfterSeconds;
    if (seconds === null) return "Too many failed attempts. Wait a few minutes, then retry.";
    const minutes = Math.ceil(seconds / 60);
    const wait = seconds < 90 ? `${seconds} seconds` : `${minutes} minutes`;
    return `Too many failed attempts. Wait ${wait}, then retry.`;
  }
  return error.message;
}

export function LoginPage() {
  const { next, reason } = useSearch({ from: "/login" });
  const navigate = useNavigate();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation({
    mutationFn: () => api<Me>("/auth/login", { method: "POST", body: { email, password } }),
    onSuccess: async (me) => {
      const slug = signedIn(queryClient, me);
      const target = safeNext(next);
      if (target) router.history.push(target);
      else if (slug) await navigate({ to: "/$workspace/links", params: { workspace: slug } });
      else await navigate({ to: "/login", search: { reason: "no-workspace" } });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    login.mutate();
  }

  return (
    <AuthFrame title="Sign in">
      {reason === "no-workspace" && (
        <p className="notice">Your account belongs to no workspace yet. Ask an owner for an invite.</p>
      )}
      {reason === "signed-out-everywhere" && (
        <p className="notice" role="status">
          You are signed out in every browser and on every device.
        </p>
      )}
      <form className="stack" onSubmit={submit}>
        <EmailField value={email} onChange={setEmail} />
        <PasswordField value={password} onChange={setPassword} />
        <FormError message={login.isError ? loginFailure(login.error) : null} />
        <button type="submit" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="muted small">
        Forgot your password? An operator can set a new one with <code>clicktrail users reset-password</code>.
      </p>
    </AuthFrame>
  );
}
