/**
 * Authors and sources as groups of articles, beside topics: each has a page and feeds at a
 * slug made from its name (src/urls.ts). The slug is all a subscriber keeps, so it depends
 * on the name alone: the same byline, written with other case or accents, is one group.
 */
import { fingerprint } from "../text/hash";
import { slugifiesWhole, slugify } from "../text/slug";
import type { FeedScope, GroupKind } from "../urls";
import type { Snapshot } from "./store";
import type { Article, GroupCount } from "./types";

/** Longest slug made from a name before it is cut (and marked with its hash, see groupSlug). */
const MAX_SLUG = 60;

/**
 * The slug of an author's or a source's name: its URL, kept by subscribers, so it depends on
 * the name alone and two names never share one. A name slugify spells whole (every letter and
 * digit kept, only spaces and common punctuation made hyphens) in at most MAX_SLUG characters
 * is its slug (`Ana Lima`, `ANA LIMA`: `ana-lima`); any other name (with letters or symbols
 * slugify drops, `Ли Вэй (AP)`, `Əli`, `C++ Weekly`; or cut, a long byline) gets 8 hex digits of a
 * hash of the name, case folded, after what slugify keeps and a double hyphen (which slugify
 * never writes, so no name's plain slug is another's hashed one), or after the kind.
 */
export function groupSlug(kind: "author" | "source", name: string): string {
  const folded = name.normalize("NFKC").toLowerCase();
  const full = slugify(folded, Number.MAX_SAFE_INTEGER);
  if (full !== "" && full.length <= MAX_SLUG && slugifiesWhole(folded)) return full;
  const hash = fingerprint(new TextEncoder().encode(folded)).slice(0, 8);
  const kept = slugify(folded, MAX_SLUG);
  return `${kept === "" ? kind : kept}--${hash}`;
}

/** The author and source groups of an article (at most one of each). */
export function namedGroups(article: Pick<Article, "author" | "source">): { kind: "author" | "source"; slug: string; name: string }[] {
  const out: { kind: "author" | "source"; slug: string; name: string }[] = [];
  if (article.author !== null) out.push({ kind: "author", slug: groupSlug("author", article.author), name: article.author });
  if (article.source !== null) out.push({ kind: "source", slug: groupSlug("source", article.source), name: article.source });
  return out;
}

/** Every group an article is listed in: its topics, its author, its source. */
export function scopesOf(article: Pick<Article, "author" | "source" | "topics">): FeedScope[] {
  return [...article.topics.map((slug) => ({ kind: "topic" as const, slug })), ...namedGroups(article).map(({ kind, slug }) => ({ kind, slug }))];
}

/** The authors and sources of `articles` (newest first), each named as its newest article names it, in slug order. */
export function collectGroups(articles: readonly Article[]): { authors: GroupCount[]; sources: GroupCount[] } {
  const found = { author: new Map<string, GroupCount>(), source: new Map<string, GroupCount>() };
  for (const article of articles) {
    for (const { kind, slug, name } of namedGroups(article)) {
      const group = found[kind].get(slug);
      if (group === undefined) found[kind].set(slug, { slug, name, count: 1 });
      else group.count++;
    }
  }
  const sorted = (map: Map<string, GroupCount>) => [...map.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  return { authors: sorted(found.author), sources: sorted(found.source) };
}

/** The groups of one kind a snapshot knows, with their counts. */
export function groupsOf(snapshot: Snapshot, kind: GroupKind): readonly GroupCount[] {
  if (kind === "topic") return snapshot.topics.map(({ topic, count }) => ({ slug: topic.slug, name: topic.name, count }));
  return kind === "author" ? snapshot.authors : snapshot.sources;
}

/** The name and count of a scope's group, or undefined when the site has no such group (everything: undefined too). */
export function groupOf(snapshot: Snapshot, scope: FeedScope): GroupCount | undefined {
  if (scope.kind === undefined) return undefined;
  if (scope.kind === "topic") {
    const entry = snapshot.topics.find((t) => t.topic.slug === scope.slug);
    return entry === undefined ? undefined : { slug: entry.topic.slug, name: entry.topic.name, count: entry.count };
  }
  return groupsOf(snapshot, scope.kind).find((g) => g.slug === scope.slug);
}

/** What a group's feeds and page say they hold: one sentence, the same in both. */
export function groupDescription(kind: GroupKind, name: string, site: string): string {
  if (kind === "topic") return `${name}: the latest articles from ${site}.`;
  return kind === "author" ? `The latest articles by ${name} on ${site}.` : `The latest articles from ${name} on ${site}.`;
}
