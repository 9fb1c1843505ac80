import { parseDocument } from "yaml";
import { normalizeSpace } from "../text/space";
import { stripNonTextChars } from "../text/xml";

/** The front matter keys an article may set; anything else is a typo and stops the build. */
export interface FrontMatter {
  title?: string;
  date?: string;
  updated?: string;
  topics?: string[];
  author?: string;
  source?: string;
  summary?: string;
  slug?: string;
  id?: string;
  language?: string;
  image?: string;
  image_alt?: string;
  image_caption?: string;
  image_credit?: string;
  image_width?: string;
  image_height?: string;
}

const STRING_KEYS = [
  "title",
  "date",
  "updated",
  "author",
  "source",
  "summary",
  "slug",
  "id",
  "language",
  "image",
  "image_alt",
  "image_caption",
  "image_credit",
  "image_width",
  "image_height",
] as const;
const KNOWN_KEYS = new Set<string>([...STRING_KEYS, "topics"]);

export type FrontMatterResult = { frontMatter: FrontMatter; body: string } | { error: string };

/**
 * Splits optional YAML front matter (`---` … `---` at the very top) from the body.
 * Dates stay strings: the YAML 1.2 core schema has no timestamp type, so
 * `date: 2020-12-30` arrives exactly as written and is parsed strictly later.
 */
export function splitFrontMatter(text: string): FrontMatterResult {
  if (!/^---[ \t]*\n/.test(text)) return { frontMatter: {}, body: text };
  const close = /^(?:---|\.\.\.)[ \t]*$/m;
  const rest = text.slice(text.indexOf("\n") + 1);
  const end = close.exec(rest);
  if (!end) return { error: "front matter is not closed (no line with --- after the opening ---)" };
  const yaml = rest.slice(0, end.index);
  const body = rest.slice(end.index + end[0].length).replace(/^\n/, "");

  const doc = parseDocument(yaml, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { error: `front matter is not valid YAML: ${oneLine(doc.errors[0]!.message)}` };
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return { frontMatter: {}, body };
  if (typeof data !== "object" || Array.isArray(data)) {
    return { error: "front matter must be a mapping of keys to values" };
  }

  const frontMatter: FrontMatter = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (!KNOWN_KEYS.has(key)) {
      return { error: `unknown front matter key "${key}" (known: ${[...KNOWN_KEYS].join(", ")})` };
    }
    if (value === null || value === undefined) continue;
    if (key === "topics") {
      const list = typeof value === "string" ? [value] : value;
      if (!Array.isArray(list) || !list.every((t) => typeof t === "string" || typeof t === "number")) {
        return { error: "front matter topics must be a list of names" };
      }
      frontMatter.topics = list.map((t) => clean(String(t))).filter((t) => t !== "");
      continue;
    }
    if (typeof value !== "string" && typeof value !== "number") {
      return { error: `front matter ${key} must be text, not ${Array.isArray(value) ? "a list" : typeof value}` };
    }
    const text = clean(String(value));
    if (text !== "") frontMatter[key as (typeof STRING_KEYS)[number]] = text;
  }
  return { frontMatter, body };
}

/** YAML escapes ("\u0001", "\ud800") can spell characters the file itself may not hold. */
function clean(value: string): string {
  return normalizeSpace(stripNonTextChars(value));
}

function oneLine(message: string): string {
  return message.split("\n")[0]!.trim();
}
