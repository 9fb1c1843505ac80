/**
 * makeSiteImages: every role at its exact size, as a PNG; the source contained and centred
 * (on white, opaque, for the apple-touch-icon); favicon.ico a well-formed ICO of three PNGs;
 * and sources it cannot use refused with one line naming the file. The outputs are decoded
 * back to pixels with resvg itself (an <image> of the PNG at its own size, so one to one).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Resvg } from "@resvg/resvg-wasm";
import { imageSize } from "image-size";
import { beforeAll, describe, expect, it } from "vitest";
import { makeSiteImages, type SiteImage, type SiteImageRole, type SiteImages } from "../../scripts/lib/site-images";
import { ICON } from "../../src/views/style";

const IMAGES = resolve(import.meta.dirname, "../fixtures/images");
const CHART = readFileSync(join(IMAGES, "chart.png")); // 320 × 180, opaque
const HARBOUR = readFileSync(join(IMAGES, "harbour.jpg")); // 1200 × 800
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const SIZES: Record<SiteImageRole, [number, number]> = {
  rss: [144, 144],
  "atom-icon": [192, 192],
  "atom-logo": [400, 200],
  "json-icon": [512, 512],
  "json-favicon": [64, 64],
  "apple-touch-icon": [180, 180],
};

/** A PNG's pixels, RGBA, row by row. */
function decode(png: Uint8Array): { width: number; height: number; alpha: (x: number, y: number) => number; pixels: Uint8Array } {
  const { width, height } = imageSize(png);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image width="${width}" height="${height}" href="data:image/png;base64,${Buffer.from(png).toString("base64")}"/></svg>`;
  const pixels = new Resvg(svg).render().pixels;
  return { width, height, pixels, alpha: (x, y) => pixels[(y * width + x) * 4 + 3]! };
}

function image(made: SiteImages, role: SiteImageRole): Uint8Array {
  const found: SiteImage | undefined = made.images.find((i) => i.role === role);
  if (found === undefined) throw new Error(`no ${role}`);
  return found.bytes;
}

/** `jpeg` with an EXIF block (APP1) saying orientation 6: shown turned a quarter clockwise. */
function turnedJpeg(jpeg: Uint8Array): Uint8Array {
  // TIFF header (little-endian, first directory at 8), one entry: 0x0112 Orientation, SHORT, 1, 6.
  const tiff = [0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0];
  const body = [...Buffer.from("Exif\0\0", "latin1"), ...tiff];
  const app1 = [0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255, ...body];
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from(app1), jpeg.subarray(2)]);
}

const made = new Map<string, SiteImages>();
beforeAll(async () => {
  made.set("svg", await makeSiteImages(new TextEncoder().encode(ICON), "icon.svg"));
  made.set("png", await makeSiteImages(CHART, "chart.png"));
  made.set("jpeg", await makeSiteImages(HARBOUR, "harbour.jpg"));
});

describe.each(["svg", "png", "jpeg"])("from a %s source", (kind) => {
  it("makes every role once, at its size, as a PNG", () => {
    const site = made.get(kind)!;
    expect(site.images.map((i) => i.role).sort()).toEqual(Object.keys(SIZES).sort());
    for (const i of site.images) {
      const [width, height] = SIZES[i.role];
      expect([i.role, i.type, i.width, i.height]).toEqual([i.role, "image/png", width, height]);
      expect([i.role, ...i.bytes.subarray(0, 8)]).toEqual([i.role, ...PNG_SIGNATURE]);
      expect([i.role, imageSize(i.bytes)]).toEqual([i.role, { type: "png", width, height }]);
    }
  });

  it("makes an apple-touch-icon with no transparent pixel", () => {
    const { pixels } = decode(image(made.get(kind)!, "apple-touch-icon"));
    let translucent = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 255) translucent++;
    expect(translucent).toBe(0);
  });

  it("makes favicon.ico: 16, 32 and 48 pixel PNG entries", () => {
    const ico = made.get(kind)!.favicon;
    const view = new DataView(ico.buffer, ico.byteOffset, ico.byteLength);
    expect([view.getUint16(0, true), view.getUint16(2, true), view.getUint16(4, true)]).toEqual([0, 1, 3]);
    let expectedOffset = 6 + 16 * 3;
    for (const [index, size] of [16, 32, 48].entries()) {
      const entry = 6 + 16 * index;
      const length = view.getUint32(entry + 8, true);
      const offset = view.getUint32(entry + 12, true);
      expect([ico[entry], ico[entry + 1], ico[entry + 2], ico[entry + 3]]).toEqual([size, size, 0, 0]);
      expect([view.getUint16(entry + 4, true), view.getUint16(entry + 6, true)]).toEqual([1, 32]);
      expect(offset).toBe(expectedOffset);
      const png = ico.subarray(offset, offset + length);
      expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(imageSize(png)).toEqual({ type: "png", width: size, height: size });
      expectedOffset += length;
    }
    expect(ico.byteLength).toBe(expectedOffset);
  });
});

describe("containment", () => {
  it("centres a square source in the 2:1 atom-logo, with transparent sides", () => {
    const logo = decode(image(made.get("svg")!, "atom-logo"));
    // The 16 × 16 icon drawn at 200 × 200, at x 100 to 300.
    expect([logo.alpha(0, 100), logo.alpha(99, 100), logo.alpha(200, 100), logo.alpha(300, 100), logo.alpha(399, 100)]).toEqual([0, 0, 255, 0, 0]);
  });

  it("centres a wide source in a square, with transparent bands above and below", () => {
    // 320 × 180 in 144: 144 × 81, at y 31 to 112.
    const rss = decode(image(made.get("png")!, "rss"));
    expect([rss.alpha(72, 0), rss.alpha(72, 30), rss.alpha(72, 72), rss.alpha(0, 72), rss.alpha(143, 72), rss.alpha(72, 112), rss.alpha(72, 143)]).toEqual([
      0, 0, 255, 255, 255, 0, 0,
    ]);
  });

  it("scales a small source up to the largest size", () => {
    // 320 × 180 in 512: 512 × 288, at y 112 to 400.
    const icon = decode(image(made.get("png")!, "json-icon"));
    expect([icon.alpha(0, 111), icon.alpha(0, 112), icon.alpha(511, 399), icon.alpha(511, 400)]).toEqual([0, 255, 255, 0]);
  });

  it("turns a JPEG as its EXIF orientation says, as browsers show it", async () => {
    const site = await makeSiteImages(turnedJpeg(HARBOUR), "turned.jpg");
    // Shown 800 × 1200: in 400 × 200, 133 × 200 at x 133 (unturned it would fill x 50 to 350).
    const logo = decode(image(site, "atom-logo"));
    expect([logo.alpha(60, 100), logo.alpha(132, 100), logo.alpha(134, 100), logo.alpha(264, 100), logo.alpha(340, 100)]).toEqual([0, 0, 255, 255, 0]);
  });
});

describe("a source it cannot use", () => {
  /** The one-line message makeSiteImages throws for `bytes` named `name`. */
  async function refusal(bytes: Uint8Array, name: string): Promise<string> {
    const error = await makeSiteImages(bytes, name).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message.startsWith(`${name}: `)).toBe(true);
    expect(message).not.toContain("\n");
    return message;
  }

  it("refuses a text file", async () => {
    expect(await refusal(new TextEncoder().encode("Not a picture, just a line of text.\n"), "notes/logo.txt")).toMatch(/not a PNG, JPEG, GIF or SVG image/);
  });

  it("refuses a truncated PNG", async () => {
    expect(await refusal(CHART.subarray(0, 2000), "site/logo.png")).toMatch(/cannot be decoded/);
  });

  it("refuses a truncated JPEG", async () => {
    expect(await refusal(HARBOUR.subarray(0, HARBOUR.length / 2), "site/logo.jpg")).toMatch(/cannot be decoded/);
  });

  it("refuses a broken SVG", async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect';
    expect(await refusal(new TextEncoder().encode(svg), "logo.svg")).toMatch(/not a readable SVG/);
  });

  it("refuses an SVG whose text would be drawn without fonts", async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 32"><text x="4" y="24">News</text></svg>';
    expect(await refusal(new TextEncoder().encode(svg), "wordmark.svg")).toMatch(/convert the text to paths/);
  });

  it("refuses an SVG that draws an image from another file", async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><image href="https://example.com/logo.png" width="16" height="16"/></svg>';
    expect(await refusal(new TextEncoder().encode(svg), "linked.svg")).toMatch(/other files/);
  });

  it("refuses WebP, which the renderer does not decode", async () => {
    expect(await refusal(readFileSync(join(IMAGES, "map.webp")), "map.webp")).toMatch(/a WEBP image/);
  });

  it("refuses a file over 10 MiB, and an image over 10,000 pixels on a side", async () => {
    expect(await refusal(new Uint8Array(10 * 1024 * 1024 + 1), "huge.png")).toMatch(/10 MiB/);
    // The PNG's header (IHDR) says 20,000 pixels wide: refused before anything is decoded.
    const wide = Buffer.from(CHART);
    wide.writeUInt32BE(20_000, 16);
    expect(await refusal(wide, "wide.png")).toMatch(/20000 × 180 pixels/);
  });
});
