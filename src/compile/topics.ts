import { parse } from "yaml";
import { SLUG_PATTERN } from "../text/slug";

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

/** Words in any script: letters, digits and the marks that combine with them. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

function words(text: string): string[] {
  return text.match(WORD) ?? [];
}

interface Term {
  topic: number;
  /** The term's words, as written (acronyms) or lowercased. */
  words: string[];
  exact: boolean;
}

/** Slugs of the topics an article belongs to, in topic file order. */
export type TopicMatcher = (headline: string, text: string) => string[];

/**
 * An article is in a topic when one of the topic's terms appears in its headline, or
 * terms of the topic appear at least `minMentions` times in the whole story: a single
 * passing mention deep in the text does not make an article "about" something.
 *
 * Terms match whole words: the text is split into words once, and each word is looked up
 * in an index of the terms' first words, so matching costs one pass over the text however
 * many topics there are.
 */
export function createTopicMatcher(topics: TopicDefinition[], minMentions = 2): TopicMatcher {
  const index = new Map<string, Term[]>();
  topics.forEach((topic, t) => {
    for (const term of topic.match) {
      const exact = isAcronym(term);
      const termWords = words(exact ? term : term.toLowerCase());
      if (termWords.length === 0) continue;
      const key = termWords[0]!.toLowerCase();
      index.set(key, [...(index.get(key) ?? []), { topic: t, words: termWords, exact }]);
    }
  });
  for (const terms of index.values()) terms.sort((a, b) => b.words.length - a.words.length);

  /** Mentions of each topic in `text`; overlapping terms of one topic count once. */
  const count = (text: string): number[] => {
    const raw = words(text);
    const lower = raw.map((w) => w.toLowerCase());
    const mentions = new Array<number>(topics.length).fill(0);
    const nextFree = new Array<number>(topics.length).fill(0);
    for (let i = 0; i < raw.length; i++) {
      const candidates = index.get(lower[i]!);
      if (candidates === undefined) continue;
      for (const term of candidates) {
        if (i < nextFree[term.topic]!) continue;
        const source = term.exact ? raw : lower;
        if (term.words.every((w, k) => source[i + k] === w)) {
          mentions[term.topic]!++;
          nextFree[term.topic] = i + term.words.length;
        }
      }
    }
    return mentions;
  };

  return (headline, text) => {
    const inHeadline = count(headline);
    const inStory = count(text);
    return topics.filter((_, t) => inHeadline[t]! > 0 || inHeadline[t]! + inStory[t]! >= minMentions).map((topic) => topic.slug);
  };
}
