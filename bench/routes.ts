/** The requests the bench measures on a corpus: the rows of its tables. */
import type { Article } from "../src/content/types";
import type { FreshRow } from "./fresh";
import { ACCEPT, type Row } from "./harness";

const accept = { "Accept-Encoding": ACCEPT };

/** The site's three feeds, in every table that has them. */
const FEEDS: Row[] = [
  { name: "/rss.xml", path: "/rss.xml", headers: accept },
  { name: "/atom.xml", path: "/atom.xml", headers: accept },
  { name: "/feed.json", path: "/feed.json", headers: accept },
];

/**
 * The load and in-process CPU rows: each feed format, a topic feed, the pages a reader
 * lands on, a 304 (its If-None-Match is added where it is measured) and the reference.
 */
export function loadRows(newest: Article[], topic: string): Row[] {
  return [
    { name: "/healthz", path: "/healthz", headers: accept },
    ...FEEDS,
    { name: `topic feed (/topics/${topic}/rss.xml)`, path: `/topics/${topic}/rss.xml`, headers: accept },
    { name: "article page", path: `/articles/${newest[0]!.slug}`, headers: accept },
    { name: "/ (home page)", path: "/", headers: accept },
    { name: "304 (/rss.xml, If-None-Match)", path: "/rss.xml", headers: accept },
    { name: "reference: `feed` on every request", path: "/__reference/rss.xml", headers: accept },
  ];
}

/** A load row that is the 304: it is sent with the ETag of /rss.xml. */
export const isNotModified = (row: Row) => row.name.startsWith("304");

/** The routes of the fresh-isolate rows: each feed format, a topic feed, every kind of page, OPML and a 304. */
export function freshRows(newest: Article[], topic: string, etag: string): FreshRow[] {
  return [
    ...FEEDS,
    { name: "topic feed", path: `/topics/${topic}/rss.xml`, headers: accept },
    { name: "/ (home page)", path: "/", headers: accept },
    { name: "/topics", path: "/topics", headers: accept },
    { name: "topic page", path: `/topics/${topic}`, headers: accept },
    { name: "article page", path: `/articles/${newest[0]!.slug}`, headers: accept },
    { name: "/opml.xml", path: "/opml.xml", headers: accept },
    { name: "304 (/rss.xml, If-None-Match)", path: "/rss.xml", headers: { ...accept, "If-None-Match": etag } },
  ];
}

/** The topic with the most articles: its feed and page are the biggest of their kind. */
export function biggestTopic(articles: readonly Article[]): string {
  const counts = new Map<string, number>();
  for (const a of articles) for (const t of a.topics) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}
