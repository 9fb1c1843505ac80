import { Hono } from "hono";
import { BundledStore } from "./content/bundled-store";
import type { ContentStore } from "./content/store";
import type { Content } from "./content/types";
import type { D1Like } from "./d1/database";
import { D1Store } from "./d1/store";
import { RepresentationCache } from "./http/representation";
import { serveRepresentation } from "./http/respond";
import { assetRoutes } from "./routes/assets";
import { feedRoutes } from "./routes/feeds";
import { notFound, pageRoutes } from "./routes/pages";
import { type AppVariables, BadRequest, NotFound, representationKey } from "./routes/render";
import { ConfigError, type Env, type Settings } from "./settings";
import { resolveSite } from "./site";

/** Renderings kept per isolate: every feed and page of a large site, bounded for memory. */
const CACHE_ENTRIES = 2000;
const CACHE_BYTES = 48 * 1024 * 1024;

/**
 * The worker. `content` is the compiled bundle, served unless wrangler.toml selects the
 * D1 mode (STORAGE = "d1" and a D1 binding named DB).
 */
export function createApp(content: Content): Hono<{ Bindings: Env; Variables: AppVariables }> {
  const cache = new RepresentationCache(CACHE_ENTRIES, CACHE_BYTES);
  const bundled = new BundledStore(content);
  const databases = new WeakMap<D1Like, D1Store>();
  const storeFor = (env: Env, settings: Settings): ContentStore => {
    if (settings.storage !== "d1") return bundled;
    let store = databases.get(env.DB!);
    if (store === undefined) {
      store = new D1Store(env.DB!, settings.contentTtl * 1000);
      databases.set(env.DB!, store);
    }
    return store;
  };

  const app = new Hono<{ Bindings: Env; Variables: AppVariables }>();

  // A constant answer for health checks, and the baseline every benchmark figure is measured against.
  app.get("/healthz", () => new Response("ok", { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } }));

  // Everything here is read-only (RFC 9110 §15.5.6: a 405 lists the allowed methods).
  app.use(async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      return c.text("Method not allowed: this site is read-only (GET and HEAD).\n", 405, { Allow: "GET, HEAD" });
    }
    const site = resolveSite(c.env ?? {}, c.req.url);
    c.set("site", site);
    c.set("store", storeFor(c.env ?? {}, site.settings));
    await next();
  });

  feedRoutes(app, cache);
  pageRoutes(app, cache);
  assetRoutes(app, cache);
  app.notFound((c) => notFound(c, cache));
  app.onError((error, c) => {
    if (error instanceof NotFound) return notFound(c, cache);
    if (error instanceof BadRequest) return c.text(`Bad request: ${error.message}.\n`, 400);
    if (error instanceof ConfigError) {
      return c.text(`Configuration error: ${error.message}. Fix it in wrangler.toml [vars].\n`, 500);
    }
    console.error(error);
    return c.text("Internal error.\n", 500);
  });

  // The fast path: a GET or HEAD for a response already rendered for the current content
  // is answered from the stored bytes without routing. Anything else (a first request, a
  // query string, a percent-encoded path, a content version due for a check, bad
  // settings) takes the routes above, which render and store under the same key.
  const route = app.fetch;
  app.fetch = (request, env, ctx) => {
    const method = request.method;
    if (method === "GET" || method === "HEAD") {
      const url = request.url;
      const pathStart = url.indexOf("/", url.indexOf("//") + 2);
      if (pathStart !== -1 && url.indexOf("?", pathStart) === -1 && url.indexOf("%", pathStart) === -1) {
        try {
          const site = resolveSite(env ?? {}, url);
          const snapshot = storeFor(env ?? {}, site.settings).currentSnapshot();
          const rep = snapshot && cache.peek(representationKey(site, snapshot.version, url.slice(pathStart)));
          if (rep) return serveRepresentation(request, rep);
        } catch {
          // Bad settings: the routes answer with the error.
        }
      }
    }
    return route(request, env, ctx);
  };
  return app;
}
