import type { D1Like } from "../../config/env";
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
 * counts) is read once per `ttlMs` per isolate, so requests for stored renderings, and the
 * 304s, need no query; a rendering that is not stored yet costs one batch of queries.
 * Every failure of the database (an error, a timeout) surfaces as a StorageError; while
 * the version cannot be read, the last one read stays in use, so what was rendered for it
 * keeps being served.
 */
export class D1Store implements ContentStore {
  private cached: { snapshot: Snapshot; validUntil: number } | null = null;
  private loading: Promise<Snapshot> | null = null;
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
    const [meta, topics] = await this.guard(() =>
      this.db.batch([this.db.prepare("SELECT key, value FROM meta"), this.db.prepare("SELECT slug, name, article_count FROM topics ORDER BY position")]),
    );
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
    const total = scope.topic === undefined ? snapshot.articleCount : (snapshot.topics.find((t) => t.topic.slug === scope.topic)?.count ?? 0);
    const q = scope.topic === undefined ? MAIN : topicQueries(scope.topic);
    const lastIndex = lastCursorIndex(total, limit);
    const statements = [
      before === null ? this.db.prepare(q.first).bind(...q.scopeParams, limit + 1) : this.db.prepare(q.after).bind(...q.scopeParams, before, limit + 1),
      // The last page's cursor, counted from the oldest article: a short index scan.
      this.db.prepare(q.oldest).bind(...q.scopeParams, lastIndex === null ? 0 : total - 1 - lastIndex),
    ];
    if (before !== null) statements.push(this.db.prepare(q.cursor).bind(...q.scopeParams, before, limit - 1));
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

/** The queries of one scope; `?` parameters: the scope's own, then the listed ones. */
interface ScopeQueries {
  scopeParams: string[];
  /** limit: the newest articles. */
  first: string;
  /** before, limit: the articles older than `before`. */
  after: string;
  /** offset: the article at that position counted from the oldest. */
  oldest: string;
  /** before, offset: whether `before` is in the scope, and the article `offset + 1` places newer than it. */
  cursor: string;
}

const CURSOR = "(SELECT published, id FROM articles WHERE slug = ?)";

const MAIN: ScopeQueries = {
  scopeParams: [],
  first: "SELECT * FROM articles ORDER BY published DESC, id DESC LIMIT ?",
  after: `SELECT * FROM articles WHERE (published, id) < ${CURSOR} ORDER BY published DESC, id DESC LIMIT ?`,
  oldest: "SELECT slug FROM articles ORDER BY published ASC, id ASC LIMIT 1 OFFSET ?",
  cursor: `SELECT EXISTS (SELECT 1 FROM articles WHERE slug = ?1) AS known,
    (SELECT slug FROM articles WHERE (published, id) > (SELECT published, id FROM articles WHERE slug = ?1)
     ORDER BY published ASC, id ASC LIMIT 1 OFFSET ?2) AS previous`,
};

function topicQueries(topic: string): ScopeQueries {
  const join = "FROM article_topics t JOIN articles a ON a.id = t.article_id WHERE t.topic = ?";
  return {
    scopeParams: [topic],
    first: `SELECT a.* ${join} ORDER BY t.published DESC, t.article_id DESC LIMIT ?`,
    after: `SELECT a.* ${join} AND (t.published, t.article_id) < ${CURSOR} ORDER BY t.published DESC, t.article_id DESC LIMIT ?`,
    oldest: `SELECT a.slug ${join} ORDER BY t.published ASC, t.article_id ASC LIMIT 1 OFFSET ?`,
    cursor: `SELECT EXISTS (SELECT 1 FROM article_topics t JOIN articles a ON a.id = t.article_id WHERE t.topic = ?1 AND a.slug = ?2) AS known,
    (SELECT a.slug FROM article_topics t JOIN articles a ON a.id = t.article_id WHERE t.topic = ?1
       AND (t.published, t.article_id) > (SELECT published, id FROM articles WHERE slug = ?2)
     ORDER BY t.published ASC, t.article_id ASC LIMIT 1 OFFSET ?3) AS previous`,
  };
}
