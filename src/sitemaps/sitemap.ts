/**
 * Sitemaps (sitemaps.org protocol 0.9): an index over a sitemap of the pages and sitemaps of
 * at most SITEMAP_URLS articles each, all at the site's root (a sitemap may list only URLs
 * under its own folder), every article with `lastmod` its `updated`. Articles
 * go oldest first, so a new article lands on the last sitemap and the others keep their
 * bytes (and their ETags) until an article on them changes.
 */
import type { SitemapEntry } from "../content/store";
import { escapeXml } from "../text/xml";
import {
  articlePath,
  articlesSitemapPath,
  type GroupKind,
  groupIndexPath,
  groupPagePath,
  HOME_PATH,
  PAGES_SITEMAP_PATH,
  SITEMAP_URLS,
  TOPICS_PATH,
} from "../urls";

const NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9";

export interface SitemapUrl {
  loc: string;
  /** RFC 3339 (W3C Datetime), or null when unknown. */
  lastmod: string | null;
}

/** How many sitemaps of articles an archive of `count` takes (none for none: a sitemap lists at least one URL). */
export function articleSitemapCount(count: number): number {
  return Math.ceil(count / SITEMAP_URLS);
}

/** Which sitemap of articles a path is (from 1), or null. */
export function articleSitemapNumber(path: string): number | null {
  const prefix = "/sitemap-articles-";
  if (!path.startsWith(prefix) || !path.endsWith(".xml")) return null;
  const digits = path.slice(prefix.length, -".xml".length);
  // No leading zero: one URL per sitemap.
  return /^[1-9][0-9]{0,6}$/.test(digits) ? Number(digits) : null;
}

function entry(tag: "url" | "sitemap", { loc, lastmod }: SitemapUrl): string {
  return `  <${tag}>\n    <loc>${escapeXml(loc)}</loc>\n${lastmod === null ? "" : `    <lastmod>${escapeXml(lastmod)}</lastmod>\n`}  </${tag}>\n`;
}

export function renderUrlSet(urls: readonly SitemapUrl[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${NAMESPACE}">\n${urls.map((u) => entry("url", u)).join("")}</urlset>\n`;
}

export function renderSitemapIndex(sitemaps: readonly SitemapUrl[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="${NAMESPACE}">\n${sitemaps.map((s) => entry("sitemap", s)).join("")}</sitemapindex>\n`;
}

/** The pages' sitemap: the home page, the topic index and each topic's, author's and source's page that lists articles. */
export function pagesUrls(origin: string, groups: readonly { kind: GroupKind; slug: string; count: number }[], newestUpdate: string): SitemapUrl[] {
  return [
    { loc: `${origin}${HOME_PATH}`, lastmod: newestUpdate },
    { loc: `${origin}${TOPICS_PATH}`, lastmod: newestUpdate },
    ...(["author", "source"] as const)
      .filter((kind) => groups.some((g) => g.kind === kind && g.count > 0))
      .map((kind) => ({ loc: `${origin}${groupIndexPath(kind)}`, lastmod: newestUpdate })),
    // A group's newest article is not in the snapshot: its page's lastmod is left out rather than guessed.
    ...groups.filter((g) => g.count > 0).map((g) => ({ loc: `${origin}${groupPagePath(g.kind, g.slug)}`, lastmod: null })),
  ];
}

export function articleUrls(origin: string, entries: readonly SitemapEntry[]): SitemapUrl[] {
  return entries.map((e) => ({ loc: `${origin}${articlePath(e.slug)}`, lastmod: e.updated }));
}

/**
 * The index: the pages' sitemap (its lastmod the newest update of any article), then each
 * sitemap of articles. Theirs is left out: knowing it means reading every article, and a
 * crawler's conditional request (ETag) tells it as cheaply whether one changed.
 */
export function indexUrls(origin: string, newestUpdate: string, articleSitemaps: number): SitemapUrl[] {
  return [
    { loc: `${origin}${PAGES_SITEMAP_PATH}`, lastmod: newestUpdate },
    ...Array.from({ length: articleSitemaps }, (_, i) => ({ loc: `${origin}${articlesSitemapPath(i + 1)}`, lastmod: null })),
  ];
}
