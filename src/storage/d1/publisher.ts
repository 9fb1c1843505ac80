/**
 * Writes to the D1 archive one article at a time: the publishing API (PUT, DELETE) and the
 * release of scheduled articles. Each article runs through the build's own pipeline
 * (src/compile/), and each write is one D1 batch, one transaction: it lands whole or not
 * at all. Reads (GET, the reconciling list) are here too, beside the writes.
 */
import { compileArticle, slugCandidates } from "../../compile/compile";
import { parseContentDate } from "../../compile/dates";
import { ArticleConflict } from "../../compile/errors";
import { type ArticleDraft, parseArticle } from "../../compile/parse-article";
import type { TopicDefinition } from "../../compile/topics";
import type { D1Like, D1Statement } from "../../config/env";
import { articleGuid } from "../../content/ids";
import type { Article, Topic } from "../../content/types";
import { queueRender } from "./render-queue";
import type { ArticleRow } from "./rows";
import { articleRow, rowArticle, rowDraft, scheduledRow } from "./rows";
import type { Statement } from "./sql";
import {
  changedGroups,
  countedWrite,
  deleteArticles,
  finishChange,
  markGone,
  recordOrigin,
  staleScopesOf,
  ungone,
  upsertArticles,
  upsertBylines,
  upsertScheduled,
  upsertTopics,
  writeMemberships,
} from "./statements";

/** What a change made stale and whom to tell: the input of src/publish/after-change.ts. */
export interface Change {
  /** Stored responses to render again (src/storage/d1/responses.ts scopes), "all" when the topic list changed. */
  staleScopes: string[] | "all";
  /** Slugs of the articles written, whose pages are rendered again when a listing shows them. */
  written: string[];
  /** Topics, authors and sources whose feeds changed, as scope keys (src/urls.ts), for WebSub (the main feeds change with any change). */
  changedGroups: string[];
}

/** Where and when the responses a write makes stale are rendered again: queued in the write's transaction (src/storage/d1/render-queue.ts). */
export interface RenderAfter {
  /** The origin to render them for. */
  origin: string;
  /** When (epoch ms): the end of the write's render window. */
  due: number;
}

/** The queue entries of a change: its stale scopes, and the groups whose feeds changed (for the hubs) even when every response went stale. */
function queued(change: Change, after: RenderAfter | null): Statement[] {
  if (after === null) return [];
  const scopes = change.staleScopes === "all" ? ["all", "main", "site", ...change.written.map((slug) => `article:${slug}`)] : change.staleScopes;
  return queueRender(after.origin, [...scopes, ...change.changedGroups], after.due);
}

type PutStatus = "added" | "updated" | "unchanged" | "scheduled";

/** An article as the API describes it. */
export interface ArticleInfo {
  id: string;
  /** Null while it is scheduled: its slug is settled when it is released. */
  slug: string | null;
  published: string;
  updated: string;
  topics: string[];
  status: "published" | "scheduled";
}

export interface PutResult {
  status: PutStatus;
  article: ArticleInfo;
  change: Change | null;
}

/** Tries of a write that lost a race (another write took the same slug meanwhile). */
const ATTEMPTS = 3;

const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export class D1Publisher {
  constructor(
    private readonly db: D1Like,
    /** The topic file bundled with the worker, used until an import stores its own. */
    private readonly bundledDefinitions: TopicDefinition[],
  ) {}

  /**
   * Publishes the article `id` from the text of its file (`markdown`: as a .md file).
   * Throws the build's ContentError when the text cannot be published, ArticleConflict when
   * another article holds its slug or feed id. `origin`: the site's public origin, recorded
   * for the cron that releases scheduled articles and as the origin responses are stored for;
   * `renderDue`: when the responses the write makes stale are rendered again (RenderAfter).
   */
  async put(id: string, bytes: Uint8Array, markdown: boolean, now: number, origin: string, renderDue: number): Promise<PutResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tryPut(id, bytes, markdown, now, { origin, due: renderDue });
      } catch (error) {
        if (attempt >= ATTEMPTS || !isConflict(error)) throw error;
      }
    }
  }

  private async tryPut(id: string, bytes: Uint8Array, markdown: boolean, now: number, after: RenderAfter): Promise<PutResult> {
    const origin = after.origin;
    const state = await this.state(id);
    const existing = state.article;
    // A missing date is the time of the first PUT, kept on later edits; `updated` is the time of the PUT that changes the text.
    const parse = (changed: number | null) =>
      parseArticle(
        {
          path: `${id}.${markdown ? "md" : "txt"}`,
          bytes,
          added: existing ? Date.parse(existing.published) : (state.scheduled?.published ?? now),
          changed,
          modified: now,
        },
        { id },
      );
    // A new article's `updated` is its date; an edit's is re-read below at the time of this PUT.
    let draft = await parse(existing ? Date.parse(existing.updated) : null);

    if (draft.published > now) {
      // Checked now, not only when the cron releases it: a release that cannot land would be retried every minute.
      await this.refuseTakenSlug(draft);
      const row = await scheduledRow(draft);
      const info = scheduledInfo(row.id, row.published, row.updated);
      if (state.scheduled?.hash === row.content_hash && existing === null) return { status: "scheduled", article: info, change: null };
      // A published article whose date moved into the future leaves the site until then.
      const withdrawn = existing === null ? [] : countedWrite([id], deleteArticles([id]));
      const change = existing === null ? null : { staleScopes: staleScopesOf([existing]), written: [], changedGroups: changedGroups([existing]) };
      const statements = [
        upsertScheduled(row),
        recordOrigin(origin),
        ...withdrawn,
        ...finishChange(change?.staleScopes ?? [], { counts: "kept", bump: change !== null }),
        ...(change === null ? [] : queued(change, after)),
      ];
      await this.run(statements);
      return { status: "scheduled", article: info, change };
    }

    let compiled = await this.compile(draft, state);
    let row = await articleRow(compiled.article);
    if (existing !== null && existing.hash === row.content_hash) return { status: "unchanged", article: publishedInfo(compiled.article), change: null };
    if (existing !== null) {
      draft = await parse(now);
      compiled = await this.compile(draft, state);
      row = await articleRow(compiled.article);
    }
    const { statements, change } = this.writeStatements([{ row, article: compiled.article, previous: existing }], compiled.topics, state.topics);
    if (state.scheduled !== null) statements.unshift({ sql: "DELETE FROM scheduled WHERE id = ?", params: [id] });
    statements.push(recordOrigin(origin), ...queued(change, after));
    await this.run(statements);
    return { status: existing === null ? "added" : "updated", article: publishedInfo(compiled.article), change };
  }

  /** Deletes the article `id`: off every feed and listing, its page 410 Gone. False when there is none. */
  async remove(id: string, now: number, after: RenderAfter): Promise<{ found: boolean; change: Change | null }> {
    const state = await this.state(id);
    if (state.article === null && state.scheduled === null) return { found: false, change: null };
    const statements: Statement[] = [{ sql: "DELETE FROM scheduled WHERE id = ?", params: [id] }];
    const old = state.article;
    if (old !== null) statements.push(...countedWrite([id], deleteArticles([id])), ...markGone([{ slug: old.slug, id }], timestamp(now)));
    const change = old === null ? null : { staleScopes: staleScopesOf([old]), written: [], changedGroups: changedGroups([old]) };
    statements.push(...finishChange(change?.staleScopes ?? [], { counts: "kept", bump: change !== null }));
    if (change !== null) statements.push(...queued(change, after));
    await this.run(statements);
    return { found: true, change };
  }

  async get(id: string): Promise<ArticleInfo | null> {
    const [article, scheduled] = await this.db.batch([
      this.db.prepare("SELECT * FROM articles WHERE id = ?").bind(id),
      this.db.prepare("SELECT id, published, updated FROM scheduled WHERE id = ?").bind(id),
    ]);
    const a = article!.results[0] as Record<string, unknown> | undefined;
    if (a !== undefined) return publishedInfo(rowArticle(a));
    const s = scheduled!.results[0] as { id: string; published: string; updated: string } | undefined;
    return s === undefined ? null : scheduledInfo(s.id, s.published, s.updated);
  }

  /** Ids after `after` in code-point order, with their updated dates and state: for a client to reconcile. */
  async list(after: string, limit: number): Promise<{ items: { id: string; updated: string; status: "published" | "scheduled" }[]; more: boolean }> {
    const items = (await this.rows(
      this.db
        .prepare(
          `SELECT id, updated, status FROM (
             SELECT id, updated, 'published' AS status FROM articles WHERE id > ?1
             UNION ALL SELECT id, updated, 'scheduled' AS status FROM scheduled WHERE id > ?1
           ) ORDER BY id LIMIT ?2`,
        )
        .bind(after, limit + 1),
    )) as { id: string; updated: string; status: "published" | "scheduled" }[];
    const more = items.length > limit;
    return { items: more ? items.slice(0, limit) : items, more };
  }

  /** Publishes every scheduled article whose time has come, in one batch (`after`: null when no origin is known to render for). */
  async releaseDue(now: number, after: RenderAfter | null): Promise<{ released: string[]; change: Change | null }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tryRelease(now, after);
      } catch (error) {
        if (attempt >= ATTEMPTS || !isConflict(error)) throw error;
      }
    }
  }

  private async tryRelease(now: number, after: RenderAfter | null): Promise<{ released: string[]; change: Change | null }> {
    const due = await this.rows(this.db.prepare("SELECT id, draft FROM scheduled WHERE published <= ? ORDER BY published, id").bind(timestamp(now)));
    if (due.length === 0) return { released: [], change: null };
    const state = await this.state(null);
    const writes: { row: ArticleRow; article: Article; previous: null }[] = [];
    let topics = state.topics;
    const chosen = new Set<string>();
    for (const draft of due.map(rowDraft)) {
      const compiled = await this.compile(draft, { ...state, topics }, chosen);
      chosen.add(compiled.article.slug);
      topics = compiled.topics;
      writes.push({ row: await articleRow(compiled.article), article: compiled.article, previous: null });
    }
    const { statements, change } = this.writeStatements(writes, topics, state.topics);
    const ids = writes.map((w) => w.article.id);
    statements.unshift({ sql: `DELETE FROM scheduled WHERE id IN (${ids.map(() => "?").join(", ")})`, params: ids });
    statements.push(...queued(change, after));
    await this.run(statements);
    return { released: ids, change };
  }

  /** The statements that write these articles, and what they change. */
  private writeStatements(
    writes: { row: ArticleRow; article: Article; previous: Existing | null }[],
    topics: Topic[],
    before: Topic[],
  ): { statements: Statement[]; change: Change } {
    const known = new Map(before.map((t, position) => [t.slug, { name: t.name, position }]));
    const moved = topics
      .map((t, position) => ({ ...t, position }))
      .filter((t) => known.get(t.slug)?.name !== t.name || known.get(t.slug)?.position !== t.position);
    const previous = writes.flatMap((w) => (w.previous === null ? [] : [w.previous]));
    const changes = [...writes.map((w) => w.article), ...previous];
    // A new topic shows on every page that names topics.
    const staleScopes = moved.length > 0 ? "all" : staleScopesOf(changes);
    const statements = [
      // New topics, authors and sources first: the counts of their first articles are added to their rows.
      ...upsertTopics(moved),
      ...upsertBylines(writes.map((w) => w.article)),
      ...countedWrite(
        writes.map((w) => w.article.id),
        [
          ...upsertArticles(writes.map((w) => w.row)),
          ...writeMemberships(
            writes.map((w) => w.article),
            previous.map((p) => p.id),
          ),
        ],
      ),
      ...ungone(writes.map((w) => w.article.slug)),
      ...finishChange(staleScopes, { counts: "kept", groups: changedGroups(changes) }),
    ];
    return {
      statements,
      change: { staleScopes, written: writes.map((w) => w.article.slug), changedGroups: changedGroups(changes) },
    };
  }

  /** An article compiled against the archive as it is (slugs `alsoTaken` count as taken too). */
  private async compile(draft: ArticleDraft, state: State, alsoTaken: ReadonlySet<string> = new Set()) {
    const taken = await this.takenSlugs(draft.slug ? [draft.slug] : await slugCandidates(draft), draft.id);
    await this.refuseTakenSlug(draft, taken);
    return compileArticle(draft, {
      definitions: state.definitions,
      topics: state.topics,
      taken: (slug) => taken.has(slug) || alsoTaken.has(slug),
      currentSlug: state.article?.slug ?? null,
    });
  }

  /** Which of these slugs other articles hold, and which article holds each. */
  private async takenSlugs(slugs: string[], id: string): Promise<Map<string, string>> {
    const rows = await this.rows(
      this.db.prepare(`SELECT slug, id FROM articles WHERE id != ? AND slug IN (${slugs.map(() => "?").join(", ")})`).bind(id, ...slugs),
    );
    return new Map(rows.map((r) => [r.slug as string, r.id as string]));
  }

  /** Refuses a front matter slug that another article holds: its URL is not this article's to take. */
  private async refuseTakenSlug(draft: ArticleDraft, taken?: Map<string, string>): Promise<void> {
    if (draft.slug === null) return;
    const holder = (taken ?? (await this.takenSlugs([draft.slug], draft.id))).get(draft.slug);
    if (holder !== undefined) throw new ArticleConflict(`front matter slug "${draft.slug}" is the slug of article "${holder}"`);
  }

  /** What a write reads first, in one round trip: the article (published or scheduled), the topics, the topic file, and any other article with its feed id (a conflict). */
  private async state(id: string | null): Promise<State> {
    // Another article with the feed id this id gives (ids differing only in a URL's host case give one).
    const guid = id === null ? "" : await articleGuid(id);
    const [article, scheduled, topics, definitions, sameGuid] = await this.db.batch([
      this.db.prepare("SELECT id, slug, topics, author, source, published, updated, content_hash FROM articles WHERE id = ?").bind(id ?? ""),
      this.db.prepare("SELECT content_hash, published FROM scheduled WHERE id = ?").bind(id ?? ""),
      this.db.prepare("SELECT slug, name FROM topics ORDER BY position"),
      this.db.prepare("SELECT value FROM meta WHERE key = 'topic_definitions'"),
      this.db.prepare("SELECT id FROM articles WHERE guid = ? AND id != ?").bind(guid, id ?? ""),
    ]);
    const guidHolder = (sameGuid!.results[0] as { id: string } | undefined)?.id;
    if (id !== null && guidHolder !== undefined) {
      throw new ArticleConflict(`the id "${id}" gives the feed id "${guid}", which article "${guidHolder}" already has`);
    }
    const a = article!.results[0] as Record<string, string> | undefined;
    const s = scheduled!.results[0] as { content_hash: string; published: string } | undefined;
    const stored = (definitions!.results[0] as { value: string } | undefined)?.value ?? "";
    return {
      article:
        a === undefined
          ? null
          : {
              id: a.id!,
              slug: a.slug!,
              topics: JSON.parse(a.topics!) as string[],
              author: a.author ?? null,
              source: a.source ?? null,
              published: a.published!,
              updated: a.updated!,
              hash: a.content_hash!,
            },
      scheduled: s === undefined ? null : { hash: s.content_hash, published: parseContentDate(s.published)! },
      topics: topics!.results as Topic[],
      definitions: stored === "" ? this.bundledDefinitions : (JSON.parse(stored) as TopicDefinition[]),
    };
  }

  private async rows(statement: D1Statement): Promise<Record<string, unknown>[]> {
    const [result] = await this.db.batch([statement]);
    return result!.results as Record<string, unknown>[];
  }

  private async run(statements: Statement[]): Promise<void> {
    await this.db.batch(statements.map((s) => this.db.prepare(s.sql).bind(...s.params)));
  }
}

interface Existing {
  id: string;
  slug: string;
  topics: string[];
  author: string | null;
  source: string | null;
  published: string;
  updated: string;
  hash: string;
}

interface State {
  article: Existing | null;
  scheduled: { hash: string; published: number } | null;
  topics: Topic[];
  definitions: TopicDefinition[];
}

function publishedInfo(article: Article): ArticleInfo {
  return { id: article.id, slug: article.slug, published: article.published, updated: article.updated, topics: article.topics, status: "published" };
}

function scheduledInfo(id: string, published: string, updated: string): ArticleInfo {
  return { id, slug: null, published, updated, topics: [], status: "scheduled" };
}

/** A write that failed on a UNIQUE constraint lost a race for a slug: worth trying again. */
function isConflict(error: unknown): boolean {
  return /UNIQUE constraint failed/i.test(String((error as Error)?.message ?? error));
}
