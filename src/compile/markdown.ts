import { Marked, type Token, type Tokens } from "marked";
import { normalizeSpace } from "../text/space";
import { escapeXml } from "../text/xml";

/** URL schemes an article may link to; anything else (javascript:, data:, relative paths) stays text. */
function isSafeUrl(href: string): boolean {
  return /^(?:https?:\/\/[^\s]+|mailto:[^\s]+)$/i.test(href);
}

/** How the article being rendered resolves the images its Markdown names (src/compile/images.ts). */
export interface MarkdownImages {
  /** The published src, and size when known, of an image reference; throws with the reason when it cannot be published. */
  resolve(href: string): { src: string; width: number | null; height: number | null };
  /** Every image met, in order, with its alt text. */
  found: { href: string; alt: string }[];
}

/** The image context of the parse under way (marked renders synchronously, one document at a time). */
let images: MarkdownImages | null = null;

/**
 * Markdown with no way for an article to inject markup: raw HTML is shown as text,
 * links only for http(s) and mailto URLs, images only as the article's image rules allow
 * (https: URLs and files of the folder), and headings start at <h2> because the page's
 * <h1> is the headline.
 */
const markdown = new Marked({
  gfm: true,
  async: false,
  // GFM's bare e-mail and www. autolinks are off: marked finds them by scanning ahead from
  // every character of a word, which takes time quadratic in a long word before an `@`.
  // Bare http(s) URLs, <…> autolinks and [links](…) still link.
  tokenizer: {
    url(src) {
      // false: marked's own rule takes it; undefined: not a link.
      return /^https?:\/\//i.test(src) ? false : undefined;
    },
  },
  extensions: [
    {
      // Never matches: its start() cuts a word longer than TEXT_WINDOW into pieces for
      // marked's plain-text rule (see textWindow).
      name: "bounded-text",
      level: "inline",
      start: textWindow,
      tokenizer: () => undefined,
    },
  ],
  renderer: {
    html(token) {
      // Raw HTML is shown as the text it is; an HTML block becomes a paragraph of it.
      const text = escapeXml(token.text.trim());
      return "block" in token && token.block ? `<p>${text}</p>\n` : escapeXml(token.text);
    },
    heading({ tokens, depth }) {
      const level = Math.min(depth + 1, 6);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
    link({ href, title, tokens }) {
      const inner = this.parser.parseInline(tokens);
      if (!isSafeUrl(href)) return inner;
      const titleAttr = title ? ` title="${escapeXml(title)}"` : "";
      return `<a href="${escapeXml(href)}"${titleAttr}>${inner}</a>`;
    },
    image({ href, title, text }) {
      if (images === null || /^(?:mailto|javascript|data):/i.test(href)) return escapeXml(text);
      const { src, width, height } = images.resolve(href);
      images.found.push({ href, alt: text });
      const titleAttr = title ? ` title="${escapeXml(title)}"` : "";
      const size = width !== null && height !== null ? ` width="${width}" height="${height}"` : "";
      return `<img src="${escapeXml(src)}" alt="${escapeXml(text)}"${size}${titleAttr}>`;
    },
  },
});

/** Deepest nesting of block quotes and of lists an article may use: marked parses nesting recursively. */
const MARKDOWN_MAX_DEPTH = 16;

/**
 * Most lines and markup characters (MARKUP) a Markdown article may hold together. marked's
 * time is linear in the tokens it makes, but a token costs microseconds: a list item, a table
 * row or a heading about 10 µs, an emphasis mark or a bracket 2 to 4 µs, where prose costs
 * about 0.2 µs a character. At this bound the densest Markdown costs less than the text it
 * sits in: a 1 MiB body compiles within 3× the time of 1 MiB of plain paragraphs
 * (BENCHMARKS.md, "Hostile input"). A long news article uses a few thousand; 1 MiB of
 * 50-character lines, about 21,000.
 */
export const MARKDOWN_MAX_MARKUP = 25_000;

/** The characters that make marked try an inline rule, each a token of its own when it fails. */
const MARKUP = new Set("*_[]<>`~\\&!|".split("").map((c) => c.charCodeAt(0)));

/**
 * Why the Markdown is beyond what the build parses, or null: a line opening more quotes than
 * MARKDOWN_MAX_DEPTH (`>>>…`), a list item indented so far that it would sit deeper (each
 * level indents at least two columns), or more lines and markup characters than
 * MARKDOWN_MAX_MARKUP. One pass over the text, before marked sees it.
 */
export function markdownProblem(text: string): string | null {
  let markup = 0;
  for (let i = 0; i < text.length; i++) if (MARKUP.has(text.charCodeAt(i))) markup++;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let end = text.indexOf("\n", lineStart);
    if (end === -1) end = text.length;
    markup++;
    let quotes = 0;
    let column = 0;
    let i = lineStart;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 62 /* > */) quotes++;
      else if (c === 32) column++;
      else if (c === 9) column += 4 - (column % 4);
      else break;
    }
    if (quotes > MARKDOWN_MAX_DEPTH) return `Markdown nests block quotes deeper than ${MARKDOWN_MAX_DEPTH} levels`;
    const marker = text[i];
    const listItem = marker === "-" || marker === "*" || marker === "+" || (marker !== undefined && marker >= "0" && marker <= "9");
    if (quotes === 0 && listItem && column >= 2 * MARKDOWN_MAX_DEPTH) {
      return `Markdown nests lists deeper than ${MARKDOWN_MAX_DEPTH} levels (a list item indented ${column} columns)`;
    }
    lineStart = end + 1;
  }
  if (markup > MARKDOWN_MAX_MARKUP) {
    return `Markdown has more than ${MARKDOWN_MAX_MARKUP.toLocaleString("en-US")} lines and markup characters (* _ [ ] < > \` ~ \\ & ! |) together (${markup.toLocaleString("en-US")}): split the article`;
  }
  return null;
}

/** Longest word marked's plain-text rule is given whole: a longer one is handed over in pieces this long. */
const TEXT_WINDOW = 128;

/**
 * Where the stretch of inline text starting at this word must end: nowhere (undefined)
 * when a space comes within TEXT_WINDOW characters, as in any prose; otherwise after
 * TEXT_WINDOW characters, so that marked's look-ahead for an address before an `@` scans a
 * bounded stretch from each character of a long word, not the rest of the word.
 */
function textWindow(src: string): number | undefined {
  const end = Math.min(src.length, TEXT_WINDOW);
  for (let i = 0; i < end; i++) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9) return undefined;
  }
  return end === TEXT_WINDOW ? end : undefined;
}

/** Renders Markdown blocks to safe HTML; images are resolved by `context` (none without one: shown as their alt text). */
export function markdownToHtml(blocks: string[], context: MarkdownImages | null = null): string {
  images = context;
  try {
    return (markdown.parse(blocks.join("\n\n")) as string).trim();
  } finally {
    images = null;
  }
}

/** The plain text of a Markdown block, markup removed: used for the lead. */
export function markdownToPlainText(block: string): string {
  return normalizeSpace(plainText(markdown.lexer(block)));
}

function plainText(tokens: Token[]): string {
  return tokens
    .map((token) => {
      if ("tokens" in token && Array.isArray(token.tokens) && token.tokens.length > 0) {
        return plainText(token.tokens);
      }
      if (token.type === "list") return plainText((token as Tokens.List).items);
      if (token.type === "br" || token.type === "space") return " ";
      return "text" in token && typeof token.text === "string" ? token.text : "";
    })
    .join("");
}

/** Paragraph blocks of plain text as HTML: every character escaped, line breaks inside a paragraph joined. */
export function textToHtml(blocks: string[]): string {
  return blocks.map((block) => `<p>${escapeXml(normalizeSpace(block))}</p>`).join("\n");
}
