/**
 * After a change (an import, a publish over HTTP, a scheduled release): the responses it
 * made stale, rendered again from the database by the worker's own routes and stored, so
 * that the first reader after it meets a stored response, not a rendering. Used by `npm
 * run import` (through wrangler), by the worker after a write, and by the tests and the
 * benchmark (through a D1 binding).
 */
import type { D1Like, Env } from "../config/env";
import { resolveSite } from "../config/site";
import { groupOf } from "../content/groups";
import type { Content } from "../content/types";
import { responseSiteKey } from "../serve/representations";
import type { ImportPlan } from "../storage/d1/import-plan";
import { d1Version, responseWrites } from "../storage/d1/responses";
import type { Statement } from "../storage/d1/sql";
import { D1Store } from "../storage/d1/store";
import { type FeedScope, groupOfKey } from "../urls";
import { firstListed, listingsAhead, pathsAhead } from "./paths";
import type { Renderer } from "./renderer";

/** What a change made stale: the scopes of src/storage/d1/responses.ts, and the slugs of the articles it wrote. */
export interface Stale {
  staleScopes: readonly string[] | "all";
  written: readonly string[];
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
 * worker's settings `vars`: the first page of every stale listing, the site-wide pages,
 * and the pages of the articles the change wrote that those listings show (an archive
 * imported in bulk does not render each old article's page: its first request does).
 * Returns the statements that store them.
 */
export async function renderStaleResponses(db: D1Like, stale: Stale, vars: Env, origin: string, render: Renderer): Promise<StoredRenderings> {
  if (stale.staleScopes !== "all" && stale.staleScopes.length === 0) return { statements: [], count: 0, bytes: 0 };
  const env: Env = { ...vars, STORAGE: "d1", DB: db };
  const site = resolveSite(env, `${origin}/`);
  const store = new D1Store(db, { ttlMs: 60_000, timeoutMs: IMPORT_TIMEOUT_MS });
  const snapshot = await store.snapshot();
  const listings: FeedScope[] = [];
  let siteWide = false;
  if (stale.staleScopes === "all") {
    // Every topic but those with no article (their short pages render on first request), and the busiest authors and sources.
    listings.push(...listingsAhead(snapshot, true));
    siteWide = true;
  } else {
    for (const scope of stale.staleScopes) {
      const group = groupOfKey(scope);
      if (scope === "main") listings.push({});
      else if (scope === "site") siteWide = true;
      else if (group !== null && groupOf(snapshot, group) !== undefined) listings.push(group);
    }
  }
  // An article's scope can come due apart from its listings' (each write's new rows get that
  // write's own time; the listings keep the window's first): the main listing says whether
  // it is one readers reach first all the same.
  const main = stale.written.length > 0 && !listings.some((scope) => scope.kind === undefined);
  const listed = await firstListed(store, site.settings, main ? [...listings, {}] : listings);
  const written = stale.written.filter((slug) => listed.has(slug));
  const rendered = await render(env, origin, pathsAhead(listings, siteWide, written), IMPORT_TIMEOUT_MS);
  const siteKey = responseSiteKey(origin, site.fingerprint);
  const statements: Statement[] = [];
  let bytes = 0;
  for (const [path, encoded] of rendered) {
    bytes += encoded.identity.byteLength + (encoded.gzip?.byteLength ?? 0) + (encoded.br?.byteLength ?? 0);
    statements.push(...responseWrites(siteKey, path, d1Version(snapshot), encoded));
  }
  return { statements, count: rendered.size, bytes };
}
