/**
 * The fast path: a GET or HEAD for a response at hand (stored by the build, or rendered
 * already for the current content) is answered from its bytes without routing; in the D1
 * mode, an isolate that knows no current content version reads, in one query, the one
 * coding it sends of the stored response, and learns the version after answering.
 * Anything else (a query string, a percent-encoded path, a response not stored, bad
 * settings) takes the routes, which render and keep it.
 */
import type { ExecutionContext } from "hono";
import type { Env } from "../config/env";
import { resolveSite } from "../config/site";
import { clientAcceptEncoding, serveRepresentation } from "../http/respond";
import type { Stores } from "../storage/stores";
import type { Representations } from "./representations";

/** Paths never stored as responses: the health check, the API, the images, the reader counts, the news sitemap (per slice of time). */
const UNSTORED = /^\/(?:healthz$|api(?:\/|$)|media\/|stats(?:\.json|\.csv)?$|news-sitemap\.xml$)/;

export type WorkerFetch = (request: Request, env?: Env | object, ctx?: ExecutionContext) => Response | Promise<Response>;

export function withFastPath(route: WorkerFetch, stores: Stores, representations: Representations): WorkerFetch {
  return (request, env, ctx) => {
    const method = request.method;
    if (method === "GET" || method === "HEAD") {
      const url = request.url;
      const pathStart = url.indexOf("/", url.indexOf("//") + 2);
      if (pathStart !== -1 && url.indexOf("?", pathStart) === -1 && url.indexOf("%", pathStart) === -1 && !UNSTORED.test(url.slice(pathStart))) {
        try {
          const site = resolveSite(env ?? {}, url);
          const store = stores.store(env ?? {}, site.settings);
          const path = url.slice(pathStart);
          const snapshot = store.currentSnapshot();
          const rep = snapshot && representations.peek(site, snapshot, path);
          if (rep) return serveRepresentation(request, rep);
          if (snapshot === undefined && store.responses !== undefined) {
            return representations.coldRead(site, store, path, clientAcceptEncoding(request)).then(
              (stored) => {
                if (stored === undefined) return route(request, env, ctx);
                // Then the isolate reads the content version, so that its next request finds it at
                // hand: on the next turn, once the answer is on its way (started in this turn, the
                // read's setup delayed a fresh isolate's answer by about 1 ms, bench/fresh.ts).
                const loading = new Promise((resolve) => setTimeout(resolve, 0)).then(() => store.snapshot()).catch(() => undefined);
                ctx?.waitUntil(loading);
                return serveRepresentation(request, stored);
              },
              // The routes answer a failing database (stale, or 503).
              () => route(request, env, ctx),
            );
          }
        } catch {
          // Bad settings: the routes answer with the error.
        }
      }
    }
    return route(request, env, ctx);
  };
}
