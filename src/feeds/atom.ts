import { Feed } from "feed";
import { escapeXml } from "../text/xml";
import type { FeedDocument } from "./document";
import { escapedAttribute, finishXml, plain, withPagingLinks, xmlCdata, xmlText } from "./feed-library";

/**
 * Atom 1.0 (RFC 4287). The package marks titles and summaries `type="html"`, so plain
 * text is escaped once into HTML before it goes in; the feed names the site as author
 * because §4.1.1 requires an author for every entry that has none of its own.
 */
export function renderAtom(doc: FeedDocument): string {
  const feed = new Feed({
    id: xmlText(doc.id),
    title: xmlText(doc.title),
    description: xmlText(doc.description),
    link: plain(doc.homeUrl),
    updated: new Date(doc.updated),
    generator: false,
    author: { name: xmlText(doc.publisher) },
    feedLinks: { atom: plain(doc.selfUrl) },
  });
  for (const item of doc.items) {
    feed.addItem({
      title: xmlCdata(escapeXml(item.title)),
      id: plain(item.guid),
      link: plain(item.url),
      date: new Date(item.updated),
      published: new Date(item.published),
      description: xmlCdata(escapeXml(item.summary)),
      content: xmlCdata(item.html),
      author: item.creators.map((name) => ({ name: xmlText(name) })),
      category: item.categories.map((c) => ({
        term: escapedAttribute(c.slug),
        name: escapedAttribute(c.name),
        scheme: plain(doc.topicsUrl),
      })),
    });
  }
  return finishXml(withPagingLinks(withLanguage(feed.atom1(), doc.language), doc.pages, "link"));
}

/** The package has no option for the feed's language; Atom carries it as `xml:lang` on the root. */
function withLanguage(xml: string, language: string): string {
  return xml.replace('<feed xmlns="http://www.w3.org/2005/Atom">', `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(language)}">`);
}
