import type { Context } from "hono";
import type { Env } from "../config/env";
import type { Site } from "../config/site";
import type { SiteImages } from "../config/site-images";
import type { ContentStore, Snapshot } from "../content/store";
import { serveRepresentation } from "../http/respond";
import type { Rendering, Representations, RequestScope } from "../serve/representations";

/** What routes share: the site of the request, the store it reads from, and where responses come from. */
export interface AppVariables {
  site: Site;
  store: ContentStore;
  representations: Representations;
  /** The site's logo and icons, when the build made them. */
  images: SiteImages | null;
}

export type AppContext = Context<{ Bindings: Env; Variables: AppVariables }>;

/** What a route asked for does not exist (an unknown page cursor): answered with the 404 page. */
export class NotFound extends Error {
  override name = "NotFound";
}

/** What a route asked for existed and was deleted: answered with the 410 page. */
export class Gone extends Error {
  override name = "Gone";
}

/** A request that cannot be answered as asked: answered 400 with the message. */
export class BadRequest extends Error {
  override name = "BadRequest";
}

export function requestScope(c: AppContext): RequestScope {
  return { site: c.get("site"), store: c.get("store"), defer: (work) => defer(c, work) };
}

/** Runs `work` after the response, where the runtime offers that; otherwise lets it run and logs its failure. */
function defer(c: AppContext, work: Promise<unknown>): void {
  const settled = work.catch((error: unknown) => console.error(`deferred write failed: ${(error as Error).message}`));
  let ctx: { waitUntil(work: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    // app.request() in tests and the build has no execution context.
  }
  ctx?.waitUntil(settled);
}

/**
 * Serves the response for `path` (decoded path and the `before` cursor): stored or
 * rendered once per isolate and content version, then served from the same bytes.
 */
export async function serveRendered(c: AppContext, snapshot: Snapshot, path: string, render: () => Promise<Rendering>): Promise<Response> {
  const rep = await c.get("representations").get(requestScope(c), snapshot, path, render);
  return serveRepresentation(c.req.raw, rep);
}

/** Slugs, as the build makes them: the only values `before` can take. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The page cursor of a paged feed or listing: `?before=<article slug>`; other parameters are ignored. */
export function cursorParam(c: AppContext): string | null {
  const before = c.req.query("before");
  if (before === undefined) return null;
  if (!SLUG.test(before)) throw new BadRequest("before must be the slug of an article (lowercase letters, digits and hyphens)");
  return before;
}
