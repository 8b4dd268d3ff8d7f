type Chip = { param: string; label: string; value: string; display?: string };

type Props = {
  filters: Chip[];
  onRemove: (param: string) => void;
  onClear: () => void;
};

/** The filters in force, each removable; "Clear filters" keeps the time range. */
export function FilterChips({ filters, onRemove, onClear }: Props) {
  if (filters.length === 0) return null;
  return (
    <section className="filter-chips" aria-label="Filters in force">
      <ul>
        {filters.map((filter) => (
          <li key={filter.param} className="chip">
            <span>
              {filter.label} is <strong>{filter.display ?? filter.value}</strong>
            </span>
            <button
              type="button"
              className="chip-remove"
              aria-label={`Remove filter: ${filter.label} is ${filter.display ?? filter.value}`}
              onClick={() => onRemove(filter.param)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {filters.length > 1 && (
        <button type="button" className="secondary" onClick={onClear}>
          Clear filters
        </button>
      )}
    </section>
  );
}
