/**
 * What an import does to the database, as a list of SQL statements: the same plan is run
 * by `npm run import` (through `wrangler d1 execute`) and by the tests and the benchmark
 * (through a D1 binding). Pure: it reads nothing, it only compares.
 */
import type { ArticleDraft } from "../../compile/parse-article";
import type { TopicDefinition } from "../../compile/topics";
import type { Article, Content } from "../../content/types";
import { type ArticleRow, articleRow, scheduledRow } from "./rows";
import { chunks, list, MAX_PARAMS, type Statement } from "./sql";
import {
  BUMP_VERSION,
  deleteArticles,
  finishChange,
  markGone,
  staleScopesOf,
  ungone,
  upsertArticles,
  upsertScheduled,
  upsertTopics,
  writeMemberships,
} from "./statements";

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
   * Stored responses the changes make stale (src/storage/d1/responses.ts scopes), deleted by the
   * plan: "all" when the topic list itself changed. The import renders those again.
   */
  staleScopes: string[] | "all";
  /** Topics whose feeds changed, for WebSub notifications (the main feeds always change with anything). */
  changedTopics: string[];
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

export function existingFrom(
  articles: Record<string, unknown>[],
  topics: Record<string, unknown>[],
  scheduled: Record<string, unknown>[],
  definitions: Record<string, unknown>[],
): Existing {
  return {
    articles: new Map(
      articles.map((r) => [r.id as string, { hash: r.content_hash as string, slug: r.slug as string, topics: JSON.parse(r.topics as string) as string[] }]),
    ),
    topics: new Map(topics.map((r) => [r.slug as string, { name: r.name as string, position: r.position as number }])),
    scheduled: new Map(scheduled.map((r) => [r.id as string, r.content_hash as string])),
    definitions: (definitions[0]?.value as string | undefined) ?? "",
  };
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
  if (
    added.length + updated.length + removed.length + topicsChanged.length + scheduledRows.length + unscheduled.length === 0 &&
    definitions === existing.definitions
  ) {
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
  for (const group of chunks([...deleted, ...unscheduled], MAX_PARAMS))
    statements.push({ sql: `DELETE FROM scheduled WHERE id IN (${list(group)})`, params: group });

  // Slugs are unique: articles being rewritten give theirs up first (they may swap), and an
  // article kept from an earlier import whose slug a new one takes is renamed aside.
  for (const group of chunks(updated, MAX_PARAMS)) statements.push({ sql: `UPDATE articles SET slug = '~' || id WHERE id IN (${list(group)})`, params: group });
  for (const group of chunks(
    rows.map((r) => r.slug as string),
    MAX_PARAMS,
  )) {
    statements.push({ sql: `UPDATE articles SET slug = slug || '-' || substr(lower(hex(id)), 1, 8) WHERE slug IN (${list(group)})`, params: group });
  }
  statements.push(...upsertArticles(rows), ...writeMemberships(changedArticles, updated), ...ungone(rows.map((r) => r.slug as string)));
  statements.push(...scheduledRows.map(upsertScheduled));
  statements.push(
    ...upsertTopics(content.topics.map((t, position) => ({ ...t, position })).filter((t) => topicsChanged.includes(content.topics[t.position]!))),
  );
  if (definitions !== existing.definitions) statements.push({ sql: "UPDATE meta SET value = ? WHERE key = 'topic_definitions'", params: [definitions] });
  statements.push(...finishChange(staleScopes, { counts: "recount" }));
  return { statements, added, updated, unchanged, missing, deleted, scheduled: scheduledRows.map((r) => r.id), staleScopes, changedTopics };
}
