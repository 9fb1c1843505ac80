import type { TopicDefinition } from "../../compile/topics";
import { type ContentStore, type Listing, lastCursorIndex, type RecentEntry, type SitemapEntry, type Snapshot } from "../../content/store";
import type { Article } from "../../content/types";
import { type FeedScope, scopeKey } from "../../urls";
import type { ContentHeader } from "./content-pack";
import { Pack, StringTable } from "./pack-file";

/**
 * The content compiled into the worker (src/storage/bundle/content-pack.ts). Opening it reads a
 * small header; each request then decodes only the articles it shows, found by binary
 * search, so the first request of a fresh isolate costs what the thousandth does.
 */
export class PackedStore implements ContentStore {
  private readonly pack: Pack<ContentHeader>;
  private readonly records: StringTable;
  private readonly slugs: StringTable;
  private readonly slugArticles: Uint32Array;
  private readonly groupArticles: Uint32Array;
  /** Where each group's article positions are in `groupArticles`, by scope key (src/urls.ts). */
  private readonly groups: Map<string, { start: number; count: number }>;
  private readonly current: Snapshot;

  constructor(data: ArrayBuffer | Uint8Array<ArrayBuffer>) {
    this.pack = new Pack<ContentHeader>(data);
    const { header } = this.pack;
    if (header.sections.articleMarks === undefined) throw new Error("the bundled content was built by an earlier release: run `npm run content`");
    this.records = new StringTable(this.pack.bytesOf("records"), this.pack.u32("recordOffsets"));
    this.slugs = new StringTable(this.pack.bytesOf("slugText"), this.pack.u32("slugOffsets"));
    this.slugArticles = this.pack.u32("slugArticles");
    this.groupArticles = this.pack.u32("groupArticles");
    this.groups = new Map([
      ...header.topics.map((t) => [scopeKey({ kind: "topic", slug: t.slug }), t] as const),
      ...header.authors.map((a) => [scopeKey({ kind: "author", slug: a.slug }), a] as const),
      ...header.sources.map((s) => [scopeKey({ kind: "source", slug: s.slug }), s] as const),
    ]);
    this.current = {
      // The bundle never changes while the isolate lives.
      version: "bundled",
      topics: header.topics.map(({ slug, name, count }) => ({ topic: { slug, name }, count })),
      authors: header.authors.map(({ slug, name, count }) => ({ slug, name, count })),
      sources: header.sources.map(({ slug, name, count }) => ({ slug, name, count })),
      articleCount: header.articleCount,
      newestUpdate: header.newestUpdate,
    };
  }

  /** Changes with the bundled content: a deploy that changed it has another. */
  get contentId(): string {
    return this.pack.header.contentId;
  }

  /** The topic file the bundle was compiled with. */
  get definitions(): TopicDefinition[] {
    return this.pack.header.definitions ?? [];
  }

  snapshot(): Promise<Snapshot> {
    return Promise.resolve(this.current);
  }

  currentSnapshot(): Snapshot {
    return this.current;
  }

  listing(scope: FeedScope, limit: number, before: string | null): Promise<Listing | null> {
    return Promise.resolve(this.page(scope, limit, before));
  }

  article(slug: string): Promise<Article | null> {
    const at = this.positionOf(slug);
    return Promise.resolve(at === -1 ? null : this.articleAt(at));
  }

  sitemapEntries(offset: number, limit: number): Promise<SitemapEntry[]> {
    const n = this.current.articleCount;
    const entries: SitemapEntry[] = [];
    // Positions count from the newest: the oldest-first index i is position n - 1 - i.
    for (let i = offset; i < Math.min(offset + limit, n); i++) {
      const { slug, updated } = this.articleAt(n - 1 - i);
      entries.push({ slug, updated });
    }
    return Promise.resolve(entries);
  }

  recentEntries(since: string, limit: number): Promise<RecentEntry[]> {
    const entries: RecentEntry[] = [];
    // Newest first: only the articles that are listed are read.
    for (let p = 0; p < this.current.articleCount && entries.length < limit; p++) {
      const { slug, title, published } = this.articleAt(p);
      if (published <= since) break;
      entries.push({ slug, title, published });
    }
    return Promise.resolve(entries);
  }

  /** Every article's mark (content-pack.ts articleMark: its slug and `updated`), sorted: what a later bundle compares with. */
  sortedMarks(): Uint32Array {
    return Uint32Array.from(this.pack.u32("articleMarks")).sort();
  }

  /** The articles whose marks `known` (sorted, from sortedMarks of another bundle) lacks: new or updated since; only those are decoded. */
  unmarkedIn(known: Uint32Array): Article[] {
    const marks = this.pack.u32("articleMarks");
    const out: Article[] = [];
    for (let p = 0; p < marks.length; p++) if (binarySearch(known, marks[p]!) === -1) out.push(this.articleAt(p));
    return out;
  }

  /** The articles updated after `since` (RFC 3339), newest first by publication: only those are decoded. */
  updatedAfter(since: string): Article[] {
    const after = Date.parse(since) / 1000;
    const updated = this.pack.u32("updatedSeconds");
    const out: Article[] = [];
    for (let p = 0; p < updated.length; p++) if (updated[p]! > after) out.push(this.articleAt(p));
    return out;
  }

  private articleAt(position: number): Article {
    return JSON.parse(this.records.at(position)) as Article;
  }

  /** Position (newest first) of the article with this slug, or -1. */
  private positionOf(slug: string): number {
    const i = this.slugs.find(slug);
    return i === -1 ? -1 : this.slugArticles[i]!;
  }

  private page(scope: FeedScope, limit: number, before: string | null): Listing | null {
    // A scope is a list of article positions, ascending: all of them, or a group's.
    let list: { length: number; at: (i: number) => number; indexOf: (position: number) => number };
    if (scope.kind === undefined) {
      const n = this.current.articleCount;
      list = { length: n, at: (i) => i, indexOf: (p) => (p >= 0 && p < n ? p : -1) };
    } else {
      const group = this.groups.get(scopeKey(scope));
      if (group === undefined) return null;
      const positions = this.groupArticles.subarray(group.start, group.start + group.count);
      list = { length: positions.length, at: (i) => positions[i]!, indexOf: (p) => binarySearch(positions, p) };
    }
    let start = 0;
    if (before !== null) {
      const index = list.indexOf(this.positionOf(before));
      if (index === -1) return null;
      start = index + 1;
    }
    const slugAt = (i: number) => this.articleAt(list.at(i)).slug;
    const last = lastCursorIndex(list.length, limit);
    const articles: Article[] = [];
    for (let i = start; i < Math.min(start + limit, list.length); i++) articles.push(this.articleAt(list.at(i)));
    return {
      articles,
      older: start + limit < list.length ? articles.at(-1)!.slug : null,
      newer: start === 0 ? null : { before: start - limit - 1 >= 0 ? slugAt(start - limit - 1) : null },
      last: last === null ? null : slugAt(last),
    };
  }
}

function binarySearch(sorted: Uint32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
