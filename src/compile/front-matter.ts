import { isCollection, isMap, isPair, isScalar, parseDocument } from "yaml";
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
 * Limits that keep the YAML parser's work proportional to what an article can mean. Front
 * matter holds at most sixteen keys whose values are text or one list of topics, so they
 * refuse nothing an article needs: the size before the parser sees the text, the rest on
 * the parsed document before it is turned into values.
 */
const FRONT_MATTER_LIMITS = {
  /** Bytes of YAML between the `---` lines. */
  bytes: 64 * 1024,
  /** Keys of the mapping. */
  keys: 100,
  /** Levels of nesting of mappings and lists. */
  depth: 8,
  /** Aliases (`*name`) expanded: front matter has no use for them. */
  aliases: 20,
} as const;

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
  const over = overLimit(yaml);
  if (over !== null) return { error: over };

  // Keys are checked for uniqueness below, in one pass: the parser's own check compares every key with every other.
  const doc = parseDocument(yaml, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return { error: `front matter is not valid YAML: ${oneLine(doc.errors[0]!.message)}` };
  }
  if (depthOf(doc.contents) > FRONT_MATTER_LIMITS.depth) {
    return { error: `front matter nests deeper than ${FRONT_MATTER_LIMITS.depth} levels (its values are text and one list of topics)` };
  }
  if (isMap(doc.contents)) {
    if (doc.contents.items.length > FRONT_MATTER_LIMITS.keys) return { error: `front matter has more than ${FRONT_MATTER_LIMITS.keys} keys` };
    const seen = new Set<unknown>();
    for (const { key } of doc.contents.items) {
      const name = isScalar(key) ? key.value : key;
      if (seen.has(name)) return { error: `front matter is not valid YAML: Map keys must be unique ("${String(name)}" is repeated)` };
      seen.add(name);
    }
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: FRONT_MATTER_LIMITS.aliases });
  } catch {
    // The one way toJS fails on a document that parsed: aliases that expand past the limit.
    return { error: `front matter expands YAML aliases past ${FRONT_MATTER_LIMITS.aliases} (front matter has no use for them)` };
  }
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
    // An id is taken as written: the id rule refuses what cleaning would quietly change.
    const text = key === "id" ? String(value) : clean(String(value));
    if (text !== "") frontMatter[key as (typeof STRING_KEYS)[number]] = text;
  }
  return { frontMatter, body };
}

/** Why `yaml` is larger than front matter may be, or null. */
function overLimit(yaml: string): string | null {
  if (yaml.length > FRONT_MATTER_LIMITS.bytes || new TextEncoder().encode(yaml).length > FRONT_MATTER_LIMITS.bytes) {
    return `front matter is larger than ${FRONT_MATTER_LIMITS.bytes / 1024} KiB`;
  }
  return null;
}

/** How deep the parsed document nests (a scalar is 0, a mapping of scalars 1), walked without recursion. */
function depthOf(root: unknown): number {
  let deepest = 0;
  const stack: [node: unknown, depth: number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isCollection(node)) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > FRONT_MATTER_LIMITS.depth) return deepest;
    for (const item of node.items) {
      if (isPair(item)) stack.push([item.key, depth + 1], [item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return deepest;
}

/** YAML escapes ("\u0001", "\ud800") can spell characters the file itself may not hold. */
function clean(value: string): string {
  return normalizeSpace(stripNonTextChars(value));
}

function oneLine(message: string): string {
  return message.split("\n")[0]!.trim();
}
