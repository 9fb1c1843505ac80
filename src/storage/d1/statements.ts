/**
 * The statements every change to the database is made of: the import's plan, the
 * publishing API and the cron's releases compose them.
 */
import { namedGroups, scopesOf } from "../../content/groups";
import type { Article } from "../../content/types";
import { groupOfKey, scopeKey } from "../../urls";
import { responseDeletes } from "./responses";
import { ARTICLE_COLUMNS, type ArticleRow, type ScheduledRow } from "./rows";
import { chunks, chunksBySize, list, MAX_PARAMS, MAX_STATEMENT_CHARS, type Statement } from "./sql";

export const BUMP_VERSION: Statement = { sql: "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'", params: [] };

/** Writes a scheduled article (new, or replacing the one with its id). */
export function upsertScheduled(row: ScheduledRow): Statement {
  return {
    sql: "INSERT INTO scheduled (id, published, updated, draft, content_hash) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET published = excluded.published, updated = excluded.updated, draft = excluded.draft, content_hash = excluded.content_hash",
    params: [row.id, row.published, row.updated, row.draft, row.content_hash],
  };
}

/** Rows written many to a statement, within D1's limits on bound parameters and on statement length (`npm run import` writes the values into the SQL text). */
export function upsertArticles(rows: readonly ArticleRow[]): Statement[] {
  return chunksBySize(rows, Math.floor(MAX_PARAMS / ARTICLE_COLUMNS.length), MAX_STATEMENT_CHARS).map((group) => ({
    sql: `INSERT INTO articles (${ARTICLE_COLUMNS.join(", ")}) VALUES ${group.map(() => `(${ARTICLE_COLUMNS.map(() => "?").join(", ")})`).join(", ")} ON CONFLICT (id) DO UPDATE SET ${ARTICLE_COLUMNS.filter(
      (c) => c !== "id",
    )
      .map((c) => `${c} = excluded.${c}`)
      .join(", ")}`,
    params: group.flatMap((row) => ARTICLE_COLUMNS.map((c) => row[c])),
  }));
}

/** The topic, author and source memberships of `articles`, replacing any they had (`replacing`: ids that had some). */
export function writeMemberships(articles: readonly Article[], replacing: readonly string[]): Statement[] {
  const out: Statement[] = chunks(replacing, MAX_PARAMS).flatMap((group) => [
    { sql: `DELETE FROM article_topics WHERE article_id IN (${list(group)})`, params: group },
    { sql: `DELETE FROM article_bylines WHERE article_id IN (${list(group)})`, params: group },
  ]);
  const memberships = articles.flatMap((article) => article.topics.map((topic) => [topic, article.published, article.id]));
  for (const group of chunks(memberships, Math.floor(MAX_PARAMS / 3))) {
    out.push({ sql: `INSERT INTO article_topics (topic, published, article_id) VALUES ${group.map(() => "(?, ?, ?)").join(", ")}`, params: group.flat() });
  }
  return [...out, ...bylineMemberships(articles)];
}

/** The author and source memberships of `articles`, added (`ignoreKnown`: those already there are left as they are). */
export function bylineMemberships(articles: readonly Pick<Article, "id" | "published" | "author" | "source">[], ignoreKnown = false): Statement[] {
  const bylines = articles.flatMap((article) => namedGroups(article).map(({ kind, slug }) => [kind, slug, article.published, article.id]));
  return chunks(bylines, Math.floor(MAX_PARAMS / 4)).map((group) => ({
    sql: `INSERT${ignoreKnown ? " OR IGNORE" : ""} INTO article_bylines (kind, slug, published, article_id) VALUES ${group.map(() => "(?, ?, ?, ?)").join(", ")}`,
    params: group.flat(),
  }));
}

/**
 * The authors and sources of `articles` (newest first), named as the first of them names
 * each: rows for their feeds, which are never deleted (their URLs keep answering).
 */
export function upsertBylines(articles: readonly Pick<Article, "author" | "source">[]): Statement[] {
  const named = new Map<string, [string, string, string]>();
  for (const article of articles)
    for (const { kind, slug, name } of namedGroups(article)) if (!named.has(`${kind}:${slug}`)) named.set(`${kind}:${slug}`, [kind, slug, name]);
  return chunks([...named.values()], Math.floor(MAX_PARAMS / 3)).map((group) => ({
    sql: `INSERT INTO bylines (kind, slug, name) VALUES ${group.map(() => "(?, ?, ?)").join(", ")} ON CONFLICT (kind, slug) DO UPDATE SET name = excluded.name`,
    params: group.flat(),
  }));
}

/** Takes articles off the site, with their memberships. */
export function deleteArticles(ids: readonly string[]): Statement[] {
  return chunks(ids, MAX_PARAMS).flatMap((group) => [
    { sql: `DELETE FROM article_topics WHERE article_id IN (${list(group)})`, params: group },
    { sql: `DELETE FROM article_bylines WHERE article_id IN (${list(group)})`, params: group },
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
 * What closes every change: the newest date and the next release time read again (each the
 * end of an index), the stored responses made stale deleted, the content version bumped.
 * `counts`: "recount" counts every topic's, author's and source's articles and the archive's afresh (an import,
 * which writes in bulk); "kept" leaves them to the statements of countedWrite around the
 * change's writes (the publishing API and the cron's releases, whose cost must not grow
 * with the archive). Without `bump` (only the scheduled articles changed: nothing
 * visible), the next release time alone.
 */
export function finishChange(
  staleScopes: readonly string[] | "all",
  options: { counts: "recount" | "kept"; bump?: boolean; groups?: readonly string[] },
): Statement[] {
  const nextRelease: Statement = { sql: "UPDATE meta SET value = COALESCE((SELECT MIN(published) FROM scheduled), '') WHERE key = 'next_release'", params: [] };
  if (options.bump === false) return [nextRelease];
  return [
    ...(options.counts === "recount" ? RECOUNT : []),
    // Named afresh: every byline after an import; after an API write only those its articles
    // have or had (when every response went stale, `groups` names them: the cost stays flat).
    ...nameBylines(options.counts === "recount" ? "all" : (options.groups ?? (staleScopes === "all" ? [] : staleScopes))),
    { sql: "UPDATE meta SET value = COALESCE((SELECT MAX(updated) FROM articles), '1970-01-01T00:00:00Z') WHERE key = 'newest_updated'", params: [] },
    nextRelease,
    ...responseDeletes(staleScopes),
    BUMP_VERSION,
  ];
}

/**
 * Authors and sources named as their newest article names them (the bundle's rule, src/content/groups.ts),
 * whichever article was written last: those of `scopes` (stale scope keys; the others are left), or all.
 */
function nameBylines(scopes: readonly string[] | "all"): Statement[] {
  const newest = `COALESCE((SELECT CASE bylines.kind WHEN 'author' THEN a.author ELSE a.source END
    FROM article_bylines b JOIN articles a ON a.id = b.article_id WHERE b.kind = bylines.kind AND b.slug = bylines.slug
    ORDER BY b.published DESC, b.article_id DESC LIMIT 1), name)`;
  if (scopes === "all") return [{ sql: `UPDATE bylines SET name = ${newest}`, params: [] }];
  const groups = scopes.flatMap((key) => {
    const group = groupOfKey(key);
    return group === null || group.kind === "topic" ? [] : [[group.kind, group.slug]];
  });
  return chunks(groups, Math.floor(MAX_PARAMS / 2)).map((group) => ({
    sql: `UPDATE bylines SET name = ${newest} WHERE (kind, slug) IN (VALUES ${group.map(() => "(?, ?)").join(", ")})`,
    params: group.flat(),
  }));
}

/** Every topic's, author's and source's count and the archive's, from the rows: reads them all. */
const RECOUNT: Statement[] = [
  { sql: "UPDATE topics SET article_count = (SELECT COUNT(*) FROM article_topics WHERE topic = topics.slug)", params: [] },
  { sql: "UPDATE bylines SET article_count = (SELECT COUNT(*) FROM article_bylines b WHERE b.kind = bylines.kind AND b.slug = bylines.slug)", params: [] },
  { sql: "UPDATE meta SET value = (SELECT COUNT(*) FROM articles) WHERE key = 'article_count'", params: [] },
];

/**
 * `writes` (statements that add, change or delete the articles `ids` and their
 * memberships), with the counts kept: what the articles counted before is taken out first,
 * and what they count after is put back, each read from their own rows by key (so a write
 * of any kind, and two writes racing, leave the counts exact).
 */
export function countedWrite(ids: readonly string[], writes: readonly Statement[]): Statement[] {
  const counts = (sign: "+" | "-"): Statement[] => [
    // One statement per article and table: each is in a group at most once.
    ...ids.flatMap((id) => [
      { sql: `UPDATE topics SET article_count = article_count ${sign} 1 WHERE slug IN (SELECT topic FROM article_topics WHERE article_id = ?)`, params: [id] },
      {
        sql: `UPDATE bylines SET article_count = article_count ${sign} 1 WHERE (kind, slug) IN (SELECT kind, slug FROM article_bylines WHERE article_id = ?)`,
        params: [id],
      },
    ]),
    ...chunks(ids, MAX_PARAMS).map((group) => ({
      sql: `UPDATE meta SET value = CAST(value AS INTEGER) ${sign} (SELECT COUNT(*) FROM articles WHERE id IN (${list(group)})) WHERE key = 'article_count'`,
      params: group,
    })),
  ];
  return [...counts("-"), ...writes, ...counts("+")];
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
export function staleScopesOf(changes: readonly Changed[]): string[] {
  const scopes = new Set(["main", "site"]);
  for (const change of changes) {
    scopes.add(`article:${change.slug}`);
    for (const key of groupKeysOf(change)) scopes.add(key);
  }
  return [...scopes].sort();
}

/** What a change needs of an article, as it was or as it is. */
export type Changed = Pick<Article, "slug" | "topics" | "author" | "source">;

/** The scope keys (src/urls.ts scopeKey) of the groups an article is listed in. */
function groupKeysOf(article: Pick<Article, "topics" | "author" | "source">): string[] {
  return scopesOf(article).map(scopeKey);
}

/** The groups whose feeds a change touched, as scope keys, sorted (for the hubs). */
export function changedGroups(changes: readonly Changed[]): string[] {
  return [...new Set(changes.flatMap(groupKeysOf))].sort();
}
