import type { Context } from "hono";
import type { ContentStore, Snapshot } from "../content/store";
import { createRepresentation, type Representation, type RepresentationCache, type ServeOptions } from "../http/representation";
import { serveRepresentation } from "../http/respond";
import type { Env } from "../settings";
import type { Site } from "../site";

/** What routes share: the site of the request and the store it reads from. */
export interface AppVariables {
  site: Site;
  store: ContentStore;
}

export type AppContext = Context<{ Bindings: Env; Variables: AppVariables }>;

/** A body with its type and date, produced only when no rendering is stored yet. */
export interface Rendering {
  body: string;
  contentType: string;
  /** RFC 3339: the newest update among what the body shows. */
  lastModified: string | null;
}

/** What a route asked for does not exist (an unknown page cursor): answered with the 404 page. */
export class NotFound extends Error {
  override name = "NotFound";
}

/**
 * Where a rendered response is kept: per site and content version, by decoded path and
 * the one query parameter that selects content (`before`).
 */
export function representationKey(site: Site, version: string, path: string): string {
  return `${site.key} ${version} ${path}`;
}

/**
 * Serves what `render` produces for this request, rendering it once per isolate and
 * content version: later requests get the stored bytes and validators.
 */
export async function serveRendered(
  c: AppContext,
  snapshot: Snapshot,
  path: string,
  cache: RepresentationCache,
  options: ServeOptions,
  render: () => Promise<Rendering>,
): Promise<Response> {
  const key = representationKey(c.get("site"), snapshot.version, path);
  const rep: Representation = await cache.get(key, async () => {
    const r = await render();
    return createRepresentation(r.body, r.contentType, r.lastModified, options);
  });
  return serveRepresentation(c.req.raw, rep);
}

/** A request that cannot be answered as asked: answered 400 with the message. */
export class BadRequest extends Error {
  override name = "BadRequest";
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
