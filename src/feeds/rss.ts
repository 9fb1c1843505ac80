import { Feed } from "feed";
import { escapeXml } from "../text/xml";
import type { FeedDocument } from "./document";
import { finishXml, plain, rawAttribute, withPagingLinks, xmlCdata, xmlText } from "./feed-library";

/**
 * RSS 2.0 with the Atom self link, `content:encoded` for the full text and `dc:creator`
 * for names (RSS `<author>` must be an e-mail address). Item descriptions are HTML, so
 * the plain-text lead is escaped before it goes in.
 */
export function renderRss(doc: FeedDocument): string {
  const feed = new Feed({
    title: xmlText(doc.title),
    description: xmlText(doc.description),
    link: plain(doc.homeUrl),
    id: plain(doc.id),
    language: xmlText(doc.language),
    updated: new Date(doc.updated),
    generator: false,
    feedLinks: { rss: plain(doc.selfUrl) },
  });
  for (const item of doc.items) {
    feed.addItem({
      title: xmlCdata(item.title),
      link: plain(item.url),
      guid: xmlText(item.guid),
      date: new Date(item.updated),
      published: new Date(item.published),
      description: xmlCdata(escapeXml(item.summary)),
      content: xmlCdata(item.html),
      category: item.categories.map((c) => ({ name: xmlText(c.name), domain: rawAttribute(doc.topicsUrl) })),
      extensions: creators(item.creators),
    });
  }
  return finishXml(withPagingLinks(feed.rss2(), doc.pages, "atom:link"));
}

/** One `dc:creator` per name: xml-js writes an array as repeated elements. */
function creators(names: string[]) {
  if (names.length === 0) return [];
  const objects = names.map((name) => ({ _text: xmlText(name) }));
  return [{ name: "dc:creator", objects: objects as unknown as Record<string, unknown> }];
}
