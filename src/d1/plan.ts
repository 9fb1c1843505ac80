/**
 * What an import does to the database, as a list of SQL statements: the same plan is run
 * by `npm run import` (through `wrangler d1 execute`) and by the tests and the benchmark
 * (through a D1 binding). Pure: it reads nothing, it only compares.
 */
import type { ArticleDraft } from "../compile/parse-article";
import { toTimestamp } from "../compile/dates";
import type { TopicDefinition } from "../compile/topics";
import { sha256Hex } from "../content/ids";
import type { Article, Content } from "../content/types";
import { responseDeletes } from "./responses";

export type SqlValue = string | number | null;

export interface Statement {
  sql: string;
  params: SqlValue[];
}

export interface ImportPlan {
  statements: Statement[];
  added: string[];
  updated: string[];
  unchanged: number;
  /** In the database but not in the folder. Deleted only when asked. */
  missing: string[];
  deleted: string[];
  /** Articles dated in the future, kept in the `scheduled` table until their time (new or changed ones). */
  scheduled: string[];
  /**
   * Stored responses the changes make stale (src/d1/responses.ts scopes), deleted by the
   * plan: "all" when the topic list itself changed. The import renders those again.
   */
  staleScopes: string[] | "all";
  /** Topics whose feeds changed, for WebSub notifications (the main feeds always change with anything). */
  changedTopics: string[];
}

const ARTICLE_COLUMNS = ["id", "guid", "slug", "title", "summary", "html", "source", "author", "language", "published", "updated", "topics", "image", "file", "content_hash"] as const;

export type ArticleRow = Record<(typeof ARTICLE_COLUMNS)[number], SqlValue>;

/** D1 binds at most 100 parameters per statement. */
const MAX_PARAMS = 100;

/** D1 takes statements of at most 100,000 bytes; values written into the SQL count. */
const MAX_STATEMENT_CHARS = 60_000;

export const BUMP_VERSION: Statement = { sql: "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'", params: [] };

/**
 * The article as a row; `content_hash` names everything that is published of it, so an
 * unchanged article is skipped. The file it came from is recorded but not hashed: moving
 * a file, or publishing the same text over HTTP, is not a change.
 */
export async function articleRow(article: Article): Promise<ArticleRow> {
  const row = {
    id: article.id,
    guid: article.guid,
    slug: article.slug,
    title: article.title,
    summary: article.summary,
    html: article.html,
    source: article.source,
    author: article.author,
    language: article.language,
    published: article.published,
    updated: article.updated,
    topics: JSON.stringify(article.topics),
    image: article.image === null ? null : JSON.stringify(article.image),
  };
  return { ...row, file: article.file, content_hash: (await sha256Hex(JSON.stringify(row))).slice(0, 32) };
}

/** The article a row holds: the inverse of articleRow. */
export function rowArticle(row: Record<string, unknown>): Article {
  return {
    id: row.id as string,
    guid: row.guid as string,
    slug: row.slug as string,
    title: row.title as string,
    summary: row.summary as string,
    html: row.html as string,
    source: (row.source as string | null) ?? null,
    author: (row.author as string | null) ?? null,
    language: (row.language as string | null) ?? null,
    published: row.published as string,
    updated: row.updated as string,
    topics: JSON.parse(row.topics as string) as string[],
    file: row.file as string,
    image: row.image === null || row.image === undefined ? null : (JSON.parse(row.image as string) as Article["image"]),
  };
}

/** A scheduled article's draft as stored, with the hash that tells a changed one. */
export async function scheduledRow(draft: ArticleDraft): Promise<ScheduledRow> {
  const json = JSON.stringify(draft);
  return { id: draft.id, published: toTimestamp(draft.published), updated: toTimestamp(draft.updated), draft: json, content_hash: (await sha256Hex(json)).slice(0, 32) };
}

export interface ScheduledRow {
  id: string;
  published: string;
  updated: string;
  draft: string;
  content_hash: string;
}

/** Writes a scheduled article (new, or replacing the one with its id). */
export function upsertScheduled(row: ScheduledRow): Statement {
  return {
    sql: "INSERT INTO scheduled (id, published, updated, draft, content_hash) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET published = excluded.published, updated = excluded.updated, draft = excluded.draft, content_hash = excluded.content_hash",
    params: [row.id, row.published, row.updated, row.draft, row.content_hash],
  };
}

/** The draft a scheduled row holds. */
export function rowDraft(row: Record<string, unknown>): ArticleDraft {
  return JSON.parse(row.draft as string) as ArticleDraft;
}

/** What the database holds, as far as planning an import needs. */
export interface Existing {
  /** Content hash, slug and topics by article id. */
  articles: ReadonlyMap<string, { hash: string; slug: string; topics: string[] }>;
  /** Name and position by topic slug. */
  topics: ReadonlyMap<string, { name: string; position: number }>;
  /** Content hash of each scheduled article's draft, by id. */
  scheduled: ReadonlyMap<string, string>;
  /** The topic file last imported, as JSON ("" before the first import). */
  definitions: string;
}

/** The queries whose rows `existingFrom` reads (run through a binding or through wrangler). */
export const EXISTING_QUERIES = [
  "SELECT id, content_hash, slug, topics FROM articles",
  "SELECT slug, name, position FROM topics",
  "SELECT id, content_hash FROM scheduled",
  "SELECT value FROM meta WHERE key = 'topic_definitions'",
] as const;

export function existingFrom(articles: Record<string, unknown>[], topics: Record<string, unknown>[], scheduled: Record<string, unknown>[], definitions: Record<string, unknown>[]): Existing {
  return {
    articles: new Map(articles.map((r) => [r.id as string, { hash: r.content_hash as string, slug: r.slug as string, topics: JSON.parse(r.topics as string) as string[] }])),
    topics: new Map(topics.map((r) => [r.slug as string, { name: r.name as string, position: r.position as number }])),
    scheduled: new Map(scheduled.map((r) => [r.id as string, r.content_hash as string])),
    definitions: (definitions[0]?.value as string | undefined) ?? "",
  };
}

/** Rows written many to a statement, within D1's limits on bound parameters and on statement length (`npm run import` writes the values into the SQL text). */
export function upsertArticles(rows: readonly ArticleRow[]): Statement[] {
  return chunksBySize(rows, Math.floor(MAX_PARAMS / ARTICLE_COLUMNS.length), MAX_STATEMENT_CHARS).map((group) => ({
    sql: `INSERT INTO articles (${ARTICLE_COLUMNS.join(", ")}) VALUES ${group.map(() => `(${ARTICLE_COLUMNS.map(() => "?").join(", ")})`).join(", ")} ON CONFLICT (id) DO UPDATE SET ${ARTICLE_COLUMNS.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`).join(", ")}`,
    params: group.flatMap((row) => ARTICLE_COLUMNS.map((c) => row[c])),
  }));
}

/** The topic memberships of `articles`, replacing any they had (`replacing`: ids that had some). */
export function writeMemberships(articles: readonly Article[], replacing: readonly string[]): Statement[] {
  const out: Statement[] = chunks(replacing, MAX_PARAMS).map((group) => ({ sql: `DELETE FROM article_topics WHERE article_id IN (${list(group)})`, params: group }));
  const memberships = articles.flatMap((article) => article.topics.map((topic) => [topic, article.published, article.id]));
  for (const group of chunks(memberships, Math.floor(MAX_PARAMS / 3))) {
    out.push({ sql: `INSERT INTO article_topics (topic, published, article_id) VALUES ${group.map(() => "(?, ?, ?)").join(", ")}`, params: group.flat() });
  }
  return out;
}

/** Takes articles off the site, with their topic memberships. */
export function deleteArticles(ids: readonly string[]): Statement[] {
  return chunks(ids, MAX_PARAMS).flatMap((group) => [
    { sql: `DELETE FROM article_topics WHERE article_id IN (${list(group)})`, params: group },
    { sql: `DELETE FROM articles WHERE id IN (${list(group)})`, params: group },
  ]);
}

/** The pages of deleted articles answer 410 Gone from then on (`gone`: their slugs and ids; `now`: RFC 3339). */
export function markGone(gone: readonly { slug: string; id: string }[], now: string): Statement[] {
  return gone.map(({ slug, id }) => ({
    sql: "INSERT INTO gone (slug, article_id, deleted) VALUES (?, ?, ?) ON CONFLICT (slug) DO UPDATE SET article_id = excluded.article_id, deleted = excluded.deleted",
    params: [slug, id, now],
  }));
}

/** Pages of these slugs are published again: no longer gone. */
export function ungone(slugs: readonly string[]): Statement[] {
  return chunks(slugs, MAX_PARAMS).map((group) => ({ sql: `DELETE FROM gone WHERE slug IN (${list(group)})`, params: group }));
}

/** Topics written with their positions (never deleted: a topic's URLs keep answering after its last article goes). */
export function upsertTopics(topics: readonly { slug: string; name: string; position: number }[]): Statement[] {
  return topics.map((t) => ({
    sql: "INSERT INTO topics (slug, name, position) VALUES (?, ?, ?) ON CONFLICT (slug) DO UPDATE SET name = excluded.name, position = excluded.position",
    params: [t.slug, t.name, t.position],
  }));
}

/**
 * What closes every change: counts and dates recomputed, the next release time, the stored
 * responses made stale deleted, the content version bumped. Without `bump` (only the
 * scheduled articles changed: nothing visible), the next release time alone.
 */
export function finishChange(staleScopes: readonly string[] | "all", options: { bump?: boolean } = {}): Statement[] {
  if (options.bump === false) return [{ sql: "UPDATE meta SET value = COALESCE((SELECT MIN(published) FROM scheduled), '') WHERE key = 'next_release'", params: [] }];
  return [
    { sql: "UPDATE topics SET article_count = (SELECT COUNT(*) FROM article_topics WHERE topic = topics.slug)", params: [] },
    { sql: "UPDATE meta SET value = COALESCE((SELECT MAX(updated) FROM articles), '1970-01-01T00:00:00Z') WHERE key = 'newest_updated'", params: [] },
    { sql: "UPDATE meta SET value = (SELECT COUNT(*) FROM articles) WHERE key = 'article_count'", params: [] },
    { sql: "UPDATE meta SET value = COALESCE((SELECT MIN(published) FROM scheduled), '') WHERE key = 'next_release'", params: [] },
    ...responseDeletes(staleScopes),
    BUMP_VERSION,
  ];
}

/**
 * Records the public origin scheduled articles were accepted for (meta `origin`): the cron,
 * which has no request, renders their release and notifies hubs for it when SITE_URL is
 * unset (a local `npm start`, or a site that builds links from each request's host).
 */
export function recordOrigin(origin: string): Statement {
  return { sql: "INSERT INTO meta (key, value) VALUES ('origin', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", params: [origin] };
}

/** The scopes a change to these articles (as they were and as they are) makes stale. */
export function staleScopesOf(changes: readonly { slug: string; topics: readonly string[] }[]): string[] {
  const scopes = new Set(["main", "site"]);
  for (const { slug, topics } of changes) {
    scopes.add(`article:${slug}`);
    for (const topic of topics) scopes.add(`topic:${topic}`);
  }
  return [...scopes].sort();
}

export interface ImportOptions {
  deleteMissing: boolean;
  /** Articles dated after the import (compileContent's heldBack): scheduled, in the D1 mode. */
  scheduled?: readonly ArticleDraft[];
  /** The topic file the folder was compiled with: stored so that the API files articles alike. */
  definitions?: readonly TopicDefinition[];
  /** The import's time (RFC 3339), recorded for deleted articles. */
  now?: string;
}

/**
 * Compares the compiled folder with what the database holds and plans the writes: new and
 * changed articles upserted with their topic memberships, topics upserted with their
 * counts, future articles scheduled, the stored responses they make stale deleted, and,
 * when anything changed, the content version bumped so that every worker isolate renders
 * afresh.
 */
export async function planImport(content: Content, existing: Existing, options: ImportOptions): Promise<ImportPlan> {
  const statements: Statement[] = [];
  const added: string[] = [];
  const updated: string[] = [];
  let unchanged = 0;
  const rows: ArticleRow[] = [];
  const changedArticles: Article[] = [];
  for (const article of content.articles) {
    const row = await articleRow(article);
    const previous = existing.articles.get(article.id)?.hash;
    if (previous === row.content_hash) {
      unchanged++;
      continue;
    }
    (previous === undefined ? added : updated).push(article.id);
    rows.push(row);
    changedArticles.push(article);
  }
  const scheduledRows = [];
  for (const draft of options.scheduled ?? []) {
    const row = await scheduledRow(draft);
    if (existing.scheduled.get(draft.id) !== row.content_hash) scheduledRows.push(row);
  }
  const inFolder = new Set([...content.articles.map((a) => a.id), ...(options.scheduled ?? []).map((d) => d.id)]);
  const missing = [...existing.articles.keys(), ...existing.scheduled.keys()].filter((id) => !inFolder.has(id)).sort();
  const deleted = options.deleteMissing ? missing : [];
  // Scheduled before, published (or scheduled again, or gone) now.
  const unscheduled = [...existing.scheduled.keys()].filter((id) => content.articles.some((a) => a.id === id) || deleted.includes(id));
  // Published before, scheduled now (its date moved into the future): off the site until then.
  const withdrawn = (options.scheduled ?? []).map((d) => d.id).filter((id) => existing.articles.has(id));
  const definitions = options.definitions === undefined ? existing.definitions : JSON.stringify(options.definitions);
  const topicsChanged = content.topics.filter((topic, position) => {
    const known = existing.topics.get(topic.slug);
    return known === undefined || known.name !== topic.name || known.position !== position;
  });
  const removed = [...new Set([...deleted.filter((id) => existing.articles.has(id)), ...withdrawn])];
  if (added.length + updated.length + removed.length + topicsChanged.length + scheduledRows.length + unscheduled.length === 0 && definitions === existing.definitions) {
    return { statements, added, updated, unchanged, missing, deleted, scheduled: [], staleScopes: [], changedTopics: [] };
  }

  // What the changed articles appear on, before and after: the main listing, the site-wide
  // pages (counts, OPML, the not-found page's recent articles), their topics and their pages.
  const changes = [...changedArticles.map((a) => ({ slug: a.slug, topics: a.topics })), ...[...updated, ...removed].map((id) => existing.articles.get(id)!)];
  const visible = added.length + updated.length + removed.length + topicsChanged.length > 0;
  // A renamed, moved or new topic shows on every page that names topics.
  const staleScopes = !visible ? [] : topicsChanged.length > 0 ? "all" : staleScopesOf(changes);
  const changedTopics = [...new Set(changes.flatMap((c) => c.topics))].sort();

  // The version is bumped first as well as last: should the import stop half way (it runs
  // as several transactions), no isolate keeps renderings of the old data under a
  // version that the new data also carries.
  statements.push(BUMP_VERSION);
  statements.push(...deleteArticles(removed));
  // A withdrawn article comes back at its time: only deleted ones are gone.
  const goneNow = deleted.filter((id) => existing.articles.has(id)).map((id) => ({ slug: existing.articles.get(id)!.slug, id }));
  statements.push(...markGone(goneNow, options.now ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z")));
  for (const group of chunks([...deleted, ...unscheduled], MAX_PARAMS)) statements.push({ sql: `DELETE FROM scheduled WHERE id IN (${list(group)})`, params: group });

  // Slugs are unique: articles being rewritten give theirs up first (they may swap), and an
  // article kept from an earlier import whose slug a new one takes is renamed aside.
  for (const group of chunks(updated, MAX_PARAMS)) statements.push({ sql: `UPDATE articles SET slug = '~' || id WHERE id IN (${list(group)})`, params: group });
  for (const group of chunks(rows.map((r) => r.slug as string), MAX_PARAMS)) {
    statements.push({ sql: `UPDATE articles SET slug = slug || '-' || substr(lower(hex(id)), 1, 8) WHERE slug IN (${list(group)})`, params: group });
  }
  statements.push(...upsertArticles(rows), ...writeMemberships(changedArticles, updated), ...ungone(rows.map((r) => r.slug as string)));
  statements.push(...scheduledRows.map(upsertScheduled));
  statements.push(...upsertTopics(content.topics.map((t, position) => ({ ...t, position })).filter((t) => topicsChanged.includes(content.topics[t.position]!))));
  if (definitions !== existing.definitions) statements.push({ sql: "UPDATE meta SET value = ? WHERE key = 'topic_definitions'", params: [definitions] });
  statements.push(...finishChange(staleScopes));
  return { statements, added, updated, unchanged, missing, deleted, scheduled: scheduledRows.map((r) => r.id), staleScopes, changedTopics };
}

const list = (group: readonly unknown[]) => group.map(() => "?").join(", ");

/** Groups of at most `count` rows whose values add up to about `chars` characters (a larger row goes alone). */
function chunksBySize<T extends Record<string, SqlValue>>(rows: readonly T[], count: number, chars: number): T[][] {
  const out: T[][] = [];
  let group: T[] = [];
  let size = 0;
  for (const row of rows) {
    const rowSize = Object.values(row).reduce<number>((sum, v) => sum + (typeof v === "string" ? v.length * 2 : 8), 0);
    if (group.length > 0 && (group.length >= count || size + rowSize > chars)) {
      out.push(group);
      group = [];
      size = 0;
    }
    group.push(row);
    size += rowSize;
  }
  if (group.length > 0) out.push(group);
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A statement with its parameters written in as SQL literals, for `wrangler d1 execute`:
 * `?` takes the next parameter, `?N` the Nth (as SQLite numbers them). The SQL must hold
 * no `?` inside its own string literals.
 */
export function inlineStatement({ sql, params }: Statement): string {
  let next = 0;
  return `${sql.replace(/\?(\d*)/g, (_, n: string) => {
    const index = n === "" ? next++ : Number(n) - 1;
    if (n !== "") next = Math.max(next, index + 1);
    return literal(params[index] ?? null);
  })};`;
}

function literal(value: SqlValue): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}
