import { type Catalog, newestUpdate } from "../content/catalog";
import { nameBasedUuid } from "../content/ids";
import type { Article } from "../content/types";
import type { Settings } from "../settings";
import { type FeedFormat, feedPath, type FeedScope, scopePagePath, urls } from "../urls";

/** A feed, whatever its format: everything a renderer needs, with absolute URLs. */
export interface FeedDocument {
  format: FeedFormat;
  title: string;
  description: string;
  language: string;
  /** The HTML page this feed mirrors. */
  homeUrl: string;
  /** The URL this feed is served at. */
  selfUrl: string;
  /** A URI naming this feed that does not depend on the host it is served from. */
  id: string;
  /** Newest `updated` of its items (RFC 3339): the feed changes when an item does, never with the clock. */
  updated: string;
  /** Named as the feed's author: Atom requires an author for entries that have none. */
  publisher: string;
  /** Scheme for categories: the URL of the topics index. */
  topicsUrl: string;
  items: FeedItem[];
}

export interface FeedItem {
  guid: string;
  title: string;
  url: string;
  published: string;
  updated: string;
  /** Full text as HTML. */
  html: string;
  /** Plain-text lead. */
  summary: string;
  /** Author, then source: who the item is credited to. */
  creators: string[];
  /** The article's own language, when it differs from the feed's. */
  language: string | null;
  categories: { slug: string; name: string; url: string }[];
}

/** The items of a feed: the newest `limit` articles of the scope, newest first. */
export function feedArticles(catalog: Catalog, scope: FeedScope, limit: number): readonly Article[] {
  const all = scope.topic === undefined ? catalog.articles : (catalog.topic(scope.topic)?.articles ?? []);
  return all.slice(0, limit);
}

export async function buildFeedDocument(
  catalog: Catalog,
  settings: Settings,
  origin: string,
  scope: FeedScope,
  format: FeedFormat,
): Promise<FeedDocument> {
  const link = urls(origin);
  const articles = feedArticles(catalog, scope, settings.feedItemLimit);
  const topicName = scope.topic === undefined ? undefined : catalog.topicName(scope.topic);
  return {
    format,
    title: topicName === undefined ? settings.title : `${settings.title}: ${topicName}`,
    description: topicName === undefined ? settings.description : `${topicName}: the latest articles from ${settings.title}.`,
    language: settings.language,
    homeUrl: link(scopePagePath(scope)),
    selfUrl: link(feedPath(scope, format)),
    id: `urn:uuid:${await nameBasedUuid(`feed:${feedPath(scope, format)}`)}`,
    updated: newestUpdate(articles) ?? catalog.newestUpdate,
    publisher: settings.title,
    topicsUrl: link("/topics"),
    items: articles.map((article) => ({
      guid: article.guid,
      title: article.title,
      url: link(`/articles/${article.slug}`),
      published: article.published,
      updated: article.updated,
      html: article.html,
      summary: article.summary,
      creators: [article.author, article.source].filter((c): c is string => c !== null),
      language: article.language !== null && article.language !== settings.language ? article.language : null,
      categories: article.topics.map((slug) => ({ slug, name: catalog.topicName(slug), url: link(`/topics/${slug}`) })),
    })),
  };
}
