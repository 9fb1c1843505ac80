/**
 * Where the worker reads articles from: the bundle (src/storage/bundle/packed-store.ts, the
 * default) or D1 (src/storage/d1/store.ts). Routes and renderers see only this interface.
 */
import type { Encoding } from "../http/accept-encoding";
import type { EncodedResponse } from "../http/representation";
import type { CodingBytes } from "../http/response-bytes";
import type { FeedScope } from "../urls";
import type { Article, GroupCount, Topic } from "./types";

export interface TopicCount {
  topic: Topic;
  /** Articles filed under the topic. */
  count: number;
}

/** What every request needs before anything is rendered; small, and cached by the store. */
export interface Snapshot {
  /** Changes whenever the content does: part of the key of every stored rendering. */
  version: string;
  /** Every topic that can be served, in topic order, with zero counts too. */
  topics: readonly TopicCount[];
  /** Every author with a feed, in slug order (in the D1 mode, with zero counts too: their URLs keep answering). */
  authors: readonly GroupCount[];
  /** Every source with a feed, likewise. */
  sources: readonly GroupCount[];
  /** Number of articles. */
  articleCount: number;
  /** Latest `updated` of any article: the date of a listing that has no articles. */
  newestUpdate: string;
  /**
   * Where responses are stored beside the content (D1): the origin the site was imported or
   * published for. With SITE_URL unset it is the one origin whose renderings are stored, so
   * that a request with another Host renders but writes nothing.
   */
  homeOrigin?: string | null;
}

/** An article as the news sitemap lists it. */
export interface RecentEntry {
  slug: string;
  title: string;
  /** RFC 3339. */
  published: string;
}

/** An article as a sitemap lists it. */
export interface SitemapEntry {
  slug: string;
  /** RFC 3339: the sitemap's `lastmod` (W3C Datetime is its profile). */
  updated: string;
}

/**
 * One page of a scope, newest first. Pages are addressed by cursor (RFC 5005 paged
 * feeds): `before` names the article after which a page starts, so a page's URL keeps
 * naming the same articles however many newer ones arrive.
 */
export interface Listing {
  articles: Article[];
  /** `before` of the next (older) page; null on the last page. */
  older: string | null;
  /** The previous (newer) page: null on the first page; `before: null` is the first page. */
  newer: { before: string | null } | null;
  /** `before` of the last page, as reached by following `older`; null when there is one page. */
  last: string | null;
}

export interface ContentStore {
  snapshot(): Promise<Snapshot>;
  /** The snapshot when it is known to be current without a query (for the fast path). */
  currentSnapshot(): Snapshot | undefined;
  /**
   * `limit` articles of the scope, newest first, starting after the article `before`
   * (from the newest when null). Null when `before` names no article of the scope.
   */
  listing(scope: FeedScope, limit: number, before: string | null): Promise<Listing | null>;
  article(slug: string): Promise<Article | null>;
  /** Slug and `updated` of `limit` articles from the `offset`th, oldest first (the sitemaps). */
  sitemapEntries(offset: number, limit: number): Promise<SitemapEntry[]>;
  /** The articles published after `since` (RFC 3339), newest first, at most `limit` (the news sitemap). */
  recentEntries(since: string, limit: number): Promise<RecentEntry[]>;
  /** Whether an article of this slug was deleted (its page answers 410 Gone); only the D1 mode keeps track. */
  gone?(slug: string): Promise<boolean>;
  /** Responses rendered ahead of requests and kept beside the content (the D1 mode). */
  responses?: ResponseTable;
}

/** Rendered responses shared by every isolate, by site key (origin and settings) and path. */
export interface ResponseTable {
  get(siteKey: string, path: string): Promise<EncodedResponse | null>;
  /** Keeps a response rendered on request, unless the content has changed since `snapshot`. */
  put(siteKey: string, snapshot: Snapshot, path: string, response: EncodedResponse): Promise<void>;
  /**
   * One coding of a stored response, `preferred` when on offer, else identity: one read of
   * only the bytes to send, for an isolate that knows nothing yet. Rows are deleted with the
   * content change that makes them stale, so what is stored is current.
   */
  coding(siteKey: string, path: string, preferred: Encoding): Promise<CodingBytes | null>;
}

/** The store could not be read (a database outage, a timeout, a missing table): a temporary condition. */
export class StorageError extends Error {
  override name = "StorageError";
}

/** The page boundaries of a list of `total` articles: indexes of the cursors that start each page. */
export function lastCursorIndex(total: number, limit: number): number | null {
  const lastPage = Math.floor((total - 1) / limit);
  return lastPage >= 1 ? lastPage * limit - 1 : null;
}
