/**
 * The build's stored responses: what a reader or crawler asks for first, rendered once at
 * build time for one origin and bundled as the data module src/generated/responses.bin.
 */
import type { Env } from "../config/env";
import { resolveSite } from "../config/site";
import { articleSitemapCount } from "../sitemaps/sitemap";
import { PackedStore } from "../storage/bundle/packed-store";
import { packResponses } from "../storage/bundle/response-pack";
import { articlesSitemapPath, PAGES_SITEMAP_PATH, ROBOTS_PATH, SITEMAP_PATH } from "../urls";
import { assetPaths } from "../views/assets";
import { firstListed, listingsAhead, pathsAhead } from "./paths";
import type { Renderer } from "./renderer";

/** Every listing's first page with the pages of the articles they list, the site-wide pages, and the static files. */
export async function buildPaths(content: Uint8Array<ArrayBuffer>, env: Env, origin: string): Promise<string[]> {
  const { settings } = resolveSite(env, `${origin}/`);
  const store = new PackedStore(content);
  const snapshot = await store.snapshot();
  const listings = listingsAhead(snapshot, false);
  const listed = await firstListed(store, settings, listings);
  // The sitemaps too (rendering one reads every article it lists: done here, not on a fresh isolate's request).
  const sitemaps = [
    ROBOTS_PATH,
    SITEMAP_PATH,
    PAGES_SITEMAP_PATH,
    ...Array.from({ length: articleSitemapCount(snapshot.articleCount) }, (_, i) => articlesSitemapPath(i + 1)),
  ];
  return [...pathsAhead(listings, true, listed), ...sitemaps, "/favicon.ico", ...Object.values(await assetPaths())];
}

export async function buildResponses(
  content: Uint8Array<ArrayBuffer>,
  env: Env,
  origin: string,
  render: Renderer,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; count: number }> {
  const site = resolveSite(env, `${origin}/`);
  const rendered = await render(env, origin, await buildPaths(content, env, origin));
  return { bytes: packResponses(origin, site.fingerprint, rendered), count: rendered.size };
}

/** A responses file that matches no origin: what the build writes when it stores none. */
export function noResponses(): Uint8Array<ArrayBuffer> {
  return packResponses("", "", new Map());
}
