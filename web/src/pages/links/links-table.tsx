import { DropdownMenu } from "radix-ui";
import { useRef } from "react";
import { CopyButton } from "../../components/copy-button";
import { exactCount, formatCents, formatCount, formatDate } from "./format";
import { type Link, shortName } from "./link-types";

type Props = {
  links: Link[];
  /** The column the rows are ordered by, for `aria-sort`. */
  sort: { by: string; order: "asc" | "desc" };
  busy: boolean;
  selected: Set<string>;
  onSelect: (selected: Set<string>) => void;
  onEdit: (link: Link) => void;
  onQr: (link: Link) => void;
  onArchive: (link: Link) => void;
  onDelete: (link: Link) => void;
};

/** The links with their figures; on a phone each row becomes a card (see styles.css). */
export function LinksTable({
  links,
  sort,
  busy,
  selected,
  onSelect,
  onEdit,
  onQr,
  onArchive,
  onDelete,
}: Props) {
  const sorted = (by: string) =>
    sort.by === by ? (sort.order === "asc" ? "ascending" : "descending") : undefined;
  // A menu item that opens a dialog waits until the menu has closed and given the focus back to its trigger: the
  // dialog then remembers the trigger, not the vanished item, and gives the focus back to it when it closes.
  const afterMenu = useRef<(() => void) | null>(null);
  const all = links.length > 0 && links.every((link) => selected.has(link.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onSelect(next);
  };
  return (
    <div className="table-scroll" aria-busy={busy}>
      <table className="links-table">
        <caption className="visually-hidden">Links of this workspace</caption>
        <thead>
          <tr>
            <th scope="col" className="select">
              <input
                type="checkbox"
                aria-label="Select all links on this page"
                checked={all}
                onChange={(event) =>
                  onSelect(event.currentTarget.checked ? new Set(links.map((link) => link.id)) : new Set())
                }
              />
            </th>
            <th scope="col">Short link</th>
            <th scope="col">Destination</th>
            <th scope="col" className="number" aria-sort={sorted("clicks")}>
              Clicks
            </th>
            <th scope="col" className="number" aria-sort={sorted("leads")}>
              Leads
            </th>
            <th scope="col" className="number" aria-sort={sorted("sales")}>
              Sales
            </th>
            <th scope="col" className="number" aria-sort={sorted("saleAmount")}>
              Revenue
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {links.map((link) => {
            const name = shortName(link);
            return (
              <tr key={link.id} className={link.archived ? "archived" : undefined}>
                <td className="select">
                  <input
                    type="checkbox"
                    aria-label={`Select ${name}`}
                    checked={selected.has(link.id)}
                    onChange={(event) => toggle(link.id, event.currentTarget.checked)}
                  />
                </td>
                <td className="short-link" data-label="Short link">
                  <span className="short-link-line">
                    <a href={link.shortLink} target="_blank" rel="noreferrer">
                      {name}
                    </a>
                    <CopyButton text={link.shortLink} label={`Copy ${name}`} />
                  </span>
                  <span className="muted small">
                    {formatDate(link.createdAt)}
                    {link.archived && " · archived"}
                    {link.expiresAt && " · expires"}
                    {link.trackConversion && " · conversions"}
                    {link.tags.length > 0 && ` · ${link.tags.map((tag) => tag.name).join(", ")}`}
                  </span>
                </td>
                <td className="destination" data-label="Destination">
                  <span title={link.url}>{link.url}</span>
                </td>
                <td className="number" data-label="Clicks" title={exactCount(link.clicks)}>
                  {formatCount(link.clicks)}
                </td>
                <td className="number" data-label="Leads" title={exactCount(link.leads)}>
                  {formatCount(link.leads)}
                </td>
                <td className="number" data-label="Sales" title={exactCount(link.sales)}>
                  {formatCount(link.sales)}
                </td>
                <td className="number" data-label="Revenue">
                  {formatCents(link.saleAmount)}
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => onQr(link)}
                    aria-label={`QR code of ${name}`}
                  >
                    QR
                  </button>
                  {/* Not modal, as the account menu: a modal one hides the page (aria-hidden) that stays focusable. */}
                  <DropdownMenu.Root modal={false}>
                    <DropdownMenu.Trigger
                      className="button secondary"
                      aria-label={`More actions for ${name}`}
                    >
                      <span aria-hidden="true">⋯</span>
                    </DropdownMenu.Trigger>
                    <DropdownMenu.Portal>
                      <DropdownMenu.Content
                        className="menu"
                        align="end"
                        sideOffset={4}
                        onCloseAutoFocus={() => {
                          const open = afterMenu.current;
                          afterMenu.current = null;
                          open?.();
                        }}
                      >
                        <DropdownMenu.Item
                          className="menu-item"
                          onSelect={() => (afterMenu.current = () => onEdit(link))}
                        >
                          Edit
                        </DropdownMenu.Item>
                        <DropdownMenu.Item
                          className="menu-item"
                          onSelect={() => (afterMenu.current = () => onQr(link))}
                        >
                          QR code
                        </DropdownMenu.Item>
                        <DropdownMenu.Item
                          className="menu-item"
                          onSelect={() => navigator.clipboard?.writeText(link.id)}
                        >
                          Copy link ID
                        </DropdownMenu.Item>
                        <DropdownMenu.Item
                          className="menu-item"
                          onSelect={() => (afterMenu.current = () => onArchive(link))}
                        >
                          {link.archived ? "Unarchive" : "Archive"}
                        </DropdownMenu.Item>
                        <DropdownMenu.Separator className="menu-separator" />
                        <DropdownMenu.Item
                          className="menu-item danger"
                          onSelect={() => (afterMenu.current = () => onDelete(link))}
                        >
                          Delete
                        </DropdownMenu.Item>
                      </DropdownMenu.Content>
                    </DropdownMenu.Portal>
                  </DropdownMenu.Root>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
