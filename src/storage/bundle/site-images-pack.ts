/**
 * The site's logo and icons as the worker bundles them (src/generated/site-images.bin): the
 * published images' paths and sizes in the header, and favicon.ico's bytes, which the worker
 * serves itself (it has no hashed name to be a static asset under).
 */
import type { SiteImages } from "../../config/site-images";
import { Pack, type PackHeader, writePack } from "./pack-file";

interface SiteImagesHeader extends PackHeader {
  kind: "site-images";
  images: Omit<SiteImages, "favicon">;
}

export function packSiteImages(images: SiteImages): Uint8Array<ArrayBuffer> {
  const { favicon, ...published } = images;
  return writePack({ kind: "site-images", images: published }, { favicon });
}

export function readSiteImages(data: ArrayBuffer | Uint8Array<ArrayBuffer>): SiteImages {
  const pack = new Pack<SiteImagesHeader>(data);
  if (pack.header.kind !== "site-images") throw new Error("not a site images pack");
  return { ...pack.header.images, favicon: pack.bytesOf("favicon") };
}
