import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import { rejection } from "../helpers/rejection.js";
import { startServer, type TestServer } from "../helpers/server.js";

type Image = { width: number; height: number; data: Buffer };
// pngjs (a dependency of qrcode) ships no types: only its decoder is used, to read back what the server drew.
const { PNG } = createRequire(import.meta.url)("pngjs") as { PNG: { sync: { read(png: Buffer): Image } } };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let server: TestServer;

before(async () => {
  server = await startServer();
});

after(() => server?.stop());

const rgbAt = (image: Image, x: number, y: number) => [
  ...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3),
];

/** GET /api/qr with `query`, as the seed-era Go SDK asks: `Accept: image/png`, no key. */
async function qr(query: Record<string, string>) {
  return fetch(`${server.origin}/api/qr?${new URLSearchParams(query)}`, { headers: { accept: "image/png" } });
}

async function png(response: Response): Promise<{ bytes: Buffer; image: Image }> {
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/png");
  const bytes = Buffer.from(await response.arrayBuffer());
  assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE);
  return { bytes, image: PNG.sync.read(bytes) };
}

describe("GET /api/qr", () => {
  test("answers a 200 image/png of Dub's default 600 px, through the dub SDK and raw", async () => {
    const sdkAnswer = await server.sdk().qrCodes.get({ url: "https://example.com/page" });
    assert.equal(typeof sdkAnswer, "string");
    assert.ok(sdkAnswer.length > 100);
    const { image } = await png(await qr({ url: "https://example.com/page" }));
    assert.equal(image.width, 600);
    assert.equal(image.height, 600);
    assert.deepEqual(rgbAt(image, 0, 0), [255, 255, 255]);
  });

  test("the seed-era Go SDK's parameters: size, level, fgColor, bgColor (percent-encoded #), includeMargin", async () => {
    const { image } = await png(
      await qr({
        url: "https://example.com/page",
        size: "300",
        level: "H",
        fgColor: "#FF0000",
        bgColor: "#00FF00",
        includeMargin: "false",
      }),
    );
    assert.equal(image.width, 300);
    const colours = new Set<string>();
    for (let y = 0; y < image.height; y += 3)
      for (let x = 0; x < image.width; x += 3) colours.add(rgbAt(image, x, y).join(","));
    assert.deepEqual([...colours].sort(), ["0,255,0", "255,0,0"]);
    const low = await png(await qr({ url: "https://example.com/page", size: "300", level: "L" }));
    const high = await png(await qr({ url: "https://example.com/page", size: "300", level: "H" }));
    assert.notDeepEqual(low.image.data, high.image.data, "the level changes the code");
  });

  test("a link's qrCode is such an image", async () => {
    const link = await server.sdk().links.create({ url: "https://example.com/qr-link" });
    const { image } = await png(await fetch(link.qrCode, { headers: { accept: "image/png" } }));
    assert.equal(image.width, 600);
  });

  test("a missing or non-http url, or a bad colour, is Dub's 422", async () => {
    await rejection(qr({}), 422);
    await rejection(qr({ url: "javascript:alert(1)" }), 422, { message: /url/ });
    await rejection(qr({ url: "https://example.com", fgColor: "red" }), 422, { message: /fgColor/ });
  });
});

describe("GET /api/qr?format=svg (the dashboard's vector download)", () => {
  test("answers an image/svg+xml of the same code, in the given colours; an unknown format is 422", async () => {
    const answer = await fetch(
      `${server.origin}/api/qr?${new URLSearchParams({ url: "https://example.com/page", format: "svg", fgColor: "112233" })}`,
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("content-type"), "image/svg+xml");
    const svg = await answer.text();
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
    assert.match(svg, /stroke="#112233"/);
    await rejection(await qr({ url: "https://example.com/page", format: "gif" }), 422);
  });
});
