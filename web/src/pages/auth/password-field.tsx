import { useId } from "react";

/** A labelled password input with the hint the server enforces (8 characters at least) when it is a new one. */
export function PasswordField({
  value,
  onChange,
  isNew,
}: {
  value: string;
  onChange: (value: string) => void;
  isNew?: boolean;
}) {
  const hint = useId();
  return (
    <label>
      Password
      <input
        type="password"
        name="password"
        required
        minLength={isNew ? 8 : undefined}
        autoComplete={isNew ? "new-password" : "current-password"}
        aria-describedby={isNew ? hint : undefined}
        value={value}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
      {isNew && (
        <span id={hint} className="muted hint">
          At least 8 characters.
        </span>
      )}
    </label>
  );
}
