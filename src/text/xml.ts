/**
 * Characters XML 1.0 does not allow anywhere in a document (XML 1.0 §2.2 "Char"):
 * C0 controls other than tab, LF and CR; U+FFFE and U+FFFF; unpaired surrogates.
 * One of them anywhere makes a strict parser (libxml2, feedparser, gofeed) reject the
 * whole feed, so they are removed from everything an article contributes.
 */
const FORBIDDEN_XML_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids, matched to be removed
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes the characters that XML 1.0 forbids; everything else is kept as it is. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(FORBIDDEN_XML_CHARS, "");
}

/** Escapes text for XML/HTML element content and double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Characters that are not text: what XML forbids, plus DEL, the C1 controls and the
 * Unicode noncharacters, which HTML treats as parse errors and no reader displays.
 * Removed from articles when they are read, so every output carries the same text.
 */
const NON_TEXT_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function stripNonTextChars(text: string): string {
  return text.replace(NON_TEXT_CHARS, "");
}
