import { Feed } from "feed";
import { escapeXml, stripInvalidXmlChars } from "../text/xml";
import type { FeedDocument } from "./document";
import { escapedAttribute, finishXml, plain, withFeedLinks, xmlCdata, xmlText } from "./feed-library";
import { MEDIA_RSS } from "./rss";

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
    // RFC 4287 §4.2.5 and §4.2.8: a square icon and a 2:1 logo.
    ...(doc.images === null ? {} : { favicon: plain(doc.images.atomIcon), image: plain(doc.images.atomLogo) }),
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
  return finishXml(withPictures(withFeedLinks(withLanguage(feed.atom1(), doc.language), doc, "link"), doc));
}

/**
 * Each entry's picture, which the package cannot write right (it guesses the type from the
 * extension, `image/jpg`): a `link rel="enclosure"` (RFC 4287 §4.2.7.2) and Media RSS
 * `media:content`, placed at the end of the entry. The namespace is declared when used.
 */
function withPictures(xml: string, doc: FeedDocument): string {
  if (!doc.items.some((i) => i.image !== null)) return xml;
  const entries = xml.split("</entry>");
  const out = entries.map((part, i) => {
    const image = doc.items[i]?.image;
    if (image === undefined || image === null) return part;
    const indent = /\n([ \t]*)<id>/.exec(part)?.[1] ?? "        ";
    const a = (name: string, value: string | number | null) => (value === null ? "" : ` ${name}="${escapeXml(String(value))}"`);
    const size = image.width !== null && image.height !== null ? `${a("width", image.width)}${a("height", image.height)}` : "";
    const media = [
      image.alt === "" ? "" : `<media:description type="plain">${escapeXml(stripInvalidXmlChars(image.alt))}</media:description>`,
      image.credit === null ? "" : `<media:credit>${escapeXml(stripInvalidXmlChars(image.credit))}</media:credit>`,
    ].join("");
    const link = `<link rel="enclosure"${a("type", image.type)}${a("length", image.length)} href="${escapeXml(image.url)}"/>`;
    const content = `<media:content url="${escapeXml(image.url)}" medium="image"${a("type", image.type)}${size}${a("fileSize", image.length)}>${media}</media:content>`;
    return `${part.replace(/\n?[ \t]*$/, "")}\n${indent}${link}\n${indent}${content}\n${indent.slice(4)}`;
  });
  return out.join("</entry>").replace('<feed xmlns="http://www.w3.org/2005/Atom"', `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="${MEDIA_RSS}"`);
}

/** The package has no option for the feed's language; Atom carries it as `xml:lang` on the root. */
function withLanguage(xml: string, language: string): string {
  return xml.replace('<feed xmlns="http://www.w3.org/2005/Atom">', `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(language)}">`);
}
