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
  bylineMemberships,
  type Changed,
  changedGroups as changedGroupsOf,
  deleteArticles,
  finishChange,
  markGone,
  staleScopesOf,
  ungone,
  upsertArticles,
  upsertBylines,
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
   * plan: "all" when the topic list itself changed, when the articles are first filed by author
   * and source (after migration 0009), or when the logo did. The import renders those again.
   */
  staleScopes: string[] | "all";
  /** Topics, authors and sources whose feeds changed, as scope keys (src/urls.ts), for WebSub notifications (the main feeds always change with anything). */
  changedGroups: string[];
}

/** What the database holds, as far as planning an import needs. */
export interface Existing {
  /** Content hash, and what its listings need, by article id. */
  articles: ReadonlyMap<string, ExistingArticle>;
  /** Name and position by topic slug. */
  topics: ReadonlyMap<string, { name: string; position: number }>;
  /** Content hash of each scheduled article's draft, by id. */
  scheduled: ReadonlyMap<string, string>;
  /** The topic file last imported, as JSON ("" before the first import). */
  definitions: string;
  /** Whether every article is filed under its author and source (false after migration 0009 on a database with articles). */
  bylinesFilled: boolean;
  /** The site's logo and icons the stored responses name (a hash of src/generated/site-images.bin), "" before an import recorded one. */
  siteImages: string;
}

/** An article the database holds, as far as planning needs it. */
interface ExistingArticle extends Changed {
  hash: string;
  published: string;
}

/** The queries whose rows `existingFrom` reads (run through a binding or through wrangler). */
export const EXISTING_QUERIES = [
  "SELECT id, content_hash, slug, topics, author, source, published FROM articles",
  "SELECT slug, name, position FROM topics",
  "SELECT id, content_hash FROM scheduled",
  "SELECT value FROM meta WHERE key = 'topic_definitions'",
  "SELECT value FROM meta WHERE key = 'bylines_filled'",
  "SELECT value FROM meta WHERE key = 'site_images'",
  // Fails on a database from before migration 0009: the import says to apply the migrations before it writes anything.
  "SELECT 1 FROM bylines LIMIT 0",
] as const;

/** What the database holds, from the rows of EXISTING_QUERIES, in their order. */
export function existingFrom([articles, topics, scheduled, definitions, bylines, siteImages]: Record<string, unknown>[][]): Existing {
  return {
    articles: new Map(
      articles!.map((r) => [
        r.id as string,
        {
          hash: r.content_hash as string,
          slug: r.slug as string,
          topics: JSON.parse(r.topics as string) as string[],
          author: (r.author as string | null) ?? null,
          source: (r.source as string | null) ?? null,
          published: r.published as string,
        },
      ]),
    ),
    topics: new Map(topics!.map((r) => [r.slug as string, { name: r.name as string, position: r.position as number }])),
    scheduled: new Map(scheduled!.map((r) => [r.id as string, r.content_hash as string])),
    definitions: (definitions![0]?.value as string | undefined) ?? "",
    // No row: a database from before migration 0009, whose first write fails on the missing table (the import says to apply the migrations).
    bylinesFilled: (bylines?.[0]?.value as string | undefined) !== "0",
    siteImages: (siteImages?.[0]?.value as string | undefined) ?? "",
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
  /** The site's logo and icons the responses are rendered with (a hash): when they changed, every stored response is rendered again. */
  siteImages?: string;
}

/**
 * Compares the compiled folder with what the database holds and plans the writes: new and
 * changed articles upserted with their topic, author and source memberships, topics,
 * authors and sources upserted with their counts, future articles scheduled, the stored responses they make stale deleted, and,
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
  const imagesChanged = options.siteImages !== undefined && options.siteImages !== existing.siteImages;
  const removed = [...new Set([...deleted.filter((id) => existing.articles.has(id)), ...withdrawn])];
  if (
    added.length + updated.length + removed.length + topicsChanged.length + scheduledRows.length + unscheduled.length === 0 &&
    definitions === existing.definitions &&
    existing.bylinesFilled &&
    !imagesChanged
  ) {
    return { statements, added, updated, unchanged, missing, deleted, scheduled: [], staleScopes: [], changedGroups: [] };
  }

  // What the changed articles appear on, before and after: the main listing, the site-wide
  // pages (counts, OPML, the not-found page's recent articles), their topics and their pages.
  const changes: Changed[] = [...changedArticles, ...[...updated, ...removed].map((id) => existing.articles.get(id)!)];
  const everyPage = topicsChanged.length > 0 || !existing.bylinesFilled || imagesChanged;
  const visible = added.length + updated.length + removed.length > 0 || everyPage;
  // A renamed, moved or new topic shows on every page that names topics; the first filing of
  // every article by author and source, on every article page; a new logo, in every feed and page.
  const staleScopes = !visible ? [] : everyPage ? "all" : staleScopesOf(changes);
  const changedGroups = changedGroupsOf(changes);

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
  statements.push(...upsertBylines(changedArticles));
  if (!existing.bylinesFilled) statements.push(...fillBylines(content, existing, new Set([...changedArticles.map((a) => a.id), ...removed])));
  if (imagesChanged)
    statements.push({
      sql: "INSERT INTO meta (key, value) VALUES ('site_images', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      params: [options.siteImages!],
    });
  statements.push(...scheduledRows.map(upsertScheduled));
  statements.push(
    ...upsertTopics(content.topics.map((t, position) => ({ ...t, position })).filter((t) => topicsChanged.includes(content.topics[t.position]!))),
  );
  if (definitions !== existing.definitions) statements.push({ sql: "UPDATE meta SET value = ? WHERE key = 'topic_definitions'", params: [definitions] });
  statements.push(...finishChange(staleScopes, { counts: "recount" }));
  return { statements, added, updated, unchanged, missing, deleted, scheduled: scheduledRows.map((r) => r.id), staleScopes, changedGroups };
}

/**
 * Files every article the import leaves unchanged under its author and source (`done`: the
 * ids the plan writes or removes itself): once, after migration 0009, whose SQL cannot make
 * the slugs. The recount that closes the import counts them.
 */
function fillBylines(content: Content, existing: Existing, done: ReadonlySet<string>): Statement[] {
  const kept = [...existing.articles].filter(([id]) => !done.has(id)).map(([id, a]) => ({ ...a, id }));
  // Named as the folder names them where it has them (newest first), else as the database does.
  const inFolder = new Set(content.articles.map((a) => a.id));
  return [
    // An article the publishing API wrote since the migration is filed already.
    ...bylineMemberships(kept, true),
    ...upsertBylines([...content.articles, ...kept.filter((a) => !inFolder.has(a.id))]),
    { sql: "UPDATE meta SET value = '1' WHERE key = 'bylines_filled'", params: [] },
  ];
}
