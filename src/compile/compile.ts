import { articleGuid } from "../content/ids";
import type { Article, Content, Topic } from "../content/types";
import { sha256Hex } from "../text/hash";
import { slugify } from "../text/slug";
import { toTimestamp } from "./dates";
import { ContentError, ContentErrors } from "./errors";
import type { FolderImages, LocalImage } from "./images";
import { type ArticleDraft, parseArticle, type SourceFile } from "./parse-article";
import { createTopicMatcher, type TopicDefinition } from "./topics";

export interface CompileOptions {
  topics: TopicDefinition[];
  /** The build's time (epoch ms): articles dated after it are held back, not published. */
  now: number;
  /** The folder's files that are not articles (images, and anything else). */
  folder?: FolderImages;
}

/** An article dated in the future: valid, but not published until a build after its date (or, in the D1 mode, scheduled). */
interface HeldBack {
  file: string;
  published: string;
  draft: ArticleDraft;
}

export interface CompileResult {
  content: Content;
  heldBack: HeldBack[];
  /** What can be published but should be fixed, one line each, by file. */
  warnings: { file: string; message: string }[];
  /** Every image of the folder, to publish: referenced or not. */
  images: LocalImage[];
  /** Images no article names: published anyway (a folder can be uploaded as it is), and reported. */
  unreferenced: LocalImage[];
}

/**
 * Compiles the files of a seeds folder into the content the worker serves. Throws
 * ContentErrors listing every file that cannot be published: nothing is dropped silently.
 */
export async function compileContent(files: SourceFile[], options: CompileOptions): Promise<CompileResult> {
  const errors: ContentError[] = [];
  const drafts: ArticleDraft[] = [];
  const folder = options.folder ?? { images: new Map(), others: new Map() };
  for (const file of [...files].sort((a, b) => compare(a.path, b.path))) {
    try {
      drafts.push(await parseArticle(file, { images: folder }));
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      errors.push(error);
    }
  }
  for (const [path, what] of folder.others)
    errors.push(
      new ContentError(
        path,
        `not an article: only .txt and .md files and JPEG, PNG, WebP, AVIF or GIF images are published (it is ${what}; rename it or move it out)`,
      ),
    );
  errors.push(
    ...duplicates(
      drafts,
      (d) => d.id,
      (id) => `files share the id "${id}" (set a distinct front matter id)`,
    ),
  );
  errors.push(
    ...duplicates(
      drafts.filter((d) => d.slug !== null),
      (d) => d.slug!,
      (s) => `files share the front matter slug "${s}"`,
    ),
  );
  if (errors.length > 0) throw new ContentErrors(errors);

  const heldBack = drafts.filter((d) => d.published > options.now).map((d) => ({ file: d.file, published: toTimestamp(d.published), draft: d }));
  const live = drafts.filter((d) => d.published <= options.now);
  // A published article cannot show a future update: no feed may carry a date ahead of now.
  const early = live.filter((d) => d.updated > options.now);
  if (early.length > 0) {
    throw new ContentErrors(
      early.map((d) => new ContentError(d.file, `updated date ${toTimestamp(d.updated)} is after this build; set it to when the change was made`)),
    );
  }

  const topics = await resolveTopics(live, options.topics);
  const slugs = await assignSlugs(live);
  const articles: Article[] = [];
  for (const draft of live) articles.push(await articleFrom(draft, slugs.get(draft)!, topics.byArticle.get(draft)!));
  const guidClash = duplicates(
    articles,
    (a) => a.guid,
    (g) => `files share the feed id "${g}"`,
  );
  if (guidClash.length > 0) throw new ContentErrors(guidClash);

  // Newest first; among articles of the same second, by id descending: the order D1 pages in
  // (SQLite compares text as UTF-8 bytes, which is code point order, not UTF-16 order).
  articles.sort((a, b) => compare(b.published, a.published) || compareCodePoints(b.id, a.id));
  const used = new Set(drafts.flatMap((d) => d.media));
  const images = [...folder.images.values()].sort((a, b) => compare(a.path, b.path));
  return {
    content: { articles, topics: topics.list },
    heldBack,
    warnings: drafts.flatMap((d) => d.warnings.map((message) => ({ file: d.file, message }))),
    images,
    unreferenced: images.filter((i) => !used.has(i.src)),
  };
}

/** The article a draft becomes, with its slug and topics settled. */
async function articleFrom(draft: ArticleDraft, slug: string, topics: string[]): Promise<Article> {
  return {
    id: draft.id,
    guid: await articleGuid(draft.id),
    slug,
    title: draft.title,
    summary: draft.summary,
    html: draft.html,
    source: draft.source,
    author: draft.author,
    language: draft.language,
    published: toTimestamp(draft.published),
    updated: toTimestamp(draft.updated),
    topics,
    file: draft.file,
    image: draft.image,
  };
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
    const slug = draft.slug ?? (await newSlug(draft, (s) => taken.has(s)));
    taken.add(slug);
    slugs.set(draft, slug);
  }
  return slugs;
}

/** A slug for an article that front matter does not pin: its headline's, made unique with its own id. */
async function newSlug(draft: ArticleDraft, taken: (slug: string) => boolean): Promise<string> {
  const suffix = (await sha256Hex(`slug:${draft.id}`)).slice(0, 8);
  const base = slugify(draft.title) || `article-${suffix}`;
  let slug = taken(base) ? `${base}-${suffix}` : base;
  for (let n = 2; taken(slug); n++) slug = `${base}-${suffix}-${n}`;
  return slug;
}

/** The slugs `newSlug` may choose for a draft, in the order it tries them (for looking up which are taken). */
export async function slugCandidates(draft: ArticleDraft, count = 4): Promise<string[]> {
  const suffix = (await sha256Hex(`slug:${draft.id}`)).slice(0, 8);
  const base = slugify(draft.title) || `article-${suffix}`;
  return [base, `${base}-${suffix}`, ...Array.from({ length: count - 2 }, (_, i) => `${base}-${suffix}-${i + 2}`)];
}

/** Topics known by slug and by lower-case name, for front matter that names them either way. */
function topicIndex(topics: readonly Topic[]): Map<string, Topic> {
  const known = new Map<string, Topic>();
  for (const topic of topics) {
    known.set(topic.slug, topic);
    known.set(topic.name.toLowerCase(), topic);
  }
  return known;
}

/**
 * One draft's topics: those its words match, then those its front matter names, found by
 * name or slug among `known` or created (`created` receives a new one). Unsorted.
 */
async function draftTopics(
  draft: ArticleDraft,
  matcher: (title: string, text: string) => string[],
  known: Map<string, Topic>,
  created: (topic: Topic) => void,
): Promise<string[]> {
  const slugs = new Set(matcher(draft.title, draft.text));
  for (const name of draft.topics) {
    let topic = known.get(name.toLowerCase()) ?? known.get(slugify(name));
    if (!topic) {
      topic = { slug: slugify(name) || `topic-${(await sha256Hex(`topic:${name}`)).slice(0, 8)}`, name };
      created(topic);
      known.set(topic.slug, topic);
      known.set(name.toLowerCase(), topic);
    }
    slugs.add(topic.slug);
  }
  return [...slugs];
}

/** The topic list: the topic file's, then those only front matter names, by slug. */
function topicList(definitions: readonly Topic[], extra: readonly Topic[]): Topic[] {
  return [...definitions, ...[...extra].sort((a, b) => compare(a.slug, b.slug))];
}

/** Topics of the topic file, matched automatically, plus those front matter names. */
async function resolveTopics(drafts: ArticleDraft[], definitions: TopicDefinition[]) {
  const list: Topic[] = definitions.map(({ slug, name }) => ({ slug, name }));
  const known = topicIndex(list);
  const extra: Topic[] = [];
  const matcher = createTopicMatcher(definitions);
  const byArticle = new Map<ArticleDraft, string[]>();
  for (const draft of drafts) byArticle.set(draft, await draftTopics(draft, matcher, known, (t) => extra.push(t)));
  const all = topicList(list, extra);
  const order = new Map(all.map((t, i) => [t.slug, i]));
  for (const [draft, slugs] of byArticle)
    byArticle.set(
      draft,
      slugs.sort((a, b) => order.get(a)! - order.get(b)!),
    );
  return { list: all, byArticle };
}

/** What compiling one article against a published archive needs to know of it. */
export interface ArchiveContext {
  /** The topic file. */
  definitions: TopicDefinition[];
  /** Every topic the archive has, in topic order: the topic file's, then those only front matter named. */
  topics: Topic[];
  /** Whether another article already has this slug. */
  taken: (slug: string) => boolean;
  /** The article's slug now, when it is already published: kept while its headline gives the same one. */
  currentSlug: string | null;
}

/**
 * One article compiled as the build compiles a folder (the same slug rule, topic
 * matching and order), against an archive that already holds others: the publishing API
 * and the release of scheduled articles. `topics` lists the archive's topics afterwards,
 * with any front matter created.
 */
export async function compileArticle(draft: ArticleDraft, context: ArchiveContext): Promise<{ article: Article; topics: Topic[] }> {
  const definitions = context.definitions.map(({ slug, name }) => ({ slug, name }));
  const defined = new Set(definitions.map((t) => t.slug));
  const extra = context.topics.filter((t) => !defined.has(t.slug));
  const known = topicIndex([...definitions, ...extra]);
  const slugs = await draftTopics(draft, createTopicMatcher(context.definitions), known, (t) => extra.push(t));
  const all = topicList(definitions, extra);
  const order = new Map(all.map((t, i) => [t.slug, i]));
  slugs.sort((a, b) => order.get(a)! - order.get(b)!);
  // An edit that keeps the headline's slug keeps the article's URL, suffix and all.
  const [base, suffixed] = await slugCandidates(draft, 2);
  const current = context.currentSlug;
  const keep = current !== null && (current === base || current === suffixed || current.startsWith(`${suffixed}-`));
  const slug = draft.slug ?? (keep ? current : await newSlug(draft, context.taken));
  return { article: await articleFrom(draft, slug, slugs), topics: all };
}

function duplicates<T>(items: T[], key: (item: T) => string, reason: (key: string) => string): ContentError[] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups]
    .filter(([, group]) => group.length > 1)
    .map(
      ([k, group]) =>
        new ContentError(
          group.map((g) => (g as { file: string }).file),
          reason(k),
        ),
    );
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
