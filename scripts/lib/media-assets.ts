/**
 * The bundled mode's images as Cloudflare static assets (wrangler.toml [assets]): copied
 * under their content-hashed names, with a `_headers` file that makes every one
 * immutable for a year and stops type sniffing. Cloudflare serves them from its cache
 * without running the worker; `wrangler dev` serves them the same way.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalImage } from "../../src/compile/images";

const MEDIA_HEADERS = ["/media/*", "  Cache-Control: public, max-age=31536000, immutable", "  X-Content-Type-Options: nosniff", ""].join("\n");

/**
 * Writes `images` (of `folder`) and `made` (the site's logo and icons, named by their hash)
 * into `assets`/media, removing the files of images no longer there.
 */
export function writeMediaAssets(assets: string, folder: string, images: readonly LocalImage[], made: readonly { name: string; bytes: Uint8Array }[]): void {
  const media = join(assets, "media");
  mkdirSync(media, { recursive: true });
  writeFileSync(join(assets, "_headers"), MEDIA_HEADERS);
  const wanted = new Map<string, () => void>();
  for (const image of images)
    wanted.set(image.src.slice("/media/".length), () => copyFileSync(join(folder, image.path), join(media, image.src.slice("/media/".length))));
  for (const file of made) wanted.set(file.name, () => writeFileSync(join(media, file.name), file.bytes));
  for (const name of readdirSync(media)) if (!wanted.has(name)) rmSync(join(media, name));
  // The name is the hash of the bytes: a file already there is the same file.
  for (const [name, write] of wanted) if (!existsSync(join(media, name))) write();
}
