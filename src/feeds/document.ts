import type { Settings } from "../config/settings";
import type { SiteImages } from "../config/site-images";
import { absoluteImageUrl, absoluteMedia, figureHtml } from "../content/figure";
import { groupDescription, groupOf } from "../content/groups";
import { nameBasedUuid } from "../content/ids";
import { newestUpdate } from "../content/newest-update";
import type { Listing, Snapshot } from "../content/store";
import type { ArticleImage } from "../content/types";
import { articlePath, type FeedFormat, type FeedScope, feedPath, HUB_PATH, pagePath, scopePagePath, TOPICS_PATH, topicPagePath, urls } from "../urls";
import { type PollingHints, pollingHints } from "./polling";

/** A feed, whatever its format: everything a renderer needs, with absolute URLs. */
export interface FeedDocument {
  format: FeedFormat;
  title: string;
  description: string;
  language: string;
  /** The HTML page this feed mirrors. */
  homeUrl: string;
  /** The URL this feed (page) is served at. */
  selfUrl: string;
  /** WebSub hubs that push this feed's updates to subscribers (WebSub §4). */
  hubs: string[];
  /** RFC 5005 paging links, absolute; null when the feed fits one page. */
  pages: { first: string; next: string | null; previous: string | null; last: string } | null;
  /** A URI naming this feed that does not depend on the host it is served from. */
  id: string;
  /** Newest `updated` of its items (RFC 3339): the feed changes when an item does, never with the clock. */
  updated: string;
  /** Named as the feed's author: Atom requires an author for entries that have none. */
  publisher: string;
  /** Scheme for categories: the URL of the topics index. */
  topicsUrl: string;
  /** How often a reader should poll (RSS ttl and sy:), from CACHE_MAX_AGE. */
  polling: PollingHints;
  /** The site's logo and icons, their URLs absolute; null when the build made none. */
  images: FeedImages | null;
  items: FeedItem[];
}

interface FeedItem {
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
  /** The article's picture, its URL absolute. */
  image: (Omit<ArticleImage, "src"> & { url: string }) | null;
}

/** The images each format names for the feed (src/config/site-images.ts has their rules). */
interface FeedImages {
  rss: { url: string; width: number; height: number };
  atomIcon: string;
  atomLogo: string;
  jsonIcon: string;
  jsonFavicon: string;
}

/** What a feed is built from: one page of a scope, the topics' names, and the site's images. */
export interface FeedSource {
  images: SiteImages | null;
  listing: Listing;
  snapshot: Snapshot;
  scope: FeedScope;
  /** The cursor of this page; null for the feed's first page. */
  before: string | null;
}

export async function buildFeedDocument(source: FeedSource, settings: Settings, origin: string, format: FeedFormat): Promise<FeedDocument> {
  const { listing, snapshot, scope, before, images } = source;
  const link = urls(origin);
  const names = new Map(snapshot.topics.map(({ topic }) => [topic.slug, topic.name]));
  const groupName = scope.kind === undefined ? undefined : (groupOf(snapshot, scope)?.name ?? scope.slug);
  const base = feedPath(scope, format);
  const page = (cursor: string | null) => link(pagePath(base, cursor));
  const articles = listing.articles;
  return {
    format,
    title: groupName === undefined ? settings.title : `${settings.title}: ${groupName}`,
    description: scope.kind === undefined ? settings.description : groupDescription(scope.kind, groupName!, settings.title),
    language: settings.language,
    homeUrl: link(pagePath(scopePagePath(scope), before)),
    selfUrl: page(before),
    // A `?before=` page is not a topic a hub takes (its articles never change): no hub there.
    hubs: before !== null ? [] : settings.ownHub ? [link(HUB_PATH), ...settings.websubHubs] : settings.websubHubs,
    pages:
      listing.last === null && listing.newer === null
        ? null
        : {
            first: page(null),
            next: listing.older === null ? null : page(listing.older),
            previous: listing.newer === null ? null : page(listing.newer.before),
            last: page(listing.last),
          },
    // Every page of a feed is part of the same feed (RFC 5005 §3), so they share one id.
    id: `urn:uuid:${await nameBasedUuid(`feed:${base}`)}`,
    updated: newestUpdate(articles) ?? snapshot.newestUpdate,
    publisher: settings.title,
    topicsUrl: link(TOPICS_PATH),
    polling: pollingHints(settings.cacheMaxAge),
    images:
      images === null
        ? null
        : {
            rss: { url: link(images.rss.src), width: images.rss.width, height: images.rss.height },
            atomIcon: link(images.atomIcon.src),
            atomLogo: link(images.atomLogo.src),
            jsonIcon: link(images.jsonIcon.src),
            jsonFavicon: link(images.jsonFavicon.src),
          },
    items: articles.map((article) => ({
      guid: article.guid,
      title: article.title,
      url: link(articlePath(article.slug)),
      published: article.published,
      updated: article.updated,
      // Readers that ignore Media RSS still show the picture: it opens the text, as a figure.
      html: `${article.image === null || article.image.inBody ? "" : figureHtml(article.image, origin)}${absoluteMedia(article.html, origin)}`,
      summary: article.summary,
      creators: [article.author, article.source].filter((c): c is string => c !== null),
      language: article.language !== null && article.language !== settings.language ? article.language : null,
      categories: article.topics.map((slug) => ({ slug, name: names.get(slug) ?? slug, url: link(topicPagePath(slug)) })),
      image: article.image === null ? null : { ...article.image, url: absoluteImageUrl(article.image.src, origin) },
    })),
  };
}
