import type { ReactNode } from "react";

export type Column = string | { label: string; className: string };

/** A table that scrolls sideways on a narrow screen: named for screen readers, its headers, then its rows. */
export function DataTable({
  label,
  columns,
  actions,
  children,
}: {
  label: string;
  columns: Column[];
  /** A last column of row actions (its header is for screen readers only). */
  actions?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((column) =>
              typeof column === "string" ? (
                <th key={column} scope="col">
                  {column}
                </th>
              ) : (
                <th key={column.label} scope="col" className={column.className}>
                  {column.label}
                </th>
              ),
            )}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
