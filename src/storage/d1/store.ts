import type { D1Like } from "../../config/env";
import { groupOf } from "../../content/groups";
import { type ContentStore, type Listing, lastCursorIndex, type RecentEntry, type SitemapEntry, type Snapshot, StorageError } from "../../content/store";
import type { Article } from "../../content/types";
import type { FeedScope } from "../../urls";
import { D1ResponseTable } from "./responses";
import { rowArticle } from "./rows";

export interface D1StoreOptions {
  /** How long the content version read from the database is trusted without asking again. */
  ttlMs: number;
  /** How long a database call may take before it counts as failed. */
  timeoutMs?: number;
  /** After a failed version check, how long the last good snapshot is used before asking again. */
  retryMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
/** Once a release is due, how often the version is read again until the cron has released it. */
const RELEASE_RECHECK_MS = 5_000;
const DEFAULT_RETRY_MS = 5_000;

/**
 * Articles in Cloudflare D1 (schema: migrations/). The snapshot (content version, topics,
 * authors, sources, counts) is read once per `ttlMs` per isolate, so requests for stored renderings, and the
 * 304s, need no query; a rendering that is not stored yet costs one batch of queries.
 * Every failure of the database (an error, a timeout) surfaces as a StorageError; while
 * the version cannot be read, the last one read stays in use, so what was rendered for it
 * keeps being served.
 */
export class D1Store implements ContentStore {
  private cached: { snapshot: Snapshot; validUntil: number } | null = null;
  private loading: Promise<Snapshot> | null = null;
  /** Whether the missing `bylines` table (a database before migration 0009) was logged. */
  private warnedBylines = false;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly retryMs: number;
  readonly responses: D1ResponseTable;

  constructor(
    private readonly db: D1Like,
    options: D1StoreOptions,
  ) {
    this.ttlMs = options.ttlMs;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.responses = new D1ResponseTable(db, (work) => this.guard(work));
  }

  currentSnapshot(): Snapshot | undefined {
    return this.cached !== null && Date.now() < this.cached.validUntil ? this.cached.snapshot : undefined;
  }

  /** After this isolate changed the content: the next request reads the new version. */
  invalidate(): void {
    this.cached = null;
  }

  snapshot(): Promise<Snapshot> {
    const current = this.currentSnapshot();
    if (current !== undefined) return Promise.resolve(current);
    this.loading ??= this.loadSnapshot()
      .catch((error: unknown) => {
        // Stale-if-error: keep the last version read, and ask again after a pause.
        if (this.cached === null) throw error;
        this.cached = { snapshot: this.cached.snapshot, validUntil: Date.now() + Math.min(this.retryMs, Math.max(this.ttlMs, 1)) };
        return this.cached.snapshot;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  /** Runs a database call; a failure, or no answer within the timeout, becomes a StorageError. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StorageError(`D1 did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([work(), timeout]);
    } catch (error) {
      throw error instanceof StorageError ? error : new StorageError(`D1: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async loadSnapshot(): Promise<Snapshot> {
    const read = (withBylines: boolean) =>
      this.db.batch([
        this.db.prepare("SELECT key, value FROM meta"),
        this.db.prepare("SELECT slug, name, article_count FROM topics ORDER BY position"),
        ...(withBylines ? [this.db.prepare("SELECT kind, slug, name, article_count FROM bylines ORDER BY kind, slug")] : []),
      ]);
    const [meta, topics, bylines] = await this.guard(() =>
      read(true).catch((error: Error) => {
        // A worker deployed before migration 0009 was applied: the site serves on, without
        // author and source feeds, and says once what to run.
        if (!/no such table: bylines/.test(error.message)) throw error;
        if (!this.warnedBylines)
          console.error(
            "D1: no table `bylines`: apply the migrations (npx wrangler d1 migrations apply DB --remote); until then there are no author and source feeds and publishing fails",
          );
        this.warnedBylines = true;
        return read(false);
      }),
    );
    const named = (kind: string) =>
      ((bylines?.results ?? []) as { kind: string; slug: string; name: string; article_count: number }[])
        .filter((r) => r.kind === kind)
        .map((r) => ({ slug: r.slug, name: r.name, count: r.article_count }));
    const values = new Map((meta!.results as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    const snapshot: Snapshot = {
      version: `d1-${values.get("version") ?? "0"}`,
      articleCount: Number(values.get("article_count") ?? 0),
      newestUpdate: values.get("newest_updated") ?? "1970-01-01T00:00:00Z",
      homeOrigin: values.get("origin") ?? null,
      topics: (topics!.results as { slug: string; name: string; article_count: number }[]).map((r) => ({
        topic: { slug: r.slug, name: r.name },
        count: r.article_count,
      })),
      authors: named("author"),
      sources: named("source"),
    };
    // A scheduled article is due: the version is checked again from then on (the cron
    // releases it within a minute), so no rendering outlives the release by a full TTL.
    const release = Date.parse(values.get("next_release") ?? "");
    const until = Date.now() + this.ttlMs;
    this.cached = { snapshot, validUntil: Number.isNaN(release) ? until : Math.min(until, Math.max(release, Date.now() + RELEASE_RECHECK_MS)) };
    return snapshot;
  }

  async article(slug: string): Promise<Article | null> {
    const row = await this.guard(() => this.db.prepare("SELECT * FROM articles WHERE slug = ?").bind(slug).first<Record<string, unknown>>());
    return row === null ? null : rowArticle(row);
  }

  async sitemapEntries(offset: number, limit: number): Promise<SitemapEntry[]> {
    // The index of (published, id), read from `offset` on: the sitemaps are rendered on request, not after every write.
    const rows = await this.guard(() =>
      this.db.prepare("SELECT slug, updated FROM articles ORDER BY published ASC, id ASC LIMIT ? OFFSET ?").bind(limit, offset).all<SitemapEntry>(),
    );
    return rows.results;
  }

  async recentEntries(since: string, limit: number): Promise<RecentEntry[]> {
    const rows = await this.guard(() =>
      this.db
        .prepare("SELECT slug, title, published FROM articles WHERE published > ? ORDER BY published DESC, id DESC LIMIT ?")
        .bind(since, limit)
        .all<RecentEntry>(),
    );
    return rows.results;
  }

  async gone(slug: string): Promise<boolean> {
    const row = await this.guard(() => this.db.prepare("SELECT 1 AS gone FROM gone WHERE slug = ?").bind(slug).first<{ gone: number }>());
    return row !== null;
  }

  async listing(scope: FeedScope, limit: number, before: string | null): Promise<Listing | null> {
    const snapshot = await this.snapshot();
    const total = scope.kind === undefined ? snapshot.articleCount : (groupOf(snapshot, scope)?.count ?? 0);
    const q = scope.kind === undefined ? MAIN : scope.kind === "topic" ? TOPIC : BYLINE;
    const scopeParams = scope.kind === undefined ? [] : scope.kind === "topic" ? [scope.slug] : [scope.kind, scope.slug];
    const lastIndex = lastCursorIndex(total, limit);
    const statements = [
      before === null ? this.db.prepare(q.first).bind(...scopeParams, limit + 1) : this.db.prepare(q.after).bind(...scopeParams, before, limit + 1),
      // The last page's cursor, counted from the oldest article: a short index scan.
      this.db.prepare(q.oldest).bind(...scopeParams, lastIndex === null ? 0 : total - 1 - lastIndex),
    ];
    if (before !== null) statements.push(this.db.prepare(q.cursor).bind(...scopeParams, before, limit - 1));
    const [rows, last, cursor] = await this.guard(() => this.db.batch(statements));
    if (before !== null) {
      const found = cursor!.results[0] as { known: number; previous: string | null };
      if (!found.known) return null;
    }
    const articles = (rows!.results as Record<string, unknown>[]).map(rowArticle);
    const more = articles.length > limit;
    if (more) articles.pop();
    return {
      articles,
      older: more ? articles[articles.length - 1]!.slug : null,
      newer: before === null ? null : { before: (cursor!.results[0] as { previous: string | null }).previous },
      last: lastIndex === null ? null : ((last!.results[0] as { slug: string } | undefined)?.slug ?? null),
    };
  }
}

/** The queries of one scope; numbered parameters: the scope's own (from ?1), then those each query names. */
interface ScopeQueries {
  /** limit: the newest articles. */
  first: string;
  /** before, limit: the articles older than `before`. */
  after: string;
  /** offset: the article at that position counted from the oldest. */
  oldest: string;
  /** before, offset: whether `before` is in the scope, and the article `offset + 1` places newer than it. */
  cursor: string;
}

const CURSOR = (n: number) => `(SELECT published, id FROM articles WHERE slug = ?${n})`;

const MAIN: ScopeQueries = {
  first: "SELECT * FROM articles ORDER BY published DESC, id DESC LIMIT ?1",
  after: `SELECT * FROM articles WHERE (published, id) < ${CURSOR(1)} ORDER BY published DESC, id DESC LIMIT ?2`,
  oldest: "SELECT slug FROM articles ORDER BY published ASC, id ASC LIMIT 1 OFFSET ?1",
  cursor: `SELECT EXISTS (SELECT 1 FROM articles WHERE slug = ?1) AS known,
    (SELECT slug FROM articles WHERE (published, id) > (SELECT published, id FROM articles WHERE slug = ?1)
     ORDER BY published ASC, id ASC LIMIT 1 OFFSET ?2) AS previous`,
};

/** A group's queries over its membership table (`join` selects the group by the first `params` parameters). */
function groupQueries(join: string, params: number): ScopeQueries {
  const [p1, p2] = [params + 1, params + 2];
  return {
    first: `SELECT a.* ${join} ORDER BY t.published DESC, t.article_id DESC LIMIT ?${p1}`,
    after: `SELECT a.* ${join} AND (t.published, t.article_id) < ${CURSOR(p1)} ORDER BY t.published DESC, t.article_id DESC LIMIT ?${p2}`,
    oldest: `SELECT a.slug ${join} ORDER BY t.published ASC, t.article_id ASC LIMIT 1 OFFSET ?${p1}`,
    cursor: `SELECT EXISTS (SELECT 1 ${join} AND a.slug = ?${p1}) AS known,
    (SELECT a.slug ${join}
       AND (t.published, t.article_id) > (SELECT published, id FROM articles WHERE slug = ?${p1})
     ORDER BY t.published ASC, t.article_id ASC LIMIT 1 OFFSET ?${p2}) AS previous`,
  };
}

const TOPIC = groupQueries("FROM article_topics t JOIN articles a ON a.id = t.article_id WHERE t.topic = ?1", 1);
const BYLINE = groupQueries("FROM article_bylines t JOIN articles a ON a.id = t.article_id WHERE t.kind = ?1 AND t.slug = ?2", 2);
