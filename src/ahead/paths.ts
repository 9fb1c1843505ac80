/**
 * Which responses are rendered ahead of requests: what readers and crawlers ask for first.
 * One list serves the build (every listing) and each change (the listings it made stale).
 */
import type { Settings } from "../config/settings";
import { groupsOf } from "../content/groups";
import type { ContentStore, Snapshot } from "../content/store";
import { NOT_FOUND_KEY } from "../serve/representations";
import { AUTHORS_PATH, articlePath, FEED_FORMATS, type FeedScope, feedPath, OPML_PATH, SOURCES_PATH, scopePagePath, TOPICS_PATH } from "../urls";
import { NOT_FOUND_RECENT, PAGE_SIZE } from "../views/sizes";

/** The pages that show every topic, author or source, or the newest articles whatever the scope: the indexes, OPML, the not-found page. */
const SITE_WIDE = [TOPICS_PATH, AUTHORS_PATH, SOURCES_PATH, OPML_PATH, NOT_FOUND_KEY];

/** Authors and sources whose listings are rendered ahead, of each kind: the busiest (the others render on first request). */
const GROUPS_AHEAD = 20;

/**
 * The listings rendered ahead when everything is: the main one, every topic (with articles,
 * when `inUse`), and the GROUPS_AHEAD authors and sources with the most articles. Every
 * author's and source's feeds stored ahead would make the bundle grow with the bylines, not
 * the articles (a wire archive has hundreds).
 */
export function listingsAhead(snapshot: Snapshot, inUse: boolean): FeedScope[] {
  const busiest = (kind: "author" | "source") =>
    [...groupsOf(snapshot, kind)]
      .filter((g) => g.count > 0)
      .sort((a, b) => b.count - a.count || (a.slug < b.slug ? -1 : 1))
      .slice(0, GROUPS_AHEAD)
      .map((g) => ({ kind, slug: g.slug }));
  const topics = snapshot.topics.filter((t) => !inUse || t.count > 0).map((t) => ({ kind: "topic" as const, slug: t.topic.slug }));
  return [{}, ...topics, ...busiest("author"), ...busiest("source")];
}

/**
 * The first page of each listing, as its three feeds and its HTML page; the site-wide
 * pages when asked; and the pages of `articles`.
 */
export function pathsAhead(listings: readonly FeedScope[], siteWide: boolean, articles: Iterable<string>): string[] {
  const paths = new Set<string>();
  for (const scope of listings) {
    for (const format of FEED_FORMATS) paths.add(feedPath(scope, format));
    paths.add(scopePagePath(scope));
  }
  if (siteWide) for (const path of SITE_WIDE) paths.add(path);
  for (const slug of articles) paths.add(articlePath(slug));
  return [...paths];
}

/**
 * The slugs of the articles on the first page of each listing, as long as the longest
 * first page any of them has (a feed, an HTML page, the not-found page's recent articles):
 * an article page readers reach from a listing is rendered ahead with it.
 */
export async function firstListed(store: ContentStore, settings: Settings, listings: readonly FeedScope[]): Promise<Set<string>> {
  const count = Math.max(settings.feedItemLimit, PAGE_SIZE, NOT_FOUND_RECENT);
  const slugs = new Set<string>();
  const pages = await Promise.all(listings.map((scope) => store.listing(scope, count, null)));
  for (const page of pages) for (const article of page?.articles ?? []) slugs.add(article.slug);
  return slugs;
}
