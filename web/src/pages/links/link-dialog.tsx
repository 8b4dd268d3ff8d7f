import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Dialog } from "radix-ui";
import { type FormEvent, useId, useState } from "react";
import { api } from "../../api/client";
import { useWorkspace } from "../../app/workspace";
import { useReturnFocus } from "../../components/use-return-focus";
import { useKeyAvailability } from "./key-availability";
import type { Domain, Link, Tag } from "./link-types";
import { emptyUtm, UTM_FIELDS, UTM_LABELS, type Utm, utmOf, withUtm } from "./utm";

/** An ISO date as the value of a datetime-local input, in the viewer's time zone. */
function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

type Draft = {
  url: string;
  domain: string;
  key: string;
  utm: Utm;
  trackConversion: boolean;
  expiresAt: string;
  expiredUrl: string;
  comments: string;
  tagIds: string[];
};

function draftOf(link: Link | null): Draft {
  if (!link) {
    return {
      url: "",
      domain: "",
      key: "",
      utm: emptyUtm(),
      trackConversion: false,
      expiresAt: "",
      expiredUrl: "",
      comments: "",
      tagIds: [],
    };
  }
  const utm = emptyUtm();
  for (const field of UTM_FIELDS) utm[field] = link[field] ?? "";
  return {
    url: link.url,
    domain: link.domain,
    key: link.key,
    utm,
    trackConversion: link.trackConversion,
    expiresAt: toLocalInput(link.expiresAt),
    expiredUrl: link.expiredUrl ?? "",
    comments: link.comments ?? "",
    tagIds: link.tags.map((tag) => tag.id),
  };
}

/** The link builder: create a link, or edit `link`. */
export function LinkDialog({
  link,
  domains,
  tags,
  open,
  onOpenChange,
}: {
  link: Link | null;
  domains: Domain[];
  tags: Tag[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const returnFocus = useReturnFocus(open);
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog dialog-wide" onCloseAutoFocus={returnFocus}>
          <Dialog.Title>{link ? "Edit link" : "Create link"}</Dialog.Title>
          <Dialog.Description className="muted">
            {link ? link.shortLink : "A short link to a destination, with its campaign tags."}
          </Dialog.Description>
          {open && <LinkForm link={link} domains={domains} tags={tags} onDone={() => onOpenChange(false)} />}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function LinkForm({
  link,
  domains,
  tags,
  onDone,
}: {
  link: Link | null;
  domains: Domain[];
  tags: Tag[];
  onDone: () => void;
}) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => draftOf(link));
  const ids = useId();
  const set = (patch: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...patch }));
  const keyChanged = !link || draft.key.trim() !== link.key || draft.domain !== link.domain;
  const availability = useKeyAvailability(workspace.id, draft.domain, keyChanged ? draft.key : "", link?.id);

  const save = useMutation({
    mutationFn: () => {
      const body = {
        url: draft.url.trim(),
        ...(draft.domain ? { domain: draft.domain } : {}),
        ...(draft.key.trim() ? { key: draft.key.trim() } : {}),
        trackConversion: draft.trackConversion,
        expiresAt: draft.expiresAt ? new Date(draft.expiresAt).toISOString() : null,
        expiredUrl: draft.expiredUrl.trim() || null,
        comments: draft.comments.trim() || null,
        tagIds: draft.tagIds,
        ...Object.fromEntries(UTM_FIELDS.map((field) => [field, draft.utm[field].trim() || null])),
      };
      return link
        ? api<Link>(`/links/${link.id}`, { method: "PATCH", body, workspace: workspace.id })
        : api<Link>("/links", { method: "POST", body, workspace: workspace.id });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["links", workspace.id] });
      onDone();
    },
  });

  function changeUrl(url: string) {
    const found = utmOf(url);
    const carries = UTM_FIELDS.some((field) => found[field] !== "");
    set({ url, ...(carries ? { utm: found } : {}) });
  }

  function changeUtm(field: keyof Utm, value: string) {
    const utm = { ...draft.utm, [field]: value };
    set({ utm, url: withUtm(draft.url, utm) });
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (availability === "taken") return;
    save.mutate();
  }

  const keyHint = `${ids}-key`;
  return (
    <form className="stack" onSubmit={submit}>
      <label>
        Destination URL
        <input
          type="url"
          required
          placeholder="https://example.com/pricing"
          value={draft.url}
          onChange={(event) => changeUrl(event.currentTarget.value)}
        />
      </label>
      <div className="row-fields">
        {domains.length > 0 && (
          <label>
            Domain
            <select value={draft.domain} onChange={(event) => set({ domain: event.currentTarget.value })}>
              <option value="">Default domain</option>
              {domains.map((domain) => (
                <option key={domain.id} value={domain.slug}>
                  {domain.slug}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="grow">
          Short link key
          <input
            value={draft.key}
            placeholder="random when empty"
            autoCapitalize="off"
            spellCheck={false}
            aria-describedby={keyHint}
            aria-invalid={availability === "taken"}
            onChange={(event) => set({ key: event.currentTarget.value })}
          />
          <span id={keyHint} className={`hint key-${availability}`} aria-live="polite">
            {availability === "checking" && "Checking…"}
            {availability === "available" && keyChanged && "Available"}
            {availability === "taken" && "Already in use: choose another key"}
          </span>
        </label>
      </div>

      <fieldset className="utm">
        <legend>UTM parameters</legend>
        <div className="utm-grid">
          {UTM_FIELDS.map((field) => (
            <label key={field}>
              {UTM_LABELS[field]}
              <input
                value={draft.utm[field]}
                placeholder={field}
                onChange={(event) => changeUtm(field, event.currentTarget.value)}
              />
            </label>
          ))}
        </div>
      </fieldset>

      <div className="row-fields">
        <label>
          Expires
          <input
            type="datetime-local"
            value={draft.expiresAt}
            onChange={(event) => set({ expiresAt: event.currentTarget.value })}
          />
        </label>
        {draft.expiresAt && (
          <label className="grow">
            After expiry, go to
            <input
              type="url"
              placeholder="https://example.com/offer-ended"
              value={draft.expiredUrl}
              onChange={(event) => set({ expiredUrl: event.currentTarget.value })}
            />
          </label>
        )}
      </div>

      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.trackConversion}
          onChange={(event) => set({ trackConversion: event.currentTarget.checked })}
        />
        Conversion tracking (leads and sales)
      </label>

      {tags.length > 0 && (
        <fieldset>
          <legend>Tags</legend>
          <div className="tag-choices">
            {tags.map((tag) => (
              <label key={tag.id} className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.tagIds.includes(tag.id)}
                  onChange={(event) => {
                    const checked = event.currentTarget.checked;
                    set({
                      tagIds: checked
                        ? [...draft.tagIds, tag.id]
                        : draft.tagIds.filter((id) => id !== tag.id),
                    });
                  }}
                />
                {tag.name}
              </label>
            ))}
          </div>
        </fieldset>
      )}

      <label>
        Comments
        <textarea
          rows={2}
          value={draft.comments}
          onChange={(event) => set({ comments: event.currentTarget.value })}
        />
      </label>

      {save.isError && (
        <p role="alert" className="error-message">
          {save.error.message}
        </p>
      )}
      <div className="dialog-actions">
        <Dialog.Close className="button secondary" type="button">
          Cancel
        </Dialog.Close>
        <button type="submit" disabled={save.isPending || availability === "taken"}>
          {link ? "Save changes" : "Create link"}
        </button>
      </div>
    </form>
  );
}
