import { Hono } from "hono";
import { Catalog } from "./content/catalog";
import type { Content } from "./content/types";
import { RepresentationCache } from "./http/representation";
import { assetRoutes } from "./routes/assets";
import { feedRoutes } from "./routes/feeds";
import { notFound, pageRoutes } from "./routes/pages";
import { type AppVariables, type Renderer, representationKey } from "./routes/render";
import { serveRepresentation } from "./http/respond";
import { ConfigError, type Env } from "./settings";
import { resolveSite } from "./site";

/** Renderings kept per isolate: every feed and page of a large site, bounded for memory. */
const CACHE_ENTRIES = 2000;

/** The worker for one compiled content set: all lookups are built here, once. */
export function createApp(content: Content): Hono<{ Bindings: Env; Variables: AppVariables }> {
  const renderer: Renderer = { catalog: new Catalog(content), cache: new RepresentationCache(CACHE_ENTRIES) };
  const app = new Hono<{ Bindings: Env; Variables: AppVariables }>();

  // A constant answer for health checks, and the baseline every benchmark figure is measured against.
  app.get("/healthz", () => new Response("ok", { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } }));

  // Everything here is read-only (RFC 9110 §15.5.6: a 405 lists the allowed methods).
  app.use(async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      return c.text("Method not allowed: this site is read-only (GET and HEAD).\n", 405, { Allow: "GET, HEAD" });
    }
    c.set("site", resolveSite(c.env ?? {}, c.req.url));
    await next();
  });

  feedRoutes(app, renderer);
  pageRoutes(app, renderer);
  assetRoutes(app, renderer);
  app.notFound((c) => notFound(c, renderer));
  // The fast path: a GET or HEAD for a response already rendered is answered from the
  // stored bytes without routing. Anything else (a first request, a query string, a
  // percent-encoded path, an error in the settings) takes the routes below, which render
  // and store under the same key.
  const route = app.fetch;
  app.fetch = (request, env, ctx) => {
    const method = request.method;
    if (method === "GET" || method === "HEAD") {
      const url = request.url;
      const pathStart = url.indexOf("/", url.indexOf("//") + 2);
      if (pathStart !== -1 && url.indexOf("?", pathStart) === -1 && url.indexOf("%", pathStart) === -1) {
        try {
          const rep = renderer.cache.peek(representationKey(resolveSite(env ?? {}, url), url.slice(pathStart)));
          if (rep !== undefined) return serveRepresentation(request, rep);
        } catch {
          // Bad settings: the routes answer with the error.
        }
      }
    }
    return route(request, env, ctx);
  };

  app.onError((error, c) => {
    if (error instanceof ConfigError) {
      return c.text(`Configuration error: ${error.message}. Fix it in wrangler.toml [vars].\n`, 500);
    }
    console.error(error);
    return c.text("Internal error.\n", 500);
  });
  return app;
}
