import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { useSearchText } from "../../app/use-search-text";
import { useWorkspace } from "../../app/workspace";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { SortControl } from "../../components/sort-control";
import { LinkDialog } from "./link-dialog";
import { type Domain, type Link, shortName, type Tag } from "./link-types";
import type { LinkSort, LinksSearch } from "./links-search";
import { LinksTable } from "./links-table";
import { QrDialog } from "./qr-dialog";

const PAGE_SIZE = 25;

const SORT_LABELS: Record<LinkSort, string> = {
  createdAt: "Date created",
  clicks: "Clicks",
  leads: "Leads",
  sales: "Sales",
  saleAmount: "Revenue",
};

type Pending = { kind: "archive" | "unarchive" | "delete"; links: Link[] } | null;

export function LinksPage() {
  const workspace = useWorkspace();
  const search = useSearch({ from: "/$workspace/links" });
  const navigate = useNavigate({ from: "/$workspace/links" });
  const queryClient = useQueryClient();
  const page = search.page ?? 1;
  const filter = {
    search: search.search,
    domain: search.domain,
    tagIds: search.tagIds,
    showArchived: search.showArchived,
  };

  const setSearch = (patch: Partial<LinksSearch>, keepPage = false) =>
    navigate({
      search: (previous) => ({ ...previous, ...patch, ...(keepPage ? {} : { page: undefined }) }),
      replace: true,
    });

  const links = useQuery({
    queryKey: [
      "links",
      workspace.id,
      "list",
      { ...filter, page, sortBy: search.sortBy, sortOrder: search.sortOrder },
    ],
    queryFn: ({ signal }) =>
      api<Link[]>("/links", {
        workspace: workspace.id,
        signal,
        query: {
          ...filter,
          sortBy: search.sortBy ?? "createdAt",
          sortOrder: search.sortOrder ?? "desc",
          page,
          pageSize: PAGE_SIZE,
        },
      }),
    placeholderData: keepPreviousData,
  });
  const total = useQuery({
    queryKey: ["links", workspace.id, "count", filter],
    queryFn: ({ signal }) => api<number>("/links/count", { workspace: workspace.id, signal, query: filter }),
    placeholderData: keepPreviousData,
  });
  const domains = useQuery({
    queryKey: ["domains", workspace.id],
    queryFn: () => api<Domain[]>("/domains", { workspace: workspace.id }),
    staleTime: 300_000,
  });
  const tags = useQuery({
    queryKey: ["tags", workspace.id],
    queryFn: () => api<Tag[]>("/tags", { workspace: workspace.id }),
    staleTime: 300_000,
  });

  const [searchText, setSearchText] = useSearchText(search.search, (text) => setSearch({ search: text }));

  const [editing, setEditing] = useState<Link | null>(null);
  const [creating, setCreating] = useState(false);
  const [qrOf, setQrOf] = useState<Link | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending>(null);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement | null;
      const typing = target?.closest("input, textarea, select, [contenteditable], [role=dialog]");
      if (typing || event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === "c") {
        event.preventDefault();
        setCreating(true);
      } else if (event.key === "Escape") setSelected(new Set());
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const act = useMutation({
    mutationFn: async ({ kind, links: chosen }: NonNullable<Pending>) => {
      const ids = chosen.map((link) => link.id);
      if (kind === "delete") {
        if (ids.length === 1) await api(`/links/${ids[0]}`, { method: "DELETE", workspace: workspace.id });
        else
          await api("/links/bulk", {
            method: "DELETE",
            workspace: workspace.id,
            query: { linkIds: ids.join(",") },
          });
      } else {
        const data = { archived: kind === "archive" };
        if (ids.length === 1)
          await api(`/links/${ids[0]}`, { method: "PATCH", workspace: workspace.id, body: data });
        else
          await api("/links/bulk", {
            method: "PATCH",
            workspace: workspace.id,
            body: { linkIds: ids, data },
          });
      }
    },
    onSuccess: async () => {
      setPending(null);
      setSelected(new Set());
      await queryClient.invalidateQueries({ queryKey: ["links", workspace.id] });
    },
  });

  const rows = links.data ?? [];
  const count = total.data ?? 0;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const filtered = Boolean(filter.search || filter.domain || filter.tagIds);
  const selectedLinks = rows.filter((link) => selected.has(link.id));
  const describe = (chosen: Link[]) =>
    chosen.length === 1 ? shortName(chosen[0] as Link) : `${chosen.length} links`;

  return (
    <section aria-labelledby="links-title" className="links-page">
      <div className="page-header">
        <h1 id="links-title">Links</h1>
        <button type="button" onClick={() => setCreating(true)} aria-keyshortcuts="c">
          Create link <kbd>C</kbd>
        </button>
      </div>

      <search className="toolbar" aria-label="Filter links">
        <label className="grow">
          <span className="visually-hidden">Search</span>
          <input
            type="search"
            placeholder="Search by short link or URL"
            value={searchText}
            onChange={(event) => setSearchText(event.currentTarget.value)}
          />
        </label>
        <label>
          <span className="visually-hidden">Domain</span>
          <select
            value={search.domain ?? ""}
            onChange={(event) => setSearch({ domain: event.currentTarget.value || undefined })}
          >
            <option value="">All domains</option>
            {(domains.data ?? []).map((domain) => (
              <option key={domain.id} value={domain.slug}>
                {domain.slug}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="visually-hidden">Tag</span>
          <select
            value={search.tagIds ?? ""}
            onChange={(event) => setSearch({ tagIds: event.currentTarget.value || undefined })}
          >
            <option value="">All tags</option>
            {(tags.data ?? []).map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.name}
              </option>
            ))}
          </select>
        </label>
        <SortControl
          labels={SORT_LABELS}
          by={search.sortBy ?? "createdAt"}
          ascending={search.sortOrder === "asc"}
          onSort={(by, ascending) =>
            setSearch({
              sortBy: by === "createdAt" ? undefined : by,
              sortOrder: ascending ? "asc" : undefined,
            })
          }
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={search.showArchived ?? false}
            onChange={(event) => setSearch({ showArchived: event.currentTarget.checked || undefined })}
          />
          Show archived
        </label>
      </search>

      {selectedLinks.length > 0 && (
        <section className="bulk-bar" aria-label="Selected links">
          <span aria-live="polite">{selectedLinks.length} selected</span>
          <button
            type="button"
            className="secondary"
            onClick={() => setPending({ kind: "archive", links: selectedLinks })}
          >
            Archive
          </button>
          {search.showArchived && (
            <button
              type="button"
              className="secondary"
              onClick={() => setPending({ kind: "unarchive", links: selectedLinks })}
            >
              Unarchive
            </button>
          )}
          <button
            type="button"
            className="danger"
            onClick={() => setPending({ kind: "delete", links: selectedLinks })}
          >
            Delete
          </button>
          <button type="button" className="secondary" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </section>
      )}

      {links.isError ? (
        <p role="alert" className="error-message">
          {links.error.message}
        </p>
      ) : links.isPending ? (
        <p aria-live="polite">Loading links…</p>
      ) : rows.length === 0 ? (
        <div className="empty card">
          {filtered ? (
            <p>No link matches these filters.</p>
          ) : (
            <>
              <p>No links yet.</p>
              <button type="button" onClick={() => setCreating(true)}>
                Create your first link
              </button>
            </>
          )}
        </div>
      ) : (
        <LinksTable
          links={rows}
          sort={{ by: search.sortBy ?? "createdAt", order: search.sortOrder ?? "desc" }}
          busy={links.isFetching}
          selected={selected}
          onSelect={setSelected}
          onEdit={setEditing}
          onQr={setQrOf}
          onArchive={(link) => setPending({ kind: link.archived ? "unarchive" : "archive", links: [link] })}
          onDelete={(link) => setPending({ kind: "delete", links: [link] })}
        />
      )}

      {count > PAGE_SIZE && (
        <nav className="pagination" aria-label="Pages of links">
          <button
            type="button"
            className="secondary"
            disabled={page <= 1}
            onClick={() => setSearch({ page: page - 1 > 1 ? page - 1 : undefined }, true)}
          >
            Previous
          </button>
          <span>
            Page {page} of {pages} · {count} links
          </span>
          <button
            type="button"
            className="secondary"
            disabled={page >= pages}
            onClick={() => setSearch({ page: page + 1 }, true)}
          >
            Next
          </button>
        </nav>
      )}

      <LinkDialog
        open={creating || editing !== null}
        link={editing}
        domains={domains.data ?? []}
        tags={tags.data ?? []}
        onOpenChange={(open) => {
          if (!open) {
            setCreating(false);
            setEditing(null);
          }
        }}
      />
      <QrDialog link={qrOf} onOpenChange={(open) => !open && setQrOf(null)} />
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => {
          if (!open) {
            setPending(null);
            act.reset();
          }
        }}
        title={
          pending?.kind === "delete"
            ? `Delete ${describe(pending.links)}?`
            : pending?.kind === "unarchive"
              ? `Unarchive ${describe(pending.links)}?`
              : `Archive ${pending ? describe(pending.links) : ""}?`
        }
        confirmLabel={
          pending?.kind === "delete" ? "Delete" : pending?.kind === "unarchive" ? "Unarchive" : "Archive"
        }
        danger={pending?.kind === "delete"}
        pending={act.isPending}
        error={act.isError ? act.error.message : null}
        onConfirm={() => pending && act.mutate(pending)}
      >
        <p>
          {pending?.kind === "delete"
            ? "The short link stops working and its key can be used again. Its clicks, leads and sales stay in analytics."
            : pending?.kind === "unarchive"
              ? "The link shows in the list again."
              : "Archived links keep redirecting; they are hidden from the list unless “Show archived” is on."}
        </p>
      </ConfirmDialog>
    </section>
  );
}
