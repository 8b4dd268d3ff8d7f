// Reading a page's title, description and image from its HTML, as GET /api/metatags does.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeHtml, isHtml, metatagsOf } from "../../src/domain/metatags/html.js";

const PAGE = "https://shop.example.com/products/shoe?ref=1";

describe("metatags from HTML", () => {
  test("Open Graph first for title and image, the description meta first for the description", () => {
    const html = `<!doctype html><html><head>
      <title>Plain title</title>
      <meta name="description" content="Plain description">
      <meta name="twitter:title" content="Twitter title">
      <meta property="og:title" content="OG title">
      <meta property="og:description" content="OG description">
      <meta name="twitter:image" content="https://cdn.example.com/twitter.png">
      <meta property="og:image" content="/img/og.png">
    </head><body></body></html>`;
    assert.deepEqual(metatagsOf(html, PAGE), {
      title: "OG title",
      description: "Plain description",
      image: "https://shop.example.com/img/og.png",
    });
  });

  test("falls back through twitter: tags, then <title> and <link rel=image_src>", () => {
    const twitter = `<meta name="twitter:title" content="T"><meta name="twitter:description" content="D">
      <meta name="twitter:image:src" content="//cdn.example.com/t.png"><title>Ignored</title>`;
    assert.deepEqual(metatagsOf(twitter, PAGE), {
      title: "T",
      description: "D",
      image: "https://cdn.example.com/t.png",
    });
    const plain = `<title>Only a title</title><link rel="image_src" href="pic.jpg">`;
    assert.deepEqual(metatagsOf(plain, PAGE), {
      title: "Only a title",
      description: null,
      image: "https://shop.example.com/products/pic.jpg",
    });
  });

  test("nothing said is null; empty and blank values are nothing", () => {
    assert.deepEqual(metatagsOf("<p>hello</p>", PAGE), { title: null, description: null, image: null });
    const blank = `<title>   </title><meta property="og:title" content=""><meta name="description" content=" \n ">`;
    assert.deepEqual(metatagsOf(blank, PAGE), { title: null, description: null, image: null });
  });

  test("attributes in any order, any case, quoted either way or bare; the first of a name wins", () => {
    const html = `<META CONTENT='Single "quoted"' PROPERTY=og:title>
      <meta content=bare-description name=description>
      <meta property="og:title" content="Second">
      <meta name="description" content="x" name="ignored">`;
    assert.deepEqual(metatagsOf(html, PAGE), {
      title: 'Single "quoted"',
      description: "bare-description",
      image: null,
    });
  });

  test("character references are decoded, white space collapsed, control characters dropped", () => {
    const html = `<title>Caf&eacute; &amp; Bar &#8212; &#x1F600;
      &lt;b&gt; &quot;q&quot; &amp &unknown; &#0; &#xD800;\u0007</title>`;
    assert.equal(metatagsOf(html, PAGE).title, 'Caf&eacute; & Bar — 😀 <b> "q" & &unknown; \ufffd \ufffd');
    assert.equal(
      metatagsOf("<title>&constructor; &toString;</title>", PAGE).title,
      "&constructor; &toString;",
    );
  });

  test("comments, scripts, styles and an svg's title are not the page's", () => {
    const html = `<!-- <title>commented</title> -->
      <script>var s = "<title>in script</title><meta property='og:title' content='script'>";</script>
      <style>/* <meta name="description" content="style"> */</style>
      <svg><title>icon</title></svg>
      <title>Real</title>
      <meta name="description" content="Real description">`;
    assert.deepEqual(metatagsOf(html, PAGE), { title: "Real", description: "Real description", image: null });
  });

  test("images resolve against <base href>, and only http(s) images count", () => {
    const based = `<base href="https://static.example.net/assets/"><meta property="og:image" content="a.png">`;
    assert.equal(metatagsOf(based, PAGE).image, "https://static.example.net/assets/a.png");
    const unsafe = `<meta property="og:image" content="javascript:alert(1)">
      <meta name="twitter:image" content="data:image/png;base64,AAAA">
      <link rel="image_src" href="https://ok.example.com/x.png">`;
    assert.equal(metatagsOf(unsafe, PAGE).image, "https://ok.example.com/x.png");
  });

  test("markup cut off by the end of what was read gives nothing half", async () => {
    assert.equal(metatagsOf(`<title>Cut off`, PAGE).title, null);
    assert.equal(
      metatagsOf(`<title>Whole</title><meta property="og:title" content="cut`, PAGE).title,
      "Whole",
    );
    assert.equal(metatagsOf(`<meta property="og:title" content="whole"`, PAGE).title, null);
    assert.deepEqual(
      metatagsOf(`<title>x</title><!-- never closed <meta name=description content=d>`, PAGE),
      {
        title: "x",
        description: null,
        image: null,
      },
    );
    assert.equal(metatagsOf("<", PAGE).title, null);
    assert.equal(metatagsOf("<script>never closed <title>t</title>", PAGE).title, null);
  });

  test("a hostile page (deep nesting, endless attributes) is read in one pass", () => {
    const html = `${"<div a=1 b='2' c".repeat(50_000)}<<<<${"<!".repeat(10_000)}`;
    assert.deepEqual(metatagsOf(html, PAGE), { title: null, description: null, image: null });
  });
});

describe("page text", () => {
  const bytes = (text: string, encoding: BufferEncoding = "utf8") =>
    new Uint8Array(Buffer.from(text, encoding));

  test("the Content-Type charset, else a <meta charset> early on, else UTF-8", () => {
    const latin = bytes("<title>Caf\u00e9</title>", "latin1");
    assert.equal(decodeHtml(latin, "text/html; charset=ISO-8859-1"), "<title>Café</title>");
    const declared = bytes('<meta charset="windows-1252"><title>Caf\u00e9 \u00a3</title>', "latin1");
    assert.match(decodeHtml(declared, "text/html"), /Café £/);
    const httpEquiv = bytes(
      '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>\u00e9</title>',
      "latin1",
    );
    assert.match(decodeHtml(httpEquiv, null), /<title>é<\/title>/);
    assert.equal(decodeHtml(bytes("<title>Café</title>"), "text/html"), "<title>Café</title>");
    assert.equal(decodeHtml(bytes("x"), "text/html; charset=no-such-charset"), "x");
  });

  test("a byte order mark wins over everything", () => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from("<title>é</title>", "utf16le")]);
    assert.equal(decodeHtml(utf16, "text/html; charset=iso-8859-1"), "<title>é</title>");
  });

  test("HTML by media type, or by its first bytes when there is none", () => {
    assert.equal(isHtml("text/html; charset=utf-8", bytes("{}")), true);
    assert.equal(isHtml("application/xhtml+xml", bytes("")), true);
    assert.equal(isHtml("application/json", bytes("<html>")), false);
    assert.equal(isHtml("image/png", bytes("<!doctype html>")), false);
    assert.equal(isHtml(null, bytes("  \n<!DOCTYPE html><html>")), true);
    assert.equal(isHtml(null, bytes("%PDF-1.7")), false);
  });
});
