/** A form's error, announced to screen readers as it appears. */
export function FormError({ message }: { message: string | null | undefined }) {
  return (
    <p role="alert" className="error-message">
      {message ?? ""}
    </p>
  );
}
