import { parse } from "yaml";
import { SLUG_PATTERN } from "./slug";

/** One entry of the topic file. */
export interface TopicDefinition {
  slug: string;
  name: string;
  /** Words or phrases that put an article in the topic (aliases: "US", "United States", "Washington"). */
  match: string[];
}

/** Validates the topic file; throws an Error with a one-line reason. */
export function parseTopicFile(yamlText: string): TopicDefinition[] {
  let data: unknown;
  try {
    data = parse(yamlText);
  } catch (error) {
    throw new Error(`not valid YAML: ${String((error as Error).message).split("\n")[0]}`);
  }
  if (!Array.isArray(data)) throw new Error("must be a list of topics (slug, name, match)");
  const seen = new Set<string>();
  return data.map((entry: unknown, index) => {
    const where = `topic #${index + 1}`;
    if (typeof entry !== "object" || entry === null) throw new Error(`${where} must be a mapping`);
    const { slug, name, match, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new Error(`${where} has unknown key "${extra[0]}" (known: slug, name, match)`);
    if (typeof slug !== "string" || !SLUG_PATTERN.test(slug)) {
      throw new Error(`${where}: slug must be lowercase ASCII kebab-case, got ${JSON.stringify(slug)}`);
    }
    if (seen.has(slug)) throw new Error(`${where}: slug "${slug}" is used twice`);
    seen.add(slug);
    if (typeof name !== "string" || name.trim() === "") throw new Error(`topic "${slug}": name must be text`);
    if (!Array.isArray(match) || match.length === 0 || !match.every((m) => typeof m === "string" && m.trim() !== "")) {
      throw new Error(`topic "${slug}": match must be a non-empty list of words or phrases`);
    }
    return { slug, name: name.trim(), match: match.map((m: string) => m.trim()) };
  });
}

/**
 * Terms written in capitals, like "US", "UN" or "NATO", are acronyms: matched with their
 * case, or "US" would match the pronoun "us". Every other term ignores case.
 */
function isAcronym(term: string): boolean {
  return /^[A-Z][A-Z0-9.]{1,5}$/.test(term);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whole-word alternation: a term neither starts nor ends inside a word, in any script. */
function wordsPattern(terms: string[], flags: string): RegExp | null {
  if (terms.length === 0) return null;
  const alternatives = terms
    .sort((a, b) => b.length - a.length)
    .map((t) => escapeRegExp(t).replace(/\s+/g, "\\s+"))
    .join("|");
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, `gu${flags}`);
}

export interface TopicMatcher {
  /** Slugs of the topics an article belongs to, in topic file order. */
  (headline: string, text: string): string[];
}

/**
 * An article is in a topic when one of the topic's terms appears in its headline, or
 * terms of the topic appear at least `minMentions` times in the whole story: a single
 * passing mention deep in the text does not make an article "about" something.
 */
export function createTopicMatcher(topics: TopicDefinition[], minMentions = 2): TopicMatcher {
  const compiled = topics.map((topic) => ({
    slug: topic.slug,
    patterns: [
      wordsPattern(topic.match.filter(isAcronym), ""),
      wordsPattern(topic.match.filter((t) => !isAcronym(t)), "i"),
    ].filter((p): p is RegExp => p !== null),
  }));
  return (headline, text) =>
    compiled
      .filter(({ patterns }) => {
        if (patterns.some((p) => countMatches(p, headline) > 0)) return true;
        const mentions = patterns.reduce((sum, p) => sum + countMatches(p, `${headline}\n${text}`), 0);
        return mentions >= minMentions;
      })
      .map(({ slug }) => slug);
}

function countMatches(pattern: RegExp, text: string): number {
  pattern.lastIndex = 0;
  let count = 0;
  while (pattern.exec(text) !== null) count++;
  return count;
}
