import { Link, useParams } from "@tanstack/react-router";
import { useWorkspace } from "../../app/workspace";
import { DomainsSection } from "./domains-section";
import { GeneralSection } from "./general-section";
import { IntegrationsSection } from "./integrations-section";
import { KeysSection } from "./keys-section";
import { MembersSection } from "./members-section";
import { TagsSection } from "./tags-section";
import { WebhooksSection } from "./webhooks-section";

const SECTIONS = [
  { id: "general", label: "General", Component: GeneralSection },
  { id: "keys", label: "API keys", Component: KeysSection },
  { id: "webhooks", label: "Webhooks", Component: WebhooksSection },
  { id: "integrations", label: "Integrations", Component: IntegrationsSection },
  { id: "members", label: "Members", Component: MembersSection },
  { id: "domains", label: "Domains", Component: DomainsSection },
  { id: "tags", label: "Tags", Component: TagsSection },
] as const;

/** /app/{workspace}/settings/{section}: a side navigation of sections and the chosen one. */
export function SettingsPage() {
  const workspace = useWorkspace();
  const { section } = useParams({ strict: false }) as { section?: string };
  const current = SECTIONS.find((each) => each.id === section) ?? SECTIONS[0];
  const { Component } = current;
  return (
    <div className="settings">
      <h1>Settings</h1>
      <div className="settings-layout">
        <nav aria-label="Settings sections" className="settings-nav">
          <ul>
            {SECTIONS.map((each) => (
              <li key={each.id}>
                <Link
                  to="/$workspace/settings/$section"
                  params={{ workspace: workspace.slug, section: each.id }}
                  aria-current={each.id === current.id ? "page" : undefined}
                  className={each.id === current.id ? "active" : undefined}
                >
                  {each.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <section className="settings-section" aria-labelledby="settings-section-title">
          <h2 id="settings-section-title">{current.label}</h2>
          <Component />
        </section>
      </div>
    </div>
  );
}
