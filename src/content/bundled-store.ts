import type { FeedScope } from "../urls";
import { Catalog } from "./catalog";
import { type ContentStore, type Listing, lastCursorIndex, type Snapshot } from "./store";
import type { Article, Content } from "./types";

/** The content compiled into the worker: every answer is a lookup in memory. */
export class BundledStore implements ContentStore {
  private readonly catalog: Catalog;
  private readonly current: Snapshot;
  /** Position of each article in each list, for cursors: built per list on first use. */
  private readonly positions = new Map<string, Map<string, number>>();

  constructor(content: Content) {
    this.catalog = new Catalog(content);
    this.current = {
      // The bundle never changes while the isolate lives.
      version: "bundled",
      topics: this.catalog.topics.map(({ topic, articles }) => ({ topic, count: articles.length })),
      articleCount: content.articles.length,
      newestUpdate: this.catalog.newestUpdate,
    };
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
    return Promise.resolve(this.catalog.article(slug) ?? null);
  }

  private page(scope: FeedScope, limit: number, before: string | null): Listing | null {
    const key = scope.topic ?? "";
    const list = scope.topic === undefined ? this.catalog.articles : this.catalog.topic(scope.topic)?.articles;
    if (list === undefined) return null;
    let start = 0;
    if (before !== null) {
      let index = this.positions.get(key);
      if (index === undefined) {
        index = new Map(list.map((a, i) => [a.slug, i]));
        this.positions.set(key, index);
      }
      const position = index.get(before);
      if (position === undefined) return null;
      start = position + 1;
    }
    const last = lastCursorIndex(list.length, limit);
    return {
      articles: list.slice(start, start + limit),
      older: start + limit < list.length ? list[start + limit - 1]!.slug : null,
      newer: start === 0 ? null : { before: start - limit - 1 >= 0 ? list[start - limit - 1]!.slug : null },
      last: last === null ? null : list[last]!.slug,
    };
  }
}
