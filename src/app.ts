import { Hono } from "hono";
import { apiRoutes } from "./api/routes";
import { D1Publisher } from "./d1/publisher";
import { runCron } from "./publish/cron";
import { PackedStore } from "./bundle/packed-store";
import { PackedResponses } from "./bundle/response-pack";
import { type ContentStore, StorageError } from "./content/store";
import type { D1Like } from "./d1/database";
import { sampleStoredCoding } from "./d1/responses";
import { D1Store } from "./d1/store";
import { RepresentationCache } from "./http/representation-cache";
import { chooseEncoding } from "./http/accept-encoding";
import { notModifiedVariant } from "./http/conditional";
import { toRepresentation } from "./http/representation";
import { clientAcceptEncoding, serveRepresentation } from "./http/respond";
import { ThrottledLog } from "./http/throttled-log";
import { assetRoutes } from "./routes/assets";
import { feedRoutes } from "./routes/feeds";
import { mediaRoutes } from "./routes/media";
import { gone, notFound, pageRoutes } from "./routes/pages";
import { type AppVariables, BadRequest, Gone, NotFound } from "./routes/render";
import { type Collector, Representations } from "./routes/representations";
import { ConfigError, type Env, type Settings } from "./settings";
import { resolveSite } from "./site";

/** Renderings kept per isolate: every feed and page of a large site, bounded for memory. */
const CACHE_ENTRIES = 2000;
const CACHE_BYTES = 48 * 1024 * 1024;

/** Paths never stored as responses: the health check, the API, the images. */
const UNSTORED = /^\/(?:healthz$|api(?:\/|$)|media\/)/;

/** Seconds a reader is asked to wait before retrying while the database is unavailable. */
const RETRY_AFTER_SECONDS = 30;

/** What the build compiles into the worker (src/generated/*.bin, imported as Data modules). */
export interface Bundle {
  /** The articles, packed (src/bundle/content-pack.ts). */
  content: ArrayBuffer | Uint8Array<ArrayBuffer>;
  /** Responses rendered at build time for one origin (src/bundle/response-pack.ts), or null. */
  responses: ArrayBuffer | Uint8Array<ArrayBuffer> | null;
}

export interface AppOptions {
  /**
   * The build and the import: every response is rendered (none is read from storage or
   * written to it) and handed to `collect` as it is made.
   */
  collect?: Collector;
  /** How long a database call may take before it counts as failed (the import, rendering many responses at once, allows more). */
  databaseTimeoutMs?: number;
  /** How WebSub hubs are reached (fetch; the tests give a stand-in that records). */
  fetchHub?: typeof fetch;
  /**
   * The worker's environment at startup, where the runtime offers it (`env` of
   * cloudflare:workers): the app then reads its settings and runs its lookup of a stored
   * response once at startup (see prepare below).
   */
  startupEnv?: Env;
}

/**
 * The worker. It serves the bundle unless wrangler.toml selects the D1 mode
 * (STORAGE = "d1" and a D1 binding named DB).
 */
/** The worker: a Hono app (fetch) with the Cron Trigger's handler (scheduled). */
export type WorkerApp = Hono<{ Bindings: Env; Variables: AppVariables }> & {
  scheduled: (controller: { scheduledTime: number }, env: Env, ctx: { waitUntil(work: Promise<unknown>): void }) => Promise<void>;
};

export function createApp(bundle: Bundle, options: AppOptions = {}): WorkerApp {
  const built = bundle.responses === null ? null : new PackedResponses(bundle.responses);
  const representations = new Representations(new RepresentationCache(CACHE_ENTRIES, CACHE_BYTES), built, options.collect ?? null);
  const bundled = new PackedStore(bundle.content);
  const databases = new WeakMap<D1Like, D1Store>();
  const storeFor = (env: Env, settings: Settings): ContentStore => {
    if (settings.storage !== "d1") return bundled;
    let store = databases.get(env.DB!);
    if (store === undefined) {
      store = new D1Store(env.DB!, { ttlMs: settings.contentTtl * 1000, timeoutMs: options.databaseTimeoutMs });
      databases.set(env.DB!, store);
    }
    return store;
  };
  const outage = new ThrottledLog(60_000);

  const app = new Hono<{ Bindings: Env; Variables: AppVariables }>();

  // A constant answer for health checks, and the baseline every benchmark figure is measured against.
  app.get("/healthz", () => new Response("ok", { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } }));

  // The site is read-only (RFC 9110 §15.5.6: a 405 lists the allowed methods); the
  // publishing API under /api has its own rules.
  app.use(async (c, next) => {
    const api = c.req.path === "/api" || c.req.path.startsWith("/api/");
    if (!api && c.req.method !== "GET" && c.req.method !== "HEAD") {
      return c.text("Method not allowed: this site is read-only (GET and HEAD).\n", 405, { Allow: "GET, HEAD" });
    }
    const site = resolveSite(c.env ?? {}, c.req.url);
    c.set("site", site);
    c.set("store", storeFor(c.env ?? {}, site.settings));
    c.set("representations", representations);
    await next();
  });

  const publishers = new WeakMap<D1Like, D1Publisher>();
  const publisherFor = (db: D1Like) => {
    let publisher = publishers.get(db);
    if (publisher === undefined) {
      publisher = new D1Publisher(db, bundled.definitions);
      publishers.set(db, publisher);
    }
    return publisher;
  };
  apiRoutes(app, { publisher: publisherFor, send: options.fetchHub });
  feedRoutes(app);
  pageRoutes(app);
  mediaRoutes(app);
  assetRoutes(app);
  app.notFound((c) => notFound(c));
  app.onError((error, c) => {
    if (error instanceof NotFound) return notFound(c);
    if (error instanceof Gone) return gone(c);
    if (error instanceof BadRequest) return c.text(`Bad request: ${error.message}.\n`, 400);
    if (error instanceof ConfigError) {
      return c.text(`Configuration error: ${error.message}. Fix it in wrangler.toml [vars].\n`, 500);
    }
    if (error instanceof StorageError) {
      // RFC 9110 §15.6.4: a temporary condition; readers retry after the delay.
      outage.report(`storage unavailable, answering 503 for what is not stored: ${error.message}`);
      return c.text("Service unavailable: the article database cannot be read right now. Try again shortly.\n", 503, {
        "Retry-After": String(RETRY_AFTER_SECONDS),
        "Cache-Control": "no-store",
      });
    }
    console.error(error);
    return c.text("Internal error.\n", 500);
  });

  // The fast path: a GET or HEAD for a response at hand (stored by the build, or rendered
  // already for the current content) is answered from its bytes without routing; in the D1
  // mode, an isolate that knows no current content version reads, in one query, the one
  // coding it sends of the stored response, and learns the version after answering.
  // Anything else (a query string, a percent-encoded path, a response not stored, bad
  // settings) takes the routes above, which render and keep it.
  const route = app.fetch;
  app.fetch = (request, env, ctx) => {
    const method = request.method;
    if (method === "GET" || method === "HEAD") {
      const url = request.url;
      const pathStart = url.indexOf("/", url.indexOf("//") + 2);
      if (pathStart !== -1 && url.indexOf("?", pathStart) === -1 && url.indexOf("%", pathStart) === -1 && !UNSTORED.test(url.slice(pathStart))) {
        try {
          const site = resolveSite(env ?? {}, url);
          const store = storeFor(env ?? {}, site.settings);
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
  if (options.startupEnv !== undefined) prepare(options.startupEnv);
  const worker = app as WorkerApp;
  worker.scheduled = async (controller, env) => {
    const settings = resolveSite(env, "https://cron.invalid/").settings;
    if (settings.storage !== "d1") return;
    await runCron({ env, settings, publisher: publisherFor(env.DB!), store: storeFor(env, settings) as D1Store, now: controller.scheduledTime, send: options.fetchHub });
  };
  return worker;

  /**
   * Cloudflare starts an isolate while the TLS handshake runs, so work done at startup is
   * hidden from the reader, while work on the first request is not. Reading the settings
   * and running the stored-response lookup once here (no I/O, no Response: neither is
   * allowed at startup) means the first request runs code already compiled and finds its
   * settings read; measured in bench/ (fresh isolates), it saves about a millisecond.
   */
  function prepare(env: Env): void {
    try {
      const site = resolveSite(env, `${built?.origin || "https://startup.invalid"}/`);
      const store = storeFor(env, site.settings);
      const snapshot = store.currentSnapshot();
      // The D1 mode's first request reads one coding of a stored response (coldRead) by the
      // site's key, worked out here; its decoding runs here once on a made-up one.
      if (store.responses !== undefined) representations.siteKey(site);
      const rep = snapshot ? representations.peek(site, snapshot, "/") : store.responses && toRepresentation(sampleStoredCoding().response);
      if (rep) {
        const variant = rep[chooseEncoding("gzip, br", rep.codings)] ?? rep.identity;
        void variant.headers;
        notModifiedVariant(new Headers({ "If-None-Match": variant.etag }), rep, variant);
      }
    } catch {
      // Bad settings: the first request answers with the error.
    }
  }
}
