import type { Hono } from "hono";
import { createRepresentation, type Representation } from "../http/representation";
import { serveRepresentation } from "../http/respond";
import type { Env } from "../settings";
import { STYLESHEET } from "../views/style";
import { notFound } from "./pages";
import type { AppVariables, Renderer } from "./render";

let stylesheet: Promise<{ path: string; rep: Representation }> | undefined;

/**
 * The stylesheet and its path, which carries the content hash: a changed stylesheet gets
 * a new URL, so the old one can be cached for a year. Hashed on first use (the runtime
 * allows no crypto at startup).
 */
export function stylesheetAsset(): Promise<{ path: string; rep: Representation }> {
  stylesheet ??= createRepresentation(STYLESHEET, "text/css; charset=utf-8", null).then((rep) => ({
    path: `/assets/style.${rep.etag.slice(1, 13)}.css`,
    rep,
  }));
  return stylesheet;
}

const IMMUTABLE = "public, max-age=31536000, immutable";

export function assetRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>, renderer: Renderer): void {
  app.get("/assets/:file", async (c) => {
    const { path, rep } = await stylesheetAsset();
    if (c.req.path !== path) return notFound(c, renderer);
    return serveRepresentation(c.req.raw, rep, { cacheControl: IMMUTABLE, headers: { "X-Content-Type-Options": "nosniff" } });
  });
}
