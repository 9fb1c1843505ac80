/** The URL layout. Subscribers keep these paths forever: change them and feeds break. */

export type FeedFormat = "rss" | "atom" | "json";

/** The groups an article can be listed in, each with a page and feeds of its own. */
export type GroupKind = "topic" | "author" | "source";

export const GROUP_KINDS: readonly GroupKind[] = ["topic", "author", "source"];

/** Everything (`{}`), or one group: a topic, an author (front matter `author`) or a source (the agency or outlet). */
export type FeedScope = { readonly kind?: undefined } | { readonly kind: GroupKind; readonly slug: string };

/** Where each kind of group lives: /topics/{slug}, /authors/{slug}, /sources/{slug}. */
const GROUP_PATHS: Record<GroupKind, string> = { topic: "/topics", author: "/authors", source: "/sources" };

/** The index of every group of a kind: /topics, /authors, /sources. */
export function groupIndexPath(kind: GroupKind): string {
  return GROUP_PATHS[kind];
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
  return scope.kind === undefined ? `/${FEED_FILES[format]}` : `${groupPagePath(scope.kind, scope.slug)}/${FEED_FILES[format]}`;
}

/** What a group's slug looks like (src/text/slug.ts makes them so). */
const SLUG_SHAPE = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The scope and format of a feed path (the inverse of feedPath), or null: a hub topic must
 * be one of the site's feeds. The group's slug is only shaped like a slug here; whether it
 * exists is the content's to say.
 */
export function parseFeedPath(path: string): { scope: FeedScope; format: FeedFormat } | null {
  for (const format of FEED_FORMATS) {
    const file = `/${FEED_FILES[format]}`;
    if (path === file) return { scope: {}, format };
    if (!path.endsWith(file)) continue;
    for (const kind of GROUP_KINDS) {
      const prefix = `${GROUP_PATHS[kind]}/`;
      if (!path.startsWith(prefix)) continue;
      const slug = path.slice(prefix.length, path.length - file.length);
      if (SLUG_SHAPE.test(slug)) return { scope: { kind, slug }, format };
    }
  }
  return null;
}

/** The HTML page that lists the same articles as the scope's feeds. */
export function scopePagePath(scope: FeedScope): string {
  return scope.kind === undefined ? HOME_PATH : groupPagePath(scope.kind, scope.slug);
}

/**
 * The name stored responses and queued renderings know a scope by (src/storage/d1/responses.ts):
 * "main", or "{kind}:{slug}".
 */
export function scopeKey(scope: FeedScope): string {
  return scope.kind === undefined ? "main" : `${scope.kind}:${scope.slug}`;
}

/** The group a scope key names (the inverse of scopeKey for groups), or null for any other key. */
export function groupOfKey(key: string): { kind: GroupKind; slug: string } | null {
  const colon = key.indexOf(":");
  const kind = key.slice(0, colon) as GroupKind;
  return colon > 0 && GROUP_KINDS.includes(kind) ? { kind, slug: key.slice(colon + 1) } : null;
}

/** The group a page path shows (`/topics/x`, `/authors/x/rss.xml`, …), or null. */
export function groupOfPath(path: string): { kind: GroupKind; slug: string } | null {
  for (const kind of GROUP_KINDS) {
    const prefix = `${GROUP_PATHS[kind]}/`;
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf("/");
    const slug = slash === -1 ? rest : rest.slice(0, slash);
    if (slug !== "") return { kind, slug };
  }
  return null;
}

export const HOME_PATH = "/";
/** The index of every topic, with its feeds. */
export const TOPICS_PATH = "/topics";
/** The indexes of every author and every source, with their feeds. */
export const AUTHORS_PATH = "/authors";
export const SOURCES_PATH = "/sources";
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
  return groupPagePath("topic", topic);
}

/** The page of a topic, an author or a source. */
export function groupPagePath(kind: GroupKind, slug: string): string {
  return `${GROUP_PATHS[kind]}/${slug}`;
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
