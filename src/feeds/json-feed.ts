import { Feed } from "feed";
import { stripInvalidXmlChars } from "../text/xml";
import type { FeedDocument } from "./document";

/** JSON Feed 1.1 as the package writes it (1.0), completed. https://www.jsonfeed.org/version/1.1/ */
interface JsonFeed {
  version: string;
  title: string;
  home_page_url?: string;
  feed_url?: string;
  next_url?: string;
  description?: string;
  language?: string;
  icon?: string;
  favicon?: string;
  authors?: { name: string }[];
  author?: unknown;
  hubs?: { type: string; url: string }[];
  items: JsonFeedItem[];
}

interface JsonFeedItem {
  id: string;
  url?: string;
  title?: string;
  content_html?: string;
  summary?: string;
  date_published?: string;
  date_modified?: string;
  authors?: { name: string }[];
  author?: unknown;
  tags?: string[];
  language?: string;
  image?: string;
}

/**
 * The package writes version 1 with a single `author` and no `language`; 1.1 has
 * `authors` arrays and `language`. Its dates carry milliseconds; RFC 3339 allows that,
 * but the content's own second-precision timestamps are written as they are.
 */
export function renderJsonFeed(doc: FeedDocument): string {
  const clean = stripInvalidXmlChars;
  const feed = new Feed({
    title: clean(doc.title),
    description: clean(doc.description),
    link: doc.homeUrl,
    updated: new Date(doc.updated),
    // A page of the feed is still the same feed: feed_url names the feed, not the page.
    feedLinks: { json: doc.pages?.first ?? doc.selfUrl },
  });
  for (const item of doc.items) {
    feed.addItem({
      id: clean(item.guid),
      title: clean(item.title),
      link: item.url,
      date: new Date(item.updated),
      published: new Date(item.published),
      description: clean(item.summary),
      content: clean(item.html),
      category: item.categories.map((c) => ({ name: clean(c.name) })),
    });
  }
  const written = JSON.parse(feed.json1()) as JsonFeed;
  const items = written.items.map(({ author: _single, ...out }, i): JsonFeedItem => {
    const item = doc.items[i]!;
    return {
      ...out,
      date_published: item.published,
      date_modified: item.updated,
      ...(item.creators.length > 0 ? { authors: item.creators.map((name) => ({ name: clean(name) })) } : {}),
      ...(item.language !== null ? { language: item.language } : {}),
      ...(item.image !== null ? { image: item.image.url } : {}),
    };
  });
  const { author: _single, items: _items, ...head } = written;
  const json: JsonFeed = {
    ...head,
    version: "https://jsonfeed.org/version/1.1",
    ...(doc.pages?.next ? { next_url: doc.pages.next } : {}),
    language: doc.language,
    ...(doc.images === null ? {} : { icon: doc.images.jsonIcon, favicon: doc.images.jsonFavicon }),
    authors: [{ name: clean(doc.publisher) }],
    ...(doc.hubs.length > 0 ? { hubs: doc.hubs.map((url) => ({ type: "WebSub", url })) } : {}),
    items,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
