/** Grey bars where rows will be, announced as loading. */
export function SkeletonRows({ count = 5 }: { count?: number }) {
  return (
    <div className="skeleton-rows" role="status">
      <span className="visually-hidden">Loading…</span>
      {Array.from({ length: count }, (_, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <div key={index} className="skeleton" style={{ width: `${90 - index * 12}%` }} />
      ))}
    </div>
  );
}
