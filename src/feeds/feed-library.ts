/**
 * Inputs and outputs of the `feed` package (jpmonette/feed 6.0.0, writing XML through
 * xml-js), corrected for what it gets wrong:
 * - text is un-escaped once before escaping (`&amp;` in an article would reach readers as `&`);
 * - only the first `]]>` inside a CDATA section is split, a second one ends it early;
 * - attribute values escape `"` only, so `<` and (unless the package escaped it) `&` break the XML;
 * - characters XML 1.0 forbids pass straight through;
 * - RSS item titles go in CDATA, which some parsers read as markup (feedsmith drops a title
 *   holding `<!-- -->`), where escaped text reads the same in every parser.
 * Every string handed to the package goes through one of these functions, and every
 * XML it returns through `finishXml`.
 */
import { escapeXml, stripInvalidXmlChars } from "../text/xml";
import type { FeedDocument } from "./document";

// Placeholders are characters XML forbids: stripInvalidXmlChars removes them from every
// input, so any occurrence in the output is one of ours.
const CDATA_END = "\u0001";
const ATTRIBUTE_LT = "\u0002";
const SLOT = "\u0003";

/**
 * Text the package would wrap in CDATA, written as escaped text instead: each value goes in
 * as a numbered placeholder and `fill` puts the escaped value where the package wrote the
 * placeholder's CDATA section.
 */
export function escapedTextSlots(): { slot(value: string): string; fill(xml: string): string } {
  const values: string[] = [];
  return {
    slot(value) {
      values.push(value);
      return `${SLOT}${values.length - 1}${SLOT}`;
    },
    fill(xml) {
      // The digits sit between two placeholders XML forbids: nothing from an article matches.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the placeholder is a control character so that no text can hold it
      return xml.replace(/<!\[CDATA\[\u0003(\d{1,9})\u0003\]\]>/g, (_, index: string) => escapeXml(stripInvalidXmlChars(values[Number(index)]!)));
    },
  };
}

/** For element text the package does not escape itself (titles, names, descriptions). */
export function xmlText(value: string): string {
  // xml-js turns `&amp;` back into `&` before escaping; doubling each `&` cancels that exactly.
  return stripInvalidXmlChars(value).replace(/&/g, "&amp;");
}

/** For text the package puts in CDATA: every `]]>` is split, not just the first. */
export function xmlCdata(value: string): string {
  return stripInvalidXmlChars(value).replaceAll("]]>", CDATA_END);
}

/** For attribute values the package passes through its own `&` escaping (Atom category label/term). */
export function escapedAttribute(value: string): string {
  return stripInvalidXmlChars(value).replace(/</g, ATTRIBUTE_LT);
}

/** For attribute values the package writes as given (RSS category domain). */
export function rawAttribute(value: string): string {
  return stripInvalidXmlChars(value).replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

/** For text the package escapes itself (URLs, ids, the generator): only forbidden characters go. */
export function plain(value: string): string {
  return stripInvalidXmlChars(value);
}

/** Replaces the placeholders in the package's XML output with their correct XML. */
export function finishXml(xml: string): string {
  return `${xml.replaceAll(CDATA_END, "]]]]><![CDATA[>").replaceAll(ATTRIBUTE_LT, "&lt;")}\n`;
}

/**
 * Links the package cannot write, placed after the self link that it does write: the
 * WebSub hubs (WebSub §4, `rel="hub"`), then the RFC 5005 paging links (first, next,
 * previous, last). `element` is the link element's name.
 */
export function withFeedLinks(xml: string, doc: Pick<FeedDocument, "hubs" | "pages">, element: "atom:link" | "link"): string {
  const { pages } = doc;
  const wanted: [string, string][] = doc.hubs.map((hub) => ["hub", hub]);
  if (pages !== null) for (const rel of ["first", "next", "previous", "last"] as const) if (pages[rel] !== null) wanted.push([rel, pages[rel]!]);
  if (wanted.length === 0) return xml;
  const selfLine = /^([ \t]*)<(?:atom:)?link [^\n]*rel="self"[^\n]*\/>$/m.exec(xml);
  if (selfLine === null) throw new Error("no self link to place the other links after");
  const indent = selfLine[1]!;
  const links = wanted.map(([rel, href]) => `\n${indent}<${element} rel="${rel}" href="${escapeXml(stripInvalidXmlChars(href))}"/>`).join("");
  const end = selfLine.index + selfLine[0].length;
  return `${xml.slice(0, end)}${links}${xml.slice(end)}`;
}
