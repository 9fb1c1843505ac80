import type { Context } from "hono";
import type { Catalog } from "../content/catalog";
import { createRepresentation, type Representation, type RepresentationCache, type ServeOptions } from "../http/representation";
import { serveRepresentation } from "../http/respond";
import type { Env } from "../settings";
import type { Site } from "../site";

/** What routes share: the content, the site of the request and the rendered responses. */
export interface AppVariables {
  site: Site;
}

export type AppContext = Context<{ Bindings: Env; Variables: AppVariables }>;

export interface Renderer {
  catalog: Catalog;
  cache: RepresentationCache;
}

/** A body with its type and date, produced only when the cache has no rendering yet. */
export interface Rendering {
  body: string;
  contentType: string;
  /** RFC 3339: the newest update among what the body shows. */
  lastModified: string | null;
}

/**
 * Serves what `render` produces for this request's site and path, rendering it once
 * per isolate: later requests get the stored bytes and validators.
 */
export async function serveRendered(
  c: AppContext,
  cache: RepresentationCache,
  options: ServeOptions,
  render: () => Promise<Rendering> | Rendering,
): Promise<Response> {
  const key = representationKey(c.get("site"), c.req.path);
  const rep: Representation = await cache.get(key, async () => {
    const r = await render();
    return createRepresentation(r.body, r.contentType, r.lastModified, options);
  });
  return serveRepresentation(c.req.raw, rep);
}

/** Where a rendered response is kept: per site, by decoded path. */
export function representationKey(site: Site, path: string): string {
  return `${site.key} ${path}`;
}
