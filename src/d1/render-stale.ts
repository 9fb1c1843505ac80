/**
 * After a change (an import, a publish over HTTP, a scheduled release): the responses it
 * made stale, rendered again from the database by the worker's own routes and stored, so
 * that the first reader after it meets a stored response, not a rendering. Used by `npm
 * run import` (through wrangler), by the worker after a write, and by the tests and the
 * benchmark (through a D1 binding).
 */
import { packContent } from "../bundle/content-pack";
import { renderPaths } from "../bundle/prerender";
import type { Snapshot } from "../content/store";
import { NOT_FOUND_KEY, responseSiteKey } from "../routes/representations";
import type { Env } from "../settings";
import { resolveSite } from "../site";
import { FEED_FORMATS, feedPath } from "../urls";
import { PAGE_SIZE } from "../views/pages";
import type { D1Like } from "./database";
import type { Content } from "../content/types";
import type { ImportPlan, Statement } from "./plan";
import { d1Version, responseWrites } from "./responses";
import { D1Store } from "./store";

/** What a change made stale: the scopes of src/d1/responses.ts, and the slugs of the articles it wrote. */
export interface Stale {
  staleScopes: readonly string[] | "all";
  written: readonly string[];
}

/**
 * The first page of every stale listing, the site-wide pages, and the pages of the
 * articles the change wrote that those listings show: what readers reach first. (An
 * archive imported in bulk does not render each old article's page: the first request for
 * one renders and stores it.) `listed`: slugs on the first pages of the stale listings.
 */
export function stalePaths(stale: Stale, snapshot: Snapshot, listed: ReadonlySet<string>): string[] {
  const known = new Set(snapshot.topics.map((t) => t.topic.slug));
  const pages = stale.written.filter((slug) => listed.has(slug)).map((slug) => `/articles/${slug}`);
  const paths: string[] = [];
  for (const scope of staleListings(stale, snapshot)) {
    if (scope === "main") paths.push(...FEED_FORMATS.map((f) => feedPath({}, f)), "/");
    else if (scope === "site") paths.push("/topics", "/opml.xml", NOT_FOUND_KEY);
    else if (known.has(scope.slice("topic:".length))) {
      const topic = scope.slice("topic:".length);
      paths.push(...FEED_FORMATS.map((f) => feedPath({ topic }, f)), `/topics/${topic}`);
    }
  }
  return [...paths, ...pages];
}

/** The stale scopes that are listings or site-wide pages (not single articles). */
function staleListings(stale: Stale, snapshot: Snapshot): string[] {
  // Every topic, but those with no article yet: their short pages render on first request.
  if (stale.staleScopes === "all") return ["main", "site", ...snapshot.topics.filter((t) => t.count > 0).map((t) => `topic:${t.topic.slug}`)];
  return stale.staleScopes.filter((s) => !s.startsWith("article:"));
}

/** The import reads through wrangler, many responses at once: it waits longer than a request would. */
const IMPORT_TIMEOUT_MS = 600_000;

/** The stale set of an import: its scopes, and the slugs of the articles it wrote. */
export function importStale(plan: ImportPlan, content: Content): Stale {
  const written = new Set([...plan.added, ...plan.updated]);
  return { staleScopes: plan.staleScopes, written: content.articles.filter((a) => written.has(a.id)).map((a) => a.slug) };
}

export interface StoredRenderings {
  /** Writes of the rendered responses, each kept only while the content version is the one rendered. */
  statements: Statement[];
  count: number;
  bytes: number;
}

/**
 * Renders what a change (already applied to `db`) made stale, for `origin` under the
 * worker's settings `vars`, and returns the statements that store it.
 */
export async function renderStaleResponses(db: D1Like, stale: Stale, vars: Env, origin: string): Promise<StoredRenderings> {
  if (stale.staleScopes !== "all" && stale.staleScopes.length === 0) return { statements: [], count: 0, bytes: 0 };
  const env: Env = { ...vars, STORAGE: "d1", DB: db };
  const site = resolveSite(env, `${origin}/`);
  const store = new D1Store(db, { ttlMs: 60_000, timeoutMs: IMPORT_TIMEOUT_MS });
  const snapshot = await store.snapshot();
  const listed = new Set<string>();
  const count = Math.max(site.settings.feedItemLimit, PAGE_SIZE);
  await Promise.all(
    staleListings(stale, snapshot)
      .filter((s) => s === "main" || s.startsWith("topic:"))
      .map(async (s) => {
        const listing = await store.listing(s === "main" ? {} : { topic: s.slice("topic:".length) }, count, null);
        for (const article of listing?.articles ?? []) listed.add(article.slug);
      }),
  );
  // The bundle is not read in the D1 mode: an empty one stands in.
  const rendered = await renderPaths({ content: packContent({ articles: [], topics: [] }), responses: null }, env, origin, stalePaths(stale, snapshot, listed), IMPORT_TIMEOUT_MS);
  const siteKey = responseSiteKey(origin, site.fingerprint);
  const statements: Statement[] = [];
  let bytes = 0;
  for (const [path, encoded] of rendered) {
    bytes += encoded.identity.byteLength + (encoded.gzip?.byteLength ?? 0) + (encoded.br?.byteLength ?? 0);
    statements.push(...responseWrites(siteKey, path, d1Version(snapshot), encoded));
  }
  return { statements, count: rendered.size, bytes };
}
