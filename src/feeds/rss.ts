import { Feed } from "feed";
import { escapeXml, stripInvalidXmlChars } from "../text/xml";
import type { FeedDocument } from "./document";
import { escapedTextSlots, finishXml, plain, rawAttribute, withFeedLinks, xmlCdata, xmlText } from "./feed-library";
import { SYNDICATION } from "./polling";

/**
 * RSS 2.0 with the Atom self link, `content:encoded` for the full text and `dc:creator`
 * for names (RSS `<author>` must be an e-mail address). Item descriptions are HTML, so
 * the plain-text lead is escaped before it goes in; item titles are plain text, written
 * escaped rather than in the package's CDATA.
 */
export function renderRss(doc: FeedDocument): string {
  const feed = new Feed({
    title: xmlText(doc.title),
    description: xmlText(doc.description),
    link: plain(doc.homeUrl),
    id: plain(doc.id),
    language: xmlText(doc.language),
    updated: new Date(doc.updated),
    ttl: doc.polling.ttlMinutes,
    generator: false,
    feedLinks: { rss: plain(doc.selfUrl) },
  });
  const titles = escapedTextSlots();
  for (const item of doc.items) {
    feed.addItem({
      title: titles.slot(item.title),
      link: plain(item.url),
      guid: xmlText(item.guid),
      date: new Date(item.updated),
      published: new Date(item.published),
      description: xmlCdata(escapeXml(item.summary)),
      content: xmlCdata(item.html),
      category: item.categories.map((c) => ({ name: xmlText(c.name), domain: rawAttribute(doc.topicsUrl) })),
      // An enclosure needs the exact length in bytes: known for the site's own images only.
      ...(item.image?.length != null && item.image.type !== null
        ? { enclosure: { url: plain(item.image.url), type: rawAttribute(item.image.type), length: item.image.length } }
        : {}),
      extensions: [...creators(item.creators), ...mediaRss(item.image)],
    });
  }
  const xml = withPollingAndImage(withFeedLinks(titles.fill(feed.rss2()), doc, "atom:link"), doc);
  return finishXml(doc.items.some((i) => i.image !== null) ? xml.replace("<rss ", `<rss xmlns:media="${MEDIA_RSS}" `) : xml);
}

/**
 * `sy:updatePeriod` and `sy:updateFrequency` after `<ttl>`, which say the same (src/feeds/polling.ts),
 * and the site's logo as `<image>`: its title and link those of the channel, as RSS 2.0 has
 * it, and its size, since a reader assumes 88 × 31 without one (the package writes neither).
 */
function withPollingAndImage(xml: string, doc: FeedDocument): string {
  const ttl = /^([ \t]*)<ttl>[0-9]+<\/ttl>$/m.exec(xml);
  if (ttl === null) throw new Error("no <ttl> to place the syndication hints after");
  const indent = ttl[1]!;
  let hints = `\n${indent}<sy:updatePeriod>${doc.polling.period}</sy:updatePeriod>\n${indent}<sy:updateFrequency>${doc.polling.frequency}</sy:updateFrequency>`;
  if (doc.images !== null) {
    const { url, width, height } = doc.images.rss;
    // The package indents each level by 4 spaces.
    const inner = `${indent}    `;
    hints += [
      `\n${indent}<image>`,
      `${inner}<url>${escapeXml(stripInvalidXmlChars(url))}</url>`,
      `${inner}<title>${escapeXml(stripInvalidXmlChars(doc.title))}</title>`,
      `${inner}<link>${escapeXml(stripInvalidXmlChars(doc.homeUrl))}</link>`,
      `${inner}<width>${width}</width>`,
      `${inner}<height>${height}</height>`,
      `${indent}</image>`,
    ].join("\n");
  }
  const end = ttl.index + ttl[0].length;
  return `${xml.slice(0, end)}${hints}${xml.slice(end)}`.replace("<rss ", `<rss xmlns:sy="${SYNDICATION}" `);
}

/** The Media RSS namespace (https://www.rssboard.org/media-rss), which the big readers take pictures from. */
export const MEDIA_RSS = "http://search.yahoo.com/mrss/";

/** `media:content` for the picture, with its alt text as `media:description` and its credit as `media:credit`. */
function mediaRss(image: FeedDocument["items"][number]["image"]) {
  if (image === null) return [];
  const attributes: Record<string, string | number> = { url: rawAttribute(image.url), medium: "image" };
  if (image.type !== null) attributes.type = rawAttribute(image.type);
  if (image.width !== null && image.height !== null) Object.assign(attributes, { width: image.width, height: image.height });
  if (image.length !== null) attributes.fileSize = image.length;
  const content: Record<string, unknown> = { _attributes: attributes };
  if (image.alt !== "") content["media:description"] = { _attributes: { type: "plain" }, _text: xmlText(image.alt) };
  if (image.credit !== null) content["media:credit"] = { _text: xmlText(image.credit) };
  return [{ name: "media:content", objects: content }];
}

/** One `dc:creator` per name: xml-js writes an array as repeated elements. */
function creators(names: string[]) {
  if (names.length === 0) return [];
  const objects = names.map((name) => ({ _text: xmlText(name) }));
  return [{ name: "dc:creator", objects: objects as unknown as Record<string, unknown> }];
}
