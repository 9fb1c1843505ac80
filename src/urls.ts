/** The URL layout. Subscribers keep these paths forever: change them and feeds break. */

export type FeedFormat = "rss" | "atom" | "json";

/** Everything, or one topic. */
export interface FeedScope {
  topic?: string;
}

const FEED_FILES: Record<FeedFormat, string> = {
  rss: "rss.xml",
  atom: "atom.xml",
  json: "feed.json",
};

export const FEED_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
};

export const FEED_LABELS: Record<FeedFormat, string> = { rss: "RSS", atom: "Atom", json: "JSON Feed" };

export const FEED_FORMATS: readonly FeedFormat[] = ["rss", "atom", "json"];

export function feedPath(scope: FeedScope, format: FeedFormat): string {
  return scope.topic === undefined ? `/${FEED_FILES[format]}` : `${topicPagePath(scope.topic)}/${FEED_FILES[format]}`;
}

/**
 * The scope and format of a feed path (the inverse of feedPath), or null: a hub topic must
 * be one of the site's feeds. `topic` is only shaped like a slug here; whether it exists is
 * the content's to say.
 */
export function parseFeedPath(path: string): { scope: FeedScope; format: FeedFormat } | null {
  for (const format of FEED_FORMATS) {
    const file = `/${FEED_FILES[format]}`;
    if (path === file) return { scope: {}, format };
    const prefix = `${TOPICS_PATH}/`;
    if (path.startsWith(prefix) && path.endsWith(file)) {
      const topic = path.slice(prefix.length, path.length - file.length);
      if (/^[a-z0-9][a-z0-9-]*$/.test(topic)) return { scope: { topic }, format };
    }
  }
  return null;
}

/** The HTML page that lists the same articles as the scope's feeds. */
export function scopePagePath(scope: FeedScope): string {
  return scope.topic === undefined ? HOME_PATH : topicPagePath(scope.topic);
}

export const HOME_PATH = "/";
/** The index of every topic, with its feeds. */
export const TOPICS_PATH = "/topics";
/** The site's own WebSub hub (W3C WebSub §5): subscribers POST here. */
export const HUB_PATH = "/websub";
/** Every feed of the site, as an OPML subscription list. */
export const OPML_PATH = "/opml.xml";
/** What crawlers read first: the sitemaps, and what they may fetch. */
export const ROBOTS_PATH = "/robots.txt";
/** The sitemap index (sitemaps.org 0.9): the pages' sitemap and the articles' sitemaps. */
export const SITEMAP_PATH = "/sitemap.xml";
/** The Google News sitemap: the articles of the last 48 hours. */
export const NEWS_SITEMAP_PATH = "/news-sitemap.xml";
/** The sitemap of the home page, the topic index and every topic page. */
export const PAGES_SITEMAP_PATH = "/sitemap-pages.xml";
/** Articles per sitemap: sitemaps.org's limit of 50,000 URLs (at ~150 bytes each, far from its 50 MB). */
export const SITEMAP_URLS = 50_000;

/** The `n`th sitemap of articles (from 1), oldest first: a new article goes on the last, the others stay put. */
export function articlesSitemapPath(n: number): string {
  return `/sitemap-articles-${n}.xml`;
}

export function topicPagePath(topic: string): string {
  return `${TOPICS_PATH}/${topic}`;
}

export function articlePath(slug: string): string {
  return `/articles/${slug}`;
}

/** A page of a paged feed or listing: `before` names the article the page starts after. */
export function pagePath(path: string, before: string | null): string {
  return before === null ? path : `${path}?before=${before}`;
}

/** Absolute URLs under `origin` (which has no trailing slash). */
export function urls(origin: string): (path: string) => string {
  return (path) => `${origin}${path}`;
}
