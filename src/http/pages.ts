const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title><style>body{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;color:#222}main{text-align:center}h1{font-size:1.4rem}</style></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;

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
