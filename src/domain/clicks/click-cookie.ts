import type { Link } from "../links/model.js";

/** How long a browser keeps its click id for a link, as Dub's cookie does. */
export const CLICK_COOKIE_SECONDS = 3600;

/** The cookie that lets a returning browser keep its click id: what it is called and where it is sent. */
export type ClickCookie = { name: string; path: string };

/**
 * Dub's `dub_id_<domain>_<key>` cookie, scoped to the short link's own path. Characters a cookie's name or path
 * cannot carry (non-ASCII keys, `;`, `=`, `,`, spaces, quotes) are percent-encoded; `/` and `:` stay as Dub has them.
 */
export function clickCookie(link: Pick<Link, "domain" | "key">): ClickCookie {
  return {
    name: `dub_id_${cookieSafe(link.domain.toLowerCase())}_${cookieSafe(link.key)}`,
    path: `/${encodeURI(link.key).replace(/;/g, "%3B")}`,
  };
}

/** A remembered click id worth looking up: the shape of the ids this server hands out, nothing else. */
export const isClickIdShape = (value: string) => /^[A-Za-z0-9_-]{1,64}$/.test(value);

const cookieSafe = (text: string) =>
  text.replace(/[^\x21-\x7e]|[;=,"\\]/gu, (character) => encodeURIComponent(character));
