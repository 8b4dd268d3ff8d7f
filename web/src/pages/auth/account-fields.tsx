/** The name and email inputs of the sign-in, setup and invite forms, with what password managers read. */
export function NameField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <label>
      Name
      <input
        name="name"
        autoComplete="name"
        value={value}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
    </label>
  );
}

export function EmailField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <label>
      Email
      <input
        type="email"
        name="email"
        required
        autoComplete="username"
        value={value}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
    </label>
  );
}
