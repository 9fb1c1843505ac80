/**
 * What an import does to the database, as a list of SQL statements: the same plan is run
 * by `npm run import` (through `wrangler d1 execute`) and by the tests and the benchmark
 * (through a D1 binding). Pure: it reads nothing, it only compares.
 */
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
  /**
   * Stored responses the changes make stale (src/d1/responses.ts scopes), deleted by the
   * plan: "all" when the topic list itself changed. The import renders those again.
   */
  staleScopes: string[] | "all";
}

const ARTICLE_COLUMNS = ["id", "guid", "slug", "title", "summary", "html", "source", "author", "language", "published", "updated", "topics", "file", "content_hash"] as const;

/** D1 binds at most 100 parameters per statement. */
const MAX_PARAMS = 100;

/** D1 takes statements of at most 100,000 bytes; values written into the SQL count. */
const MAX_STATEMENT_CHARS = 60_000;

const BUMP_VERSION: Statement = { sql: "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'", params: [] };

/** The article as a row; `content_hash` names everything else, so an unchanged article is skipped. */
export async function articleRow(article: Article): Promise<Record<(typeof ARTICLE_COLUMNS)[number], SqlValue>> {
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
    file: article.file,
  };
  return { ...row, content_hash: (await sha256Hex(JSON.stringify(row))).slice(0, 32) };
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
  };
}

/** What the database holds, as far as planning an import needs. */
export interface Existing {
  /** Content hash, slug and topics by article id. */
  articles: ReadonlyMap<string, { hash: string; slug: string; topics: string[] }>;
  /** Name and position by topic slug. */
  topics: ReadonlyMap<string, { name: string; position: number }>;
}

/** The queries whose rows `existingFrom` reads (run through a binding or through wrangler). */
export const EXISTING_QUERIES = ["SELECT id, content_hash, slug, topics FROM articles", "SELECT slug, name, position FROM topics"] as const;

export function existingFrom(articles: Record<string, unknown>[], topics: Record<string, unknown>[]): Existing {
  return {
    articles: new Map(articles.map((r) => [r.id as string, { hash: r.content_hash as string, slug: r.slug as string, topics: JSON.parse(r.topics as string) as string[] }])),
    topics: new Map(topics.map((r) => [r.slug as string, { name: r.name as string, position: r.position as number }])),
  };
}

/**
 * Compares the compiled folder with what the database holds and plans the writes: new and
 * changed articles upserted with their topic memberships, topics upserted with their
 * counts, the stored responses they make stale deleted, and, when anything changed, the
 * content version bumped so that every worker isolate renders afresh.
 */
export async function planImport(content: Content, existing: Existing, options: { deleteMissing: boolean }): Promise<ImportPlan> {
  const statements: Statement[] = [];
  const added: string[] = [];
  const updated: string[] = [];
  let unchanged = 0;
  const rows: Awaited<ReturnType<typeof articleRow>>[] = [];
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
  const inFolder = new Set(content.articles.map((a) => a.id));
  const missing = [...existing.articles.keys()].filter((id) => !inFolder.has(id)).sort();
  const deleted = options.deleteMissing ? missing : [];
  const topicsChanged = content.topics.filter((topic, position) => {
    const known = existing.topics.get(topic.slug);
    return known === undefined || known.name !== topic.name || known.position !== position;
  });
  if (added.length + updated.length + deleted.length + topicsChanged.length === 0) {
    return { statements, added, updated, unchanged, missing, deleted, staleScopes: [] };
  }

  // What the changed articles appear on, before and after: the main listing, the site-wide
  // pages (counts, OPML, the not-found page's recent articles), their topics and their pages.
  const scopes = new Set(["main", "site"]);
  const touched = (slug: string, topics: readonly string[]) => {
    scopes.add(`article:${slug}`);
    for (const topic of topics) scopes.add(`topic:${topic}`);
  };
  for (const article of changedArticles) touched(article.slug, article.topics);
  for (const id of [...updated, ...deleted]) {
    const old = existing.articles.get(id)!;
    touched(old.slug, old.topics);
  }
  // A renamed, moved or new topic shows on every page that names topics.
  const staleScopes = topicsChanged.length > 0 ? "all" : [...scopes].sort();

  // The version is bumped first as well as last: should the import stop half way (it runs
  // as several transactions), no isolate keeps renderings of the old data under a
  // version that the new data also carries.
  statements.push(BUMP_VERSION);

  for (const group of chunks(deleted, MAX_PARAMS)) {
    const list = group.map(() => "?").join(", ");
    statements.push({ sql: `DELETE FROM article_topics WHERE article_id IN (${list})`, params: group });
    statements.push({ sql: `DELETE FROM articles WHERE id IN (${list})`, params: group });
  }

  // Slugs are unique: articles being rewritten give theirs up first (they may swap), and an
  // article kept from an earlier import whose slug a new one takes is renamed aside.
  for (const group of chunks(updated, MAX_PARAMS)) {
    statements.push({ sql: `UPDATE articles SET slug = '~' || id WHERE id IN (${group.map(() => "?").join(", ")})`, params: group });
  }
  for (const group of chunks(rows.map((r) => r.slug as string), MAX_PARAMS)) {
    statements.push({
      sql: `UPDATE articles SET slug = slug || '-' || substr(lower(hex(id)), 1, 8) WHERE slug IN (${group.map(() => "?").join(", ")})`,
      params: group,
    });
  }

  // Rows are written many to a statement, within D1's limits on bound parameters and on
  // statement length (`npm run import` writes the values into the SQL text).
  for (const group of chunksBySize(rows, Math.floor(MAX_PARAMS / ARTICLE_COLUMNS.length), MAX_STATEMENT_CHARS)) {
    statements.push({
      sql: `INSERT INTO articles (${ARTICLE_COLUMNS.join(", ")}) VALUES ${group.map(() => `(${ARTICLE_COLUMNS.map(() => "?").join(", ")})`).join(", ")} ON CONFLICT (id) DO UPDATE SET ${ARTICLE_COLUMNS.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`).join(", ")}`,
      params: group.flatMap((row) => ARTICLE_COLUMNS.map((c) => row[c])),
    });
  }
  for (const group of chunks(updated, MAX_PARAMS)) {
    statements.push({ sql: `DELETE FROM article_topics WHERE article_id IN (${group.map(() => "?").join(", ")})`, params: group });
  }
  const memberships = changedArticles.flatMap((article) => article.topics.map((topic) => [topic, article.published, article.id]));
  for (const group of chunks(memberships, Math.floor(MAX_PARAMS / 3))) {
    statements.push({ sql: `INSERT INTO article_topics (topic, published, article_id) VALUES ${group.map(() => "(?, ?, ?)").join(", ")}`, params: group.flat() });
  }

  // Topics are never deleted: a topic's URLs keep answering after its last article goes.
  content.topics.forEach((topic, position) => {
    if (!topicsChanged.includes(topic)) return;
    statements.push({
      sql: "INSERT INTO topics (slug, name, position) VALUES (?, ?, ?) ON CONFLICT (slug) DO UPDATE SET name = excluded.name, position = excluded.position",
      params: [topic.slug, topic.name, position],
    });
  });
  statements.push(
    { sql: "UPDATE topics SET article_count = (SELECT COUNT(*) FROM article_topics WHERE topic = topics.slug)", params: [] },
    { sql: "UPDATE meta SET value = COALESCE((SELECT MAX(updated) FROM articles), '1970-01-01T00:00:00Z') WHERE key = 'newest_updated'", params: [] },
    { sql: "UPDATE meta SET value = (SELECT COUNT(*) FROM articles) WHERE key = 'article_count'", params: [] },
    ...responseDeletes(staleScopes),
    BUMP_VERSION,
  );
  return { statements, added, updated, unchanged, missing, deleted, staleScopes };
}

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
