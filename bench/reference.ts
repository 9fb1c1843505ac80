/**
 * What most people write: the feed rendered with `feed` on every request, no stored
 * bytes, no validators, no compression. The benchmark's reference row.
 */
import { Feed } from "feed";
import type { Content } from "../src/content/types";

export function referenceRss(content: Content, origin: string, limit = 50): Response {
  const items = content.articles.slice(0, limit);
  const feed = new Feed({
    title: "Edge News",
    description: "The latest articles, as RSS, Atom and JSON Feed.",
    id: `${origin}/`,
    link: `${origin}/`,
    language: "en",
    updated: new Date(items[0]?.updated ?? 0),
    generator: false,
    feedLinks: { rss: `${origin}/rss.xml` },
  });
  for (const a of items) {
    feed.addItem({
      title: a.title,
      id: a.guid,
      link: `${origin}/articles/${a.slug}`,
      date: new Date(a.updated),
      published: new Date(a.published),
      description: a.summary,
      content: a.html,
      category: a.topics.map((name) => ({ name })),
    });
  }
  return new Response(feed.rss2(), { headers: { "Content-Type": "application/rss+xml; charset=utf-8" } });
}
