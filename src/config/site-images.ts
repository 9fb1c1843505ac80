/**
 * The site's logo and icons, as feeds and pages name them: made by the build from
 * SITE_LOGO (scripts/lib/site-logo.ts), published as static assets under content-hashed
 * names, and bundled as src/generated/site-images.bin (src/storage/bundle/site-images-pack.ts).
 */

/** One published image: its path on the site (`/media/<hash>.png`) and its exact size. */
export interface SiteImageFile {
  src: string;
  type: string;
  width: number;
  height: number;
}

export interface SiteImages {
  /** RSS 2.0 `<image>`: at most 144 pixels wide and 400 high. */
  rss: SiteImageFile;
  /** Atom `<icon>`: square (RFC 4287 §4.2.5). */
  atomIcon: SiteImageFile;
  /** Atom `<logo>`: twice as wide as high (RFC 4287 §4.2.8). */
  atomLogo: SiteImageFile;
  /** JSON Feed 1.1 `icon` (512 × 512). */
  jsonIcon: SiteImageFile;
  /** JSON Feed 1.1 `favicon` (64 × 64). */
  jsonFavicon: SiteImageFile;
  /** The pages' `apple-touch-icon` (180 × 180, opaque). */
  appleTouchIcon: SiteImageFile;
  /** `/favicon.ico`: an ICO file of 16, 32 and 48 pixel PNGs, the one icon Feedly and Inoreader fetch. */
  favicon: Uint8Array<ArrayBuffer>;
}
