/** A list's order: what it is sorted by, and a button that switches between descending (the default) and ascending. */
export function SortControl<S extends string>({
  labels,
  by,
  ascending,
  onSort,
}: {
  labels: Record<S, string>;
  by: S;
  ascending: boolean;
  onSort: (by: S, ascending: boolean) => void;
}) {
  return (
    <>
      <label>
        <span className="visually-hidden">Sort by</span>
        <select value={by} onChange={(event) => onSort(event.currentTarget.value as S, ascending)}>
          {(Object.keys(labels) as S[]).map((sort) => (
            <option key={sort} value={sort}>
              Sort: {labels[sort]}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="secondary"
        title="Switch the order"
        onClick={() => onSort(by, !ascending)}
      >
        <span aria-hidden="true">{ascending ? "↑ " : "↓ "}</span>
        {ascending ? "Ascending" : "Descending"}
      </button>
    </>
  );
}
