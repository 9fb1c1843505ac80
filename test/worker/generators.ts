/**
 * fast-check generators of hard article text: any Unicode (astral, combining marks,
 * right-to-left, every control character), markup, CDATA terminators, entity-like text,
 * long lines. Each article comes with the title and paragraphs a reader must get back.
 */
import fc from "fast-check";
import { normalizeSpace } from "../../src/text/space";
import { stripNonTextChars } from "../../src/text/xml";

const CONTROLS = [...Array(32).keys()].filter((c) => c !== 0 && c !== 10 && c !== 13).map((c) => String.fromCharCode(c));

const HARD_PIECES = [
  "]]>",
  "]]]]>",
  "<![CDATA[",
  "&amp;",
  "&lt;b&gt;",
  "&#x26;",
  "&#0;",
  "&nbsp;",
  "&bogus;",
  "&",
  "<",
  ">",
  '"',
  "'",
  "<script>alert(1)</script>",
  "</p>",
  "<img src=x onerror=alert(1)>",
  "javascript:alert(1)",
  "--",
  "<!--",
  "\u202e",
  "\u2067",
  "\u200f",
  "\u0645\u0631\u062d\u0628\u0627",
  "\u05e9\u05dc\u05d5\u05dd",
  "e\u0301",
  "Z\u0351\u0308\u0334",
  "\u{1F600}",
  "\u{1D54F}",
  "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}",
  "\u{20000}",
  "\u00a0",
  "\u3000",
  "\u2028",
  "\x7f",
  "\x85",
  "\u009f",
  "\ufffe",
  "\uffff",
  "\ufdd0",
  "\u{1FFFE}",
  "\ufeff",
  "\t",
];

/** A run of text with no line break: the material of headlines and paragraphs. */
const run = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
      { weight: 3, arbitrary: fc.constantFrom(...HARD_PIECES) },
      { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...CONTROLS), maxLength: 3 }) },
      { weight: 2, arbitrary: fc.constantFrom("word", "Oil", "the", "US", "sanctions", " ", "  ") },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 200, maxLength: 2000 }) },
    ),
    { minLength: 1, maxLength: 10 },
  )
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of the characters a front matter value cannot hold
  .map((parts) => parts.join("").replace(/[\r\n\u0000]/g, " "));

/** What a reader gets for a run of text: non-text characters gone, whitespace collapsed. */
function expectedText(raw: string): string {
  return normalizeSpace(stripNonTextChars(new TextDecoder().decode(new TextEncoder().encode(raw))));
}

const AGENCY_LIKE = /\[[^\]]*\]\s*$/;
const BOILERPLATE_LIKE = /^(?:subscribe to|enter your|by signing up|sign up for)/i;

export interface GeneratedArticle {
  text: string;
  title: string;
  paragraphs: string[];
}

/** A plain-text article in the seed format, with what the feeds must say about it. */
export const article: fc.Arbitrary<GeneratedArticle> = fc
  .record({ headline: run, paragraphs: fc.array(run, { minLength: 1, maxLength: 5 }) })
  .map(({ headline, paragraphs }) => ({
    text: `${headline}\n\n${paragraphs.join("\n\n")}\n`,
    title: expectedText(headline),
    paragraphs: paragraphs.map(expectedText).filter((p) => p !== ""),
  }))
  .filter(
    (a) =>
      a.title !== "" &&
      !/^-{3}/.test(a.title) &&
      a.paragraphs.length > 0 &&
      a.paragraphs[0]!.toLowerCase() !== a.title.toLowerCase() &&
      !AGENCY_LIKE.test(a.paragraphs.at(-1)!) &&
      !BOILERPLATE_LIKE.test(a.paragraphs.at(-1)!),
  );

/** Front matter values as YAML double-quoted strings: escapes can spell any code point. */
const frontMatterValue = run.map((raw) => ({ yaml: JSON.stringify(raw), expected: expectedText(raw) }));

/** An article whose title, author, source, summary and topics come from front matter. */
export const frontMatterArticle = fc
  .record({
    title: frontMatterValue,
    author: frontMatterValue,
    source: frontMatterValue,
    summary: frontMatterValue,
    topics: fc.array(frontMatterValue, { maxLength: 3 }),
    body: run,
  })
  .filter((a) => a.title.expected !== "" && expectedText(a.body) !== "" && expectedText(a.body).toLowerCase() !== a.title.expected.toLowerCase())
  .map((a) => ({
    ...a,
    text: [
      "---",
      `title: ${a.title.yaml}`,
      `author: ${a.author.yaml}`,
      `source: ${a.source.yaml}`,
      `summary: ${a.summary.yaml}`,
      `topics: [${a.topics.map((t) => t.yaml).join(", ")}]`,
      "---",
      a.body,
      "",
    ].join("\n"),
  }));
