/**
 * The site's logo and icons from SITE_LOGO (a path from the project; the shipped feed icon
 * when unset): every size the feeds and pages name (scripts/lib/site-images.ts), each under
 * the name of its SHA-256 as article images are (`/media/<hash>.png`), so the same logo gives
 * the same URLs, build after build, and the build and the import name the same files.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { mediaPath } from "../../src/compile/images";
import type { SiteImageFile, SiteImages } from "../../src/config/site-images";
import { packSiteImages } from "../../src/storage/bundle/site-images-pack";
import { ICON } from "../../src/views/style";
import { ROOT } from "./compile-folder";
import { makeSiteImages, type SiteImageRole } from "./site-images";

/** What the build writes: the manifest the worker bundles, and the PNGs it publishes. */
export interface SiteLogo {
  /** src/generated/site-images.bin. */
  pack: Uint8Array<ArrayBuffer>;
  images: SiteImages;
  /** Published as static assets under media/: file name and bytes. */
  files: { name: string; bytes: Uint8Array }[];
  /** Where it came from, for the build's line. */
  source: string;
}

const ROLES: Record<SiteImageRole, keyof Omit<SiteImages, "favicon">> = {
  rss: "rss",
  "atom-icon": "atomIcon",
  "atom-logo": "atomLogo",
  "json-icon": "jsonIcon",
  "json-favicon": "jsonFavicon",
  "apple-touch-icon": "appleTouchIcon",
};

/** Throws an Error with a one-line reason naming SITE_LOGO's file when it cannot be read or made into images. */
export async function siteLogo(setting: string | undefined): Promise<SiteLogo> {
  const path = setting?.trim() ? resolve(ROOT, setting.trim()) : null;
  // Named as the setting names it: a path from the project, whatever folder the build runs in.
  const name = path === null ? "the shipped icon (src/views/style.ts)" : setting!.trim();
  let bytes: Uint8Array;
  try {
    bytes = path === null ? new TextEncoder().encode(ICON) : readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `SITE_LOGO ${JSON.stringify(setting)}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not an image" : (error as Error).message}`,
    );
  }
  const made = await makeSiteImages(bytes, name);
  const files: SiteLogo["files"] = [];
  const images = {} as Omit<SiteImages, "favicon">;
  for (const image of made.images) {
    const src = mediaPath(createHash("sha256").update(image.bytes).digest("hex"), image.type);
    const file: SiteImageFile = { src, type: image.type, width: image.width, height: image.height };
    images[ROLES[image.role]] = file;
    files.push({ name: src.slice("/media/".length), bytes: image.bytes });
  }
  const favicon = new Uint8Array(made.favicon) as Uint8Array<ArrayBuffer>;
  const all: SiteImages = { ...images, favicon };
  return { pack: packSiteImages(all), images: all, files, source: name };
}
