/**
 * Makes every logo and icon a feed site publishes from one source image (PNG, JPEG, GIF or
 * SVG), at build time in Node. One library does it all: resvg (WebAssembly, no install
 * script) renders an SVG that places the source, as an `<image>` of a data: URL, contained
 * and centred in each size, and encodes the result as PNG; a vector source stays sharp at
 * every size. resvg does not decode WebP (it draws nothing), so WebP is refused.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { imageSize } from "image-size";

/** Where each image goes: a feed format's element, or the site's pages. */
export type SiteImageRole = "rss" | "atom-icon" | "atom-logo" | "json-icon" | "json-favicon" | "apple-touch-icon";

/** One PNG made for `role`, exactly `width` × `height` pixels. */
export interface SiteImage {
  role: SiteImageRole;
  type: "image/png";
  width: number;
  height: number;
  bytes: Uint8Array;
}

/** Every image of a site: one per role, and `favicon`, an .ico file of 16, 32 and 48 pixel PNGs. */
export interface SiteImages {
  images: SiteImage[];
  favicon: Uint8Array;
}

/** A size to make, and whether it must be opaque (flattened onto white). */
interface Target {
  role: SiteImageRole;
  width: number;
  height: number;
  opaque: boolean;
}

const TARGETS: readonly Target[] = [
  // RSS 2.0, <channel><image>: a GIF, JPEG or PNG, width at most 144, height at most 400.
  { role: "rss", width: 144, height: 144, opaque: false },
  // RFC 4287 §4.2.5, atom:icon: "SHOULD have an aspect ratio of one (horizontal) to one (vertical)".
  { role: "atom-icon", width: 192, height: 192, opaque: false },
  // RFC 4287 §4.2.8, atom:logo: "SHOULD have an aspect ratio of 2 (horizontal) to 1 (vertical)".
  { role: "atom-logo", width: 400, height: 200, opaque: false },
  // JSON Feed 1.1, icon: "should be square and relatively large — such as 512 x 512".
  { role: "json-icon", width: 512, height: 512, opaque: false },
  // JSON Feed 1.1, favicon: "should be square and relatively small, but not smaller than 64 x 64".
  { role: "json-favicon", width: 64, height: 64, opaque: false },
  // iOS's home-screen icon (180 × 180 on current iPhones); iOS paints transparency black.
  { role: "apple-touch-icon", width: 180, height: 180, opaque: true },
];

/** The sizes in favicon.ico: the tab (16, 32 at 2×) and Windows' shortcuts (48). */
const FAVICON_SIZES = [16, 32, 48] as const;

/** Bounds on the work: a raster this large decodes to 400 MB of pixels, for each size made. */
const MAX_BYTES = 10 * 1024 * 1024;
const MAX_SIDE = 10_000;

/** image-size's names of the raster types resvg decodes. */
const RASTER_TYPES: Record<string, string> = { png: "image/png", jpg: "image/jpeg", gif: "image/gif" };

/** The source as it is drawn: its data: URL, stored size, and EXIF orientation (1 to 8). */
interface Source {
  url: string;
  width: number;
  height: number;
  orientation: number;
}

/**
 * EXIF orientation as an SVG matrix from the stored pixels (w × h) to the picture as shown,
 * which browsers apply and resvg does not. 5 to 8 turn it a quarter: shown h × w.
 */
function orient(orientation: number, w: number, h: number): string {
  const matrix: Record<number, number[]> = {
    2: [-1, 0, 0, 1, w, 0],
    3: [-1, 0, 0, -1, w, h],
    4: [1, 0, 0, -1, 0, h],
    5: [0, 1, 1, 0, 0, 0],
    6: [0, 1, -1, 0, h, 0],
    7: [0, -1, -1, 0, h, w],
    8: [0, -1, 1, 0, 0, w],
  };
  const m = matrix[orientation];
  return m === undefined ? "" : ` matrix(${m.join(" ")})`;
}

let ready: Promise<void> | undefined;

/** Loads resvg's WebAssembly once per process (a second initWasm throws). */
function loadResvg(): Promise<void> {
  ready ??= initWasm(readFileSync(createRequire(import.meta.url).resolve("@resvg/resvg-wasm/index_bg.wasm")));
  return ready;
}

/** `source` contained in `width` × `height` (scaled to fit, aspect kept, centred), rendered. */
function render(source: Source, width: number, height: number, opaque: boolean) {
  const turned = source.orientation >= 5;
  const shownWidth = turned ? source.height : source.width;
  const shownHeight = turned ? source.width : source.height;
  const scale = Math.min(width / shownWidth, height / shownHeight);
  // Whole pixels, so that the edges are not blurred across a pixel; at least one of each.
  const w = Math.max(1, Math.round(shownWidth * scale));
  const h = Math.max(1, Math.round(shownHeight * scale));
  const x = Math.floor((width - w) / 2);
  const y = Math.floor((height - h) / 2);
  const transform = `translate(${x} ${y}) scale(${w / shownWidth} ${h / shownHeight})${orient(source.orientation, source.width, source.height)}`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<image transform="${transform}" width="${source.width}" height="${source.height}" preserveAspectRatio="none" href="${source.url}"/></svg>`;
  const resvg = new Resvg(svg, opaque ? { background: "#ffffff" } : {});
  try {
    return resvg.render();
  } finally {
    resvg.free();
  }
}

/** A PNG of `source` at `width` × `height`; `check` (on a transparent one) finds a source that drew nothing. */
function png(source: Source, width: number, height: number, opaque: boolean, check?: (pixels: Uint8Array) => void): Uint8Array {
  const image = render(source, width, height, opaque);
  try {
    // `pixels` copies them out of WebAssembly's memory on every read: read once.
    check?.(image.pixels);
    return image.asPng();
  } finally {
    image.free();
  }
}

/** Whether every pixel is fully transparent. */
function blank(pixels: Uint8Array): boolean {
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return false;
  return true;
}

/** The first line of an error's message. */
function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
}

/** The source checked, measured and made a data: URL; throws a one-line reason naming `name`. */
function readSource(source: Uint8Array, name: string): Source {
  if (source.byteLength > MAX_BYTES) throw new Error(`${name}: ${(source.byteLength / 2 ** 20).toFixed(1)} MiB, over the 10 MiB limit for a site image`);
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(source);
  } catch (error) {
    throw new Error(`${name}: not a PNG, JPEG, GIF or SVG image (${reason(error)})`);
  }
  const base64 = Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString("base64");
  if (size.type === "svg") {
    // resvg's own size, the one it lays the SVG out at (image-size reads the root's attributes
    // by pattern). No bound on it: a vector's cost is the size drawn, not the size declared.
    let svg: InstanceType<typeof Resvg>;
    try {
      svg = new Resvg(source);
    } catch (error) {
      throw new Error(`${name}: not a readable SVG image (${reason(error)})`);
    }
    try {
      // resvg fetches nothing, and has no fonts here: what it cannot draw would be missing silently.
      const elsewhere = svg.imagesToResolve();
      if (elsewhere.length > 0) throw new Error(`${name}: the SVG refers to images in other files (${elsewhere[0]}); embed them as data: URLs`);
      if (/<(?:svg:)?text[\s/>]/.test(new TextDecoder().decode(source))) {
        throw new Error(`${name}: the SVG has text, which is drawn without fonts at build time; convert the text to paths`);
      }
      return { url: `data:image/svg+xml;base64,${base64}`, width: svg.width, height: svg.height, orientation: 1 };
    } finally {
      svg.free();
    }
  }
  const type = RASTER_TYPES[size.type ?? ""];
  if (type === undefined) throw new Error(`${name}: a ${size.type?.toUpperCase() ?? "different"} image; use a PNG, JPEG, GIF or SVG image`);
  if (!size.width || !size.height) throw new Error(`${name}: the image has no width or height`);
  if (size.width > MAX_SIDE || size.height > MAX_SIDE) {
    throw new Error(`${name}: ${size.width} × ${size.height} pixels, over the ${MAX_SIDE} pixel limit on a side for a site image`);
  }
  return { url: `data:${type};base64,${base64}`, width: size.width, height: size.height, orientation: size.orientation ?? 1 };
}

/**
 * An .ico file of PNG images (valid in ICO since Windows Vista; every browser reads them):
 * ICONDIR (6 bytes), an ICONDIRENTRY (16 bytes) per image, then the PNGs. Little-endian.
 */
function ico(pngs: readonly { size: number; bytes: Uint8Array }[]): Uint8Array {
  const header = 6 + 16 * pngs.length;
  const file = new Uint8Array(header + pngs.reduce((sum, p) => sum + p.bytes.byteLength, 0));
  const view = new DataView(file.buffer);
  view.setUint16(0, 0, true); // reserved
  view.setUint16(2, 1, true); // type: icon
  view.setUint16(4, pngs.length, true);
  let offset = header;
  pngs.forEach((p, i) => {
    const entry = 6 + 16 * i;
    view.setUint8(entry, p.size % 256); // width (0 means 256)
    view.setUint8(entry + 1, p.size % 256); // height
    view.setUint8(entry + 2, 0); // colours in the palette: none
    view.setUint8(entry + 3, 0); // reserved
    view.setUint16(entry + 4, 1, true); // colour planes
    view.setUint16(entry + 6, 32, true); // bits per pixel
    view.setUint32(entry + 8, p.bytes.byteLength, true);
    view.setUint32(entry + 12, offset, true);
    file.set(p.bytes, offset);
    offset += p.bytes.byteLength;
  });
  return file;
}

/**
 * Every logo and icon size the feeds and pages need, from `source` (the file's bytes; `name`
 * its path, for messages). A non-square source is contained, centred, on transparency (on
 * white for the apple-touch-icon); a small raster is scaled up. Throws an Error with a
 * one-line reason naming the file when it is not a PNG, JPEG, GIF or SVG image, is over the
 * bounds, or cannot be decoded.
 */
export async function makeSiteImages(source: Uint8Array, name: string): Promise<SiteImages> {
  await loadResvg();
  const image = readSource(source, name);
  // resvg draws an image it cannot decode as nothing, without an error: a blank result at the
  // largest size means a corrupt (or truncated, or wholly transparent) source.
  const drawsSomething = (pixels: Uint8Array) => {
    if (blank(pixels)) throw new Error(`${name}: the image cannot be decoded (it is damaged, or wholly transparent)`);
  };
  const images = TARGETS.map(
    (t): SiteImage => ({
      role: t.role,
      type: "image/png",
      width: t.width,
      height: t.height,
      bytes: png(image, t.width, t.height, t.opaque, t.role === "json-icon" ? drawsSomething : undefined),
    }),
  );
  const favicon = ico(FAVICON_SIZES.map((size) => ({ size, bytes: png(image, size, size, false) })));
  return { images, favicon };
}
