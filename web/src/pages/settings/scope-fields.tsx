import { useId } from "react";
import { SCOPE_GROUPS, scopeAction } from "./scopes";

export type Preset = "all" | "read" | "restricted";

/** A secret key's permissions as the key forms edit them: a preset, or the chosen scopes when restricted. */
export type ScopeChoice = { preset: Preset; scopes: ReadonlySet<string> };

export const ALL_ACCESS: ScopeChoice = { preset: "all", scopes: new Set() };

/** The choice that shows a key's scopes (null: every scope). */
export function choiceOf(scopes: string[] | null): ScopeChoice {
  if (scopes === null || scopes.includes("apis.all")) return ALL_ACCESS;
  if (scopes.length === 1 && scopes[0] === "apis.read") return { preset: "read", scopes: new Set() };
  return { preset: "restricted", scopes: new Set(scopes) };
}

/** The scopes the API takes for a choice: null for every scope. */
export function scopesOf(choice: ScopeChoice): string[] | null {
  if (choice.preset === "all") return null;
  if (choice.preset === "read") return ["apis.read"];
  return [...choice.scopes];
}

/** Why a choice cannot be saved, or false. */
export const choiceBlocked = (choice: ScopeChoice) =>
  choice.preset === "restricted" && choice.scopes.size === 0 && "Choose at least one permission.";

const PRESETS = [
  ["all", "All access"],
  ["read", "Read-only"],
  ["restricted", "Restricted"],
] as const;

/** The permissions fieldset: All access, Read-only, or Restricted with a Read/Write choice per resource. */
export function ScopeFields({
  value,
  onChange,
}: {
  value: ScopeChoice;
  onChange: (next: ScopeChoice) => void;
}) {
  const group = useId();
  function toggle(scope: string, on: boolean) {
    const scopes = new Set(value.scopes);
    if (on) scopes.add(scope);
    else scopes.delete(scope);
    onChange({ ...value, scopes });
  }
  return (
    <fieldset>
      <legend>Permissions</legend>
      {PRESETS.map(([preset, label]) => (
        <label className="inline" key={preset}>
          <input
            type="radio"
            name={`${group}-preset`}
            checked={value.preset === preset}
            onChange={() => onChange({ ...value, preset })}
          />
          {label}
        </label>
      ))}
      {value.preset === "restricted" && (
        <div className="scope-groups">
          {SCOPE_GROUPS.map((resource) => (
            <fieldset key={resource.resource} className="scope-group">
              <legend>{resource.resource}</legend>
              {resource.scopes.map((scope) => (
                <label className="inline" key={scope}>
                  <input
                    type="checkbox"
                    name="scope"
                    value={scope}
                    checked={value.scopes.has(scope)}
                    onChange={(event) => toggle(scope, event.target.checked)}
                  />
                  {scopeAction(scope)}
                </label>
              ))}
            </fieldset>
          ))}
        </div>
      )}
    </fieldset>
  );
}
