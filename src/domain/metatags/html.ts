import type { Metatags } from "./model.js";

/** Whether an answer is a web page: by its media type, or (without one) by how its body begins. */
export function isHtml(contentType: string | null, body: Uint8Array): boolean {
  const media = contentType?.split(";")[0].trim().toLowerCase();
  if (media) return media === "text/html" || media === "application/xhtml+xml";
  const start = new TextDecoder("latin1").decode(body.subarray(0, 512)).trimStart().toLowerCase();
  return start.startsWith("<!doctype html") || start.startsWith("<html") || start.startsWith("<head");
}

/**
 * The text of a page: in the encoding its byte order mark, its Content-Type or a `<meta charset>` early in it
 * names, else UTF-8; bytes that are not valid in that encoding become U+FFFD.
 */
export function decodeHtml(body: Uint8Array, contentType: string | null): string {
  const label = bomEncoding(body) ?? charsetParameter(contentType) ?? metaCharset(body) ?? "utf-8";
  return decoderFor(label).decode(body);
}

/** A decoder for an encoding's label; an unknown label is read as UTF-8. */
function decoderFor(label: string) {
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder("utf-8");
  }
}

function bomEncoding(body: Uint8Array): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return "utf-8";
  if (body[0] === 0xfe && body[1] === 0xff) return "utf-16be";
  if (body[0] === 0xff && body[1] === 0xfe) return "utf-16le";
  return undefined;
}

function charsetParameter(contentType: string | null): string | undefined {
  return contentType?.match(/;\s*charset\s*=\s*["']?([^"';\s]+)/i)?.[1];
}

/** `<meta charset="…">` or `<meta http-equiv="Content-Type" content="…; charset=…">` in the first 1,024 bytes. */
function metaCharset(body: Uint8Array): string | undefined {
  const head = new TextDecoder("latin1").decode(body.subarray(0, 1024));
  for (const tag of tags(head)) {
    if (tag.name !== "meta") continue;
    const charset = tag.attributes.get("charset") ?? charsetParameter(tag.attributes.get("content") ?? null);
    if (charset) return charset.trim();
  }
  return undefined;
}

/**
 * What a page says about itself, in Dub's order: `og:title`, `twitter:title`, `<title>`; `<meta
 * name="description">`, `og:description`, `twitter:description`; `og:image`
 * (or its `:url`/`:secure_url`), `twitter:image` (or `:src`), `<link rel="image_src">`, made absolute against the
 * page's address (or its `<base href>`). Values are trimmed with their white space collapsed; an empty one is none.
 */
export function metatagsOf(html: string, pageUrl: string): Metatags {
  const meta = new Map<string, string>();
  const links = new Map<string, string>();
  let title: string | undefined;
  let base = pageUrl;
  let baseSeen = false;
  for (const tag of tags(html)) {
    if (tag.name === "title") title ??= tag.text;
    else if (tag.name === "meta") {
      const key =
        tag.attributes.get("property") ?? tag.attributes.get("name") ?? tag.attributes.get("itemprop");
      const content = tag.attributes.get("content");
      if (key !== undefined && content !== undefined) {
        const name = key.trim().toLowerCase();
        if (!meta.has(name)) meta.set(name, content);
      }
    } else if (tag.name === "link") {
      const href = tag.attributes.get("href");
      for (const rel of (tag.attributes.get("rel") ?? "").toLowerCase().split(/\s+/)) {
        if (rel && href !== undefined && !links.has(rel)) links.set(rel, href);
      }
    } else if (tag.name === "base" && !baseSeen) {
      const href = tag.attributes.get("href");
      if (href !== undefined) {
        baseSeen = true;
        base = absoluteUrl(href, pageUrl) ?? pageUrl;
      }
    }
  }
  const first = (...values: (string | undefined)[]) => {
    for (const value of values) {
      const text = value === undefined ? "" : cleanText(decodeEntities(value));
      if (text) return text;
    }
    return null;
  };
  const imageCandidates = [
    meta.get("og:image"),
    meta.get("og:image:url"),
    meta.get("og:image:secure_url"),
    meta.get("twitter:image"),
    meta.get("twitter:image:src"),
    links.get("image_src"),
  ];
  let image: string | null = null;
  for (const candidate of imageCandidates) {
    const text = candidate === undefined ? "" : decodeEntities(candidate).trim();
    image = text ? absoluteUrl(text, base) : null;
    if (image) break;
  }
  return {
    title: first(meta.get("og:title"), meta.get("twitter:title"), title),
    description: first(meta.get("description"), meta.get("og:description"), meta.get("twitter:description")),
    image,
  };
}

/** An http(s) URL made absolute, or null. */
function absoluteUrl(href: string, base: string): string | null {
  try {
    const url = new URL(href, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** White space collapsed, control characters removed, trimmed. */
const cleanText = (text: string) =>
  text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g, "")
    .replace(/\s+/g, " ")
    .trim();

type Tag = { name: string; attributes: Map<string, string>; text?: string };

/** Elements whose content is text, not markup; an `<svg>` is skipped whole (its `<title>` is not the page's). */
const TEXT_CONTENT = new Set([
  "script",
  "style",
  "textarea",
  "title",
  "xmp",
  "iframe",
  "noembed",
  "noframes",
]);
const SKIPPED = new Set(["svg", "math", "template"]);

/**
 * The start tags of a document, in order, as a browser's tokenizer finds them: comments, doctypes and processing
 * instructions skipped; attribute values quoted, single-quoted or bare; the content of script-like elements never
 * read as markup (a `<title>` carries its text). A tag or a title cut off by the end of what was read (the size or
 * time limit) is dropped, never read half. One pass, no backtracking: a hostile page costs linear time.
 */
function* tags(html: string): Generator<Tag> {
  let at = 0;
  while (at < html.length) {
    const open = html.indexOf("<", at);
    if (open < 0) return;
    if (html.startsWith("<!--", open)) {
      const end = html.indexOf("-->", open + 4);
      at = end < 0 ? html.length : end + 3;
      continue;
    }
    const next = html[open + 1] ?? "";
    if (next === "!" || next === "?" || next === "/") {
      const end = html.indexOf(">", open + 2);
      at = end < 0 ? html.length : end + 1;
      continue;
    }
    if (!/[a-z]/i.test(next)) {
      at = open + 1;
      continue;
    }
    const { name, attributes, end } = startTag(html, open + 1);
    if (end < 0) return;
    at = end;
    if (SKIPPED.has(name) || TEXT_CONTENT.has(name)) {
      const closing = new RegExp(`</${name}`, "gi");
      closing.lastIndex = at;
      const close = closing.exec(html)?.index;
      if (close === undefined) return;
      if (name === "title") yield { name, attributes, text: html.slice(at, close) };
      else if (!SKIPPED.has(name)) yield { name, attributes };
      at = close;
      continue;
    }
    yield { name, attributes };
  }
}

const SPACE = /[\t\n\f\r ]/;

/**
 * A start tag from just after its `<`: its lowercased name, its attributes (first of a name wins), and where it
 * ends (-1 when the text ends first).
 */
function startTag(
  html: string,
  from: number,
): { name: string; attributes: Map<string, string>; end: number } {
  let at = from;
  while (at < html.length && !SPACE.test(html[at]) && html[at] !== "/" && html[at] !== ">") at++;
  const name = html.slice(from, at).toLowerCase();
  const attributes = new Map<string, string>();
  while (at < html.length) {
    while (at < html.length && (SPACE.test(html[at]) || html[at] === "/")) at++;
    if (at >= html.length) break;
    if (html[at] === ">") return { name, attributes, end: at + 1 };
    const nameStart = at;
    at++;
    while (at < html.length && !SPACE.test(html[at]) && !"/>=".includes(html[at])) at++;
    const attribute = html.slice(nameStart, at).toLowerCase();
    while (at < html.length && SPACE.test(html[at])) at++;
    let value = "";
    if (html[at] === "=") {
      at++;
      while (at < html.length && SPACE.test(html[at])) at++;
      const quote = html[at];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, at + 1);
        const valueEnd = close < 0 ? html.length : close;
        value = html.slice(at + 1, valueEnd);
        at = valueEnd + 1;
      } else {
        const valueStart = at;
        while (at < html.length && !SPACE.test(html[at]) && html[at] !== ">") at++;
        value = html.slice(valueStart, at);
      }
    }
    if (!attributes.has(attribute)) attributes.set(attribute, value);
  }
  return { name, attributes, end: -1 };
}

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  sbquo: "‚",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  laquo: "«",
  raquo: "»",
  middot: "·",
  bull: "•",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  deg: "°",
  times: "×",
  divide: "÷",
  shy: "\u00ad",
};

/** Names a browser also reads without their `;`. */
const LEGACY = new Set(["amp", "lt", "gt", "quot", "nbsp", "copy", "reg"]);

/** Character references: numeric ones, and the named ones that occur in titles; an unknown name stays as written. */
function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(
    /&(?:#(\d{1,8})|#x([0-9a-f]{1,7})|([a-z][a-z0-9]{1,31}));?/gi,
    (whole, dec, hex, name) => {
      if (name !== undefined) {
        const key = name.toLowerCase();
        const known = Object.hasOwn(NAMED, key) && (whole.endsWith(";") || LEGACY.has(key));
        return known ? NAMED[key] : whole;
      }
      const code = dec !== undefined ? Number(dec) : Number.parseInt(hex, 16);
      const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return valid ? String.fromCodePoint(code) : "\ufffd";
    },
  );
}
