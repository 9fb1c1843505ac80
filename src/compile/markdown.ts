import { Marked, type Token, type Tokens } from "marked";
import { escapeXml } from "../text/xml";
import { normalizeSpace } from "../text/space";

/** URL schemes an article may link to; anything else (javascript:, data:, relative paths) stays text. */
function isSafeUrl(href: string): boolean {
  return /^(?:https?:\/\/[^\s]+|mailto:[^\s]+)$/i.test(href);
}

/**
 * Markdown with no way for an article to inject markup: raw HTML is shown as text,
 * links and images only for http(s) and mailto URLs, and headings start at <h2>
 * because the page's <h1> is the headline.
 */
const markdown = new Marked({
  gfm: true,
  async: false,
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
      if (!isSafeUrl(href) || href.startsWith("mailto:")) return escapeXml(text);
      const titleAttr = title ? ` title="${escapeXml(title)}"` : "";
      return `<img src="${escapeXml(href)}" alt="${escapeXml(text)}"${titleAttr}>`;
    },
  },
});

/** Renders Markdown blocks to safe HTML. */
export function markdownToHtml(blocks: string[]): string {
  return (markdown.parse(blocks.join("\n\n")) as string).trim();
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
