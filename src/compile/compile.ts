import { articleGuid, sha256Hex } from "../content/ids";
import type { Article, Content, Topic } from "../content/types";
import { toTimestamp } from "./dates";
import { ContentError, ContentErrors } from "./errors";
import { type ArticleDraft, parseArticle, type SourceFile } from "./parse-article";
import { slugify } from "./slug";
import { createTopicMatcher, type TopicDefinition } from "./topics";

export interface CompileOptions {
  topics: TopicDefinition[];
  /** The build's time (epoch ms): articles dated after it are held back, not published. */
  now: number;
}

/** An article dated in the future: valid, but not published until a build after its date. */
export interface HeldBack {
  file: string;
  published: string;
}

export interface CompileResult {
  content: Content;
  heldBack: HeldBack[];
}

/**
 * Compiles the files of a seeds folder into the content the worker serves. Throws
 * ContentErrors listing every file that cannot be published: nothing is dropped silently.
 */
export async function compileContent(files: SourceFile[], options: CompileOptions): Promise<CompileResult> {
  const errors: ContentError[] = [];
  const drafts: ArticleDraft[] = [];
  for (const file of [...files].sort((a, b) => compare(a.path, b.path))) {
    try {
      drafts.push(await parseArticle(file));
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      errors.push(error);
    }
  }
  errors.push(...duplicates(drafts, (d) => d.id, (id) => `files share the id "${id}" (set a distinct front matter id)`));
  errors.push(...duplicates(drafts.filter((d) => d.slug !== null), (d) => d.slug!, (s) => `files share the front matter slug "${s}"`));
  if (errors.length > 0) throw new ContentErrors(errors);

  const heldBack = drafts
    .filter((d) => d.published > options.now)
    .map((d) => ({ file: d.file, published: toTimestamp(d.published) }));
  const live = drafts.filter((d) => d.published <= options.now);
  // A published article cannot show a future update: no feed may carry a date ahead of now.
  const early = live.filter((d) => d.updated > options.now);
  if (early.length > 0) {
    throw new ContentErrors(early.map((d) => new ContentError(d.file, `updated date ${toTimestamp(d.updated)} is after this build; set it to when the change was made`)));
  }

  const topics = await resolveTopics(live, options.topics);
  const slugs = await assignSlugs(live);
  const articles: Article[] = [];
  for (const draft of live) {
    articles.push({
      id: draft.id,
      guid: await articleGuid(draft.id),
      slug: slugs.get(draft)!,
      title: draft.title,
      summary: draft.summary,
      html: draft.html,
      source: draft.source,
      author: draft.author,
      language: draft.language,
      published: toTimestamp(draft.published),
      updated: toTimestamp(draft.updated),
      topics: topics.byArticle.get(draft)!,
      file: draft.file,
    });
  }
  const guidClash = duplicates(articles, (a) => a.guid, (g) => `files share the feed id "${g}"`);
  if (guidClash.length > 0) throw new ContentErrors(guidClash);

  // Newest first; among articles of the same second, by id descending: the order D1 pages in
  // (SQLite compares text as UTF-8 bytes, which is code point order, not UTF-16 order).
  articles.sort((a, b) => compare(b.published, a.published) || compareCodePoints(b.id, a.id));
  return { content: { articles, topics: topics.list }, heldBack };
}

/**
 * Slugs are given oldest article first, so an article keeps its slug when newer ones
 * with the same headline arrive; those get a suffix derived from their own id, which
 * no later change to the folder can alter.
 */
async function assignSlugs(drafts: ArticleDraft[]): Promise<Map<ArticleDraft, string>> {
  const taken = new Set(drafts.flatMap((d) => (d.slug ? [d.slug] : [])));
  const slugs = new Map<ArticleDraft, string>();
  const oldestFirst = [...drafts].sort((a, b) => a.published - b.published || compare(a.id, b.id));
  for (const draft of oldestFirst) {
    if (draft.slug) {
      slugs.set(draft, draft.slug);
      continue;
    }
    const suffix = (await sha256Hex(`slug:${draft.id}`)).slice(0, 8);
    const base = slugify(draft.title) || `article-${suffix}`;
    let slug = taken.has(base) ? `${base}-${suffix}` : base;
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${suffix}-${n}`;
    taken.add(slug);
    slugs.set(draft, slug);
  }
  return slugs;
}

/** Topics of the topic file, matched automatically, plus those front matter names. */
async function resolveTopics(drafts: ArticleDraft[], definitions: TopicDefinition[]) {
  const list: Topic[] = definitions.map(({ slug, name }) => ({ slug, name }));
  const known = new Map<string, Topic>();
  for (const topic of list) {
    known.set(topic.slug, topic);
    known.set(topic.name.toLowerCase(), topic);
  }
  const extra: Topic[] = [];
  const matcher = createTopicMatcher(definitions);
  const byArticle = new Map<ArticleDraft, string[]>();
  for (const draft of drafts) {
    const slugs = new Set(matcher(draft.title, draft.text));
    for (const name of draft.topics) {
      let topic = known.get(name.toLowerCase()) ?? known.get(slugify(name));
      if (!topic) {
        topic = { slug: slugify(name) || `topic-${(await sha256Hex(`topic:${name}`)).slice(0, 8)}`, name };
        extra.push(topic);
        known.set(topic.slug, topic);
        known.set(name.toLowerCase(), topic);
      }
      slugs.add(topic.slug);
    }
    byArticle.set(draft, [...slugs]);
  }
  extra.sort((a, b) => compare(a.slug, b.slug));
  const all = [...list, ...extra];
  const order = new Map(all.map((t, i) => [t.slug, i]));
  for (const [draft, slugs] of byArticle) byArticle.set(draft, slugs.sort((a, b) => order.get(a)! - order.get(b)!));
  return { list: all, byArticle };
}

function duplicates<T>(items: T[], key: (item: T) => string, reason: (key: string) => string): ContentError[] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups]
    .filter(([, group]) => group.length > 1)
    .map(([k, group]) => new ContentError(group.map((g) => (g as { file: string }).file), reason(k)));
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code point order, which is UTF-8 byte order: what SQLite's BINARY collation sorts by. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return Math.sign(a.length - b.length);
}
