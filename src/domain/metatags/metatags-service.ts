import { unprocessable } from "../errors.js";
import { decodeHtml, isHtml, metatagsOf } from "./html.js";
import { type Metatags, NO_METATAGS } from "./model.js";
import type { PageFetcher } from "./ports.js";

/**
 * A page's title, description and image, read from its HTML. A page that cannot be read (unreachable, an error
 * status, not HTML) has none: all three are null, as Dub answers. Only a URL the outbound policy refuses is an error.
 */
export class MetatagsService {
  constructor(private readonly fetchPage: PageFetcher) {}

  async get(input: string): Promise<Metatags> {
    const page = await this.fetchPage(targetUrl(input));
    if (page.kind === "refused") throw unprocessable(`custom: url: ${page.reason}`);
    if (page.kind === "unreachable" || page.status < 200 || page.status > 299) return NO_METATAGS;
    if (!isHtml(page.contentType, page.body)) return NO_METATAGS;
    return metatagsOf(decodeHtml(page.body, page.contentType), page.url);
  }
}

/** As Dub reads `url`: without a scheme ("example.com/pricing", "example.com:8443") it means https. */
function targetUrl(input: string): URL {
  const text = input.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^:/?#]+:\d+(?:[/?#]|$)/.test(text);
  const withScheme = hasScheme ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw unprocessable("custom: url: must be a URL, e.g. https://example.com");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw unprocessable("custom: url: must be an http:// or https:// URL");
  return url;
}
