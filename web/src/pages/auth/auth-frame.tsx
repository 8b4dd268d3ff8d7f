import type { ReactNode } from "react";

/** The frame of the pages nobody needs to be signed in for: one centred card with the page's heading. */
export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="auth-frame">
      <div className="card auth-card">
        <p className="brand">Clicktrail</p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
