/**
 * Pictures of articles: how an article names them (front matter `image`, Markdown
 * `![alt](path-or-url)`), and the rules a reference must pass. Local files are read and
 * measured by the build (scripts/lib/images.ts, in Node); here they arrive as a table, so
 * the same rules run in the build, the import and the tests.
 */
import type { ArticleImage } from "../content/types";

/** The types published, by media type, with the extension of their published name. */
export const IMAGE_TYPES: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/avif": "avif",
  "image/gif": "gif",
};

/** Cloudflare serves static assets of at most 25 MiB. */
const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

/** An image file of the articles folder, identified and measured from its bytes. */
export interface LocalImage {
  /** Path relative to the folder, with forward slashes. */
  path: string;
  /** Media type, one of IMAGE_TYPES. */
  type: string;
  width: number;
  height: number;
  length: number;
  /** Where it is published: `/media/<first 16 hex of its SHA-256>.<ext>`, the same for the same bytes, build after build. */
  src: string;
}

/** What the build knows of the folder's files that are not articles. */
export interface FolderImages {
  /** Images of a published type, by path. */
  images: ReadonlyMap<string, LocalImage>;
  /** Every other file that is not an article, by path, with what it is instead (e.g. "an SVG image", "not an image"). */
  others: ReadonlyMap<string, string>;
}

/** Where there is no folder (the publishing API): only https: images can be named. */
export const REMOTE_ONLY: FolderImages = { images: new Map(), others: new Map() };

/** Where an image of these bytes (`hash`: their SHA-256, hex) and type is published: the same bytes, the same URL. */
export function mediaPath(hash: string, type: string): string {
  return `/media/${hash.slice(0, 16)}.${IMAGE_TYPES[type]}`;
}

const REMOTE_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  avif: "image/avif",
  gif: "image/gif",
};

/** Longest image reference taken: browsers and CDNs refuse URLs much longer than this. */
const MAX_REFERENCE_LENGTH = 2048;

/**
 * The picture `reference` names, from the article at `articlePath`: an https: URL, or a
 * path relative to the article's file inside the folder. Throws an Error with the
 * one-line reason when it cannot be published.
 */
export function resolveImage(reference: string, articlePath: string, folder: FolderImages): Pick<ArticleImage, "src" | "type" | "length" | "width" | "height"> {
  // Bounded before the URL parser sees it: no picture's address is longer, and errors quote it.
  if (reference.length > MAX_REFERENCE_LENGTH) throw new Error(`an image reference is longer than ${MAX_REFERENCE_LENGTH} characters`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) {
    let url: URL;
    try {
      url = new URL(reference);
    } catch {
      throw new Error(`image "${reference}" is not a URL`);
    }
    if (url.protocol !== "https:") throw new Error(`image "${reference}" must be an https: URL (readers refuse mixed content)`);
    const extension = /\.([a-z0-9]+)$/i.exec(url.pathname)?.[1]?.toLowerCase();
    return { src: url.href, type: extension === undefined ? null : (REMOTE_TYPES[extension] ?? null), length: null, width: null, height: null };
  }
  if (folder === REMOTE_ONLY)
    throw new Error(`image "${reference}" is a file: over HTTP an article names https: images only (files come with \`npm run import\`)`);
  const path = normalize(articlePath, reference);
  if (path === null) throw new Error(`image "${reference}" is outside the articles folder`);
  const image = folder.images.get(path);
  if (image === undefined) {
    const other = folder.others.get(path);
    if (other !== undefined) throw new Error(`image "${reference}" is ${other}: only JPEG, PNG, WebP, AVIF and GIF images are published`);
    throw new Error(`image "${reference}" is not in the articles folder`);
  }
  if (image.length > MAX_IMAGE_BYTES)
    throw new Error(`image "${reference}" is ${(image.length / 1024 / 1024).toFixed(1)} MiB, over Cloudflare's 25 MiB limit for a static file`);
  return { src: image.src, type: image.type, length: image.length, width: image.width, height: image.height };
}

/** `reference` resolved against the folder of `articlePath`; null when it leaves the articles folder. */
function normalize(articlePath: string, reference: string): string | null {
  const parts = articlePath.split("/").slice(0, -1);
  for (const part of decodeURI(reference.split(/[?#]/)[0]!).split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}
