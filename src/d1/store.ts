import { type ContentStore, type Listing, lastCursorIndex, type Snapshot } from "../content/store";
import type { Article } from "../content/types";
import type { FeedScope } from "../urls";
import type { D1Like } from "./database";
import { rowArticle } from "./plan";

/**
 * Articles in Cloudflare D1 (schema: migrations/). The snapshot (content version, topics,
 * counts) is read once per `ttlMs` per isolate, so requests for stored renderings, and the
 * 304s, need no query; a rendering that is not stored yet costs one batch of queries.
 */
export class D1Store implements ContentStore {
  private cached: { snapshot: Snapshot; fetchedAt: number } | null = null;
  private loading: Promise<Snapshot> | null = null;

  constructor(
    private readonly db: D1Like,
    private readonly ttlMs: number,
  ) {}

  currentSnapshot(): Snapshot | undefined {
    return this.cached !== null && Date.now() - this.cached.fetchedAt < this.ttlMs ? this.cached.snapshot : undefined;
  }

  snapshot(): Promise<Snapshot> {
    const current = this.currentSnapshot();
    if (current !== undefined) return Promise.resolve(current);
    this.loading ??= this.loadSnapshot().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async loadSnapshot(): Promise<Snapshot> {
    const [meta, topics] = await this.db.batch([
      this.db.prepare("SELECT key, value FROM meta"),
      this.db.prepare("SELECT slug, name, article_count FROM topics ORDER BY position"),
    ]);
    const values = new Map((meta!.results as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    const snapshot: Snapshot = {
      version: `d1-${values.get("version") ?? "0"}`,
      articleCount: Number(values.get("article_count") ?? 0),
      newestUpdate: values.get("newest_updated") ?? "1970-01-01T00:00:00Z",
      topics: (topics!.results as { slug: string; name: string; article_count: number }[]).map((r) => ({
        topic: { slug: r.slug, name: r.name },
        count: r.article_count,
      })),
    };
    this.cached = { snapshot, fetchedAt: Date.now() };
    return snapshot;
  }

  async article(slug: string): Promise<Article | null> {
    const row = await this.db.prepare("SELECT * FROM articles WHERE slug = ?").bind(slug).first<Record<string, unknown>>();
    return row === null ? null : rowArticle(row);
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
    const [rows, last, cursor] = await this.db.batch(statements);
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
