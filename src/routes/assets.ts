import type { Hono } from "hono";
import { createRepresentation, type Representation } from "../http/representation";
import { serveRepresentation } from "../http/respond";
import type { Env } from "../settings";
import { ICON, STYLESHEET } from "../views/style";
import { notFound } from "./pages";
import type { RepresentationCache } from "../http/representation";
import type { AppVariables } from "./render";

/** Static files of the pages. Each is served at a path that carries its content hash. */
const SOURCES = {
  stylesheet: { name: "style", extension: "css", type: "text/css; charset=utf-8", body: STYLESHEET },
  icon: { name: "icon", extension: "svg", type: "image/svg+xml", body: ICON },
} as const;

export type AssetPaths = Record<keyof typeof SOURCES, string>;

let assets: Promise<{ paths: AssetPaths; byPath: Map<string, Representation>; icon: Representation }> | undefined;

const IMMUTABLE = { cacheControl: "public, max-age=31536000, immutable", headers: { "X-Content-Type-Options": "nosniff" } };
const DAY = { cacheControl: "public, max-age=86400", headers: { "X-Content-Type-Options": "nosniff" } };

/**
 * Hashed on first use (the runtime allows no crypto at startup). A changed file gets a
 * new URL, so every URL can be cached for a year.
 */
function loadAssets() {
  assets ??= (async () => {
    const paths = {} as Record<keyof typeof SOURCES, string>;
    const byPath = new Map<string, Representation>();
    for (const [key, source] of Object.entries(SOURCES) as [keyof typeof SOURCES, (typeof SOURCES)[keyof typeof SOURCES]][]) {
      const rep = await createRepresentation(source.body, source.type, null, IMMUTABLE);
      const path = `/assets/${source.name}.${rep.identity.etag.slice(1, 13)}.${source.extension}`;
      paths[key] = path;
      byPath.set(path, rep);
    }
    // /favicon.ico has a fixed URL, so it is cached for a day, not a year.
    const icon = await createRepresentation(SOURCES.icon.body, SOURCES.icon.type, null, DAY);
    return { paths, byPath, icon };
  })();
  return assets;
}

export async function assetPaths(): Promise<AssetPaths> {
  return (await loadAssets()).paths;
}

export function assetRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>, cache: RepresentationCache): void {
  app.get("/assets/:file", async (c) => {
    const rep = (await loadAssets()).byPath.get(c.req.path);
    if (rep === undefined) return notFound(c, cache);
    return serveRepresentation(c.req.raw, rep);
  });
  // Browsers ask for /favicon.ico whatever the page says; answer with the icon.
  app.get("/favicon.ico", async (c) => serveRepresentation(c.req.raw, (await loadAssets()).icon));
}
