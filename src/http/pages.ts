const page = (title: string, text: string, after = "") =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title><style>body{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;color:#222}main{text-align:center}h1{font-size:1.4rem}</style></head><body><main><h1>${title}</h1><p>${text}</p>${after}</main></body></html>`;

export const NOT_FOUND_PAGE = page("Link not found", "This short link does not exist.");
export const EXPIRED_PAGE = page("Link expired", "This short link has expired.");
export const UNAVAILABLE_PAGE = page(
  "Temporarily unavailable",
  "This short link cannot be looked up right now. Please try again in a few seconds.",
);
export const HOME_PAGE = page(
  "Clicktrail",
  "This server hosts short links. The API is under <code>/api</code>.",
);

/** Text and attribute values in a page: every character that could end one is escaped. */
export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] as string,
  );

/**
 * A password-protected link's page: a form that posts the password back to the same address (query included, so
 * it reaches the destination). It says nothing of where the link goes.
 */
export const passwordPage = (wrong: boolean) =>
  page(
    "Password required",
    "This link is password protected.",
    `<form method="post"><input type="password" name="password" aria-label="Password" required autofocus> <button type="submit">Continue</button>${wrong ? '<p role="alert">Wrong password, try again.</p>' : ""}</form>`,
  );

export const TOO_MANY_TRIES_PAGE = page(
  "Too many tries",
  "Too many wrong passwords for this link. Please wait a minute and try again.",
);

/** What social crawlers read of a link with `proxy`: its Open Graph and Twitter card, nothing else. */
export function previewPage(
  preview: { title: string; description: string | null; image: string | null },
  indexable: boolean,
): string {
  const meta = (attribute: "property" | "name", name: string, content: string | null) =>
    content === null ? "" : `<meta ${attribute}="${name}" content="${escapeHtml(content)}">`;
  const title = escapeHtml(preview.title);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${indexable ? "" : '<meta name="robots" content="noindex">'}<title>${title}</title>${meta("name", "description", preview.description)}${meta("property", "og:title", preview.title)}${meta("property", "og:description", preview.description)}${meta("property", "og:image", preview.image)}${meta("name", "twitter:card", preview.image === null ? "summary" : "summary_large_image")}${meta("name", "twitter:title", preview.title)}${meta("name", "twitter:description", preview.description)}${meta("name", "twitter:image", preview.image)}</head><body><h1>${title}</h1></body></html>`;
}

/** A cloaked (`rewrite`) link: the destination in a frame filling the window, under the short address. */
export function framePage(location: string, title: string, indexable: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${indexable ? "" : '<meta name="robots" content="noindex">'}<title>${escapeHtml(title)}</title><style>html,body{margin:0;height:100%;overflow:hidden}iframe{border:0;width:100%;height:100%}</style></head><body><iframe src="${escapeHtml(location)}" title="${escapeHtml(title)}" allow="fullscreen"></iframe></body></html>`;
}
