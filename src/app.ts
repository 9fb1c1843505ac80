/**
 * The worker, wired: its settings and store per request, the routes, the answers to
 * errors, the fast path in front, the Cron Trigger's handler, and the renderer that the
 * build, the import and every change render ahead with.
 */
import { Hono } from "hono";
import { type Renderer, rendererOf } from "./ahead/renderer";
import { apiRoutes } from "./api/routes";
import type { Env } from "./config/env";
import type { Settings } from "./config/settings";
import { resolveSite } from "./config/site";
import { RepresentationCache } from "./http/representation-cache";
import { runCron } from "./publish/cron";
import { submitDeployChanges } from "./publish/indexnow-bundle";
import { keepReaderDays } from "./publish/reader-days";
import { assetRoutes } from "./routes/assets";
import type { AppVariables } from "./routes/context";
import { errorAnswers } from "./routes/errors";
import { feedRoutes } from "./routes/feeds";
import { hubRoutes } from "./routes/hub";
import { mediaRoutes } from "./routes/media";
import { notFound } from "./routes/missing";
import { pageRoutes } from "./routes/pages";
import { siteRoutes } from "./routes/site";
import { sitemapRoutes } from "./routes/sitemaps";
import { statsRoutes } from "./routes/stats";
import { withFastPath } from "./serve/fast-path";
import { ReaderCounter, withReaderCounts } from "./serve/reader-counts";
import { type Collector, Representations } from "./serve/representations";
import { warmUp } from "./serve/warm-up";
import { packContent } from "./storage/bundle/content-pack";
import { PackedResponses } from "./storage/bundle/response-pack";
import { readSiteImages } from "./storage/bundle/site-images-pack";
import { d1Version } from "./storage/d1/responses";
import { Stores } from "./storage/stores";
import { fingerprint } from "./text/hash";
import { type HubPusher, ownHub, pushFeeds, type ServedFeed, syncFeeds } from "./websub/hub-push";

/** Renderings kept per isolate: every feed and page of a large site, bounded for memory. */
const CACHE_ENTRIES = 2000;
const CACHE_BYTES = 48 * 1024 * 1024;

/** What the build compiles into the worker (src/generated/*.bin, imported as Data modules). */
export interface Bundle {
  /** The articles, packed (src/storage/bundle/content-pack.ts). */
  content: ArrayBuffer | Uint8Array<ArrayBuffer>;
  /** Responses rendered at build time for one origin (src/storage/bundle/response-pack.ts), or null. */
  responses: ArrayBuffer | Uint8Array<ArrayBuffer> | null;
  /** The site's logo and icons (src/storage/bundle/site-images-pack.ts); without them feeds name none and /favicon.ico is the SVG icon. */
  images?: ArrayBuffer | Uint8Array<ArrayBuffer> | null;
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
  /** What renders ahead after a change in the D1 mode (d1AheadRenderer; the tests wrap it to count what is rendered). */
  render?: Renderer;
  /** The clock of the reader counts and of the news sitemap (the tests move it). */
  clock?: () => number;
  /**
   * The worker's environment at startup, where the runtime offers it (`env` of
   * cloudflare:workers): the app then reads its settings and runs its lookup of a stored
   * response once at startup (src/serve/warm-up.ts).
   */
  startupEnv?: Env;
}

/** The worker: a Hono app (fetch) with the Cron Trigger's handler (scheduled). */
export type WorkerApp = Hono<{ Bindings: Env; Variables: AppVariables }> & {
  scheduled: (controller: { scheduledTime: number }, env: Env, ctx: { waitUntil(work: Promise<unknown>): void }) => Promise<void>;
};

/** The worker. It serves the bundle unless wrangler.toml selects the D1 mode (STORAGE = "d1" and a D1 binding named DB). */
export function createApp(bundle: Bundle, options: AppOptions = {}): WorkerApp {
  const built = bundle.responses === null ? null : new PackedResponses(bundle.responses);
  const representations = new Representations(new RepresentationCache(CACHE_ENTRIES, CACHE_BYTES), built, options.collect ?? null);
  const stores = new Stores(bundle.content, options.databaseTimeoutMs);
  const images = bundle.images ? readSiteImages(bundle.images) : null;
  const render = options.render ?? d1AheadRenderer(bundle.images ?? null);

  const app = new Hono<{ Bindings: Env; Variables: AppVariables }>();

  /**
   * A feed as this worker serves it now (identity coding): what the own hub delivers, with
   * the D1 content version read before it (the bytes are at least that new), once for all
   * the feeds of one hand-over.
   */
  const served = (env: Env): ServedFeed => {
    const settings = resolveSite(env, "https://hub.invalid/").settings;
    let read: Promise<number | null> | undefined;
    return async (topic) => {
      read ??=
        settings.storage === "d1"
          ? stores
              .database(env.DB!, settings)
              .snapshot()
              .then((s) => Number(d1Version(s)))
          : Promise.resolve(null);
      const version = await read;
      const contentVersion = version !== null && Number.isSafeInteger(version) ? version : null;
      // Through the fast path and the routes, not the reader counts: the hub's reading is no one's poll.
      const response = await fast(new Request(topic, { headers: { "Accept-Encoding": "identity" } }), env);
      if (response.status !== 200) {
        await response.body?.cancel();
        return null;
      }
      const body = await response.arrayBuffer();
      const contentType = response.headers.get("Content-Type") ?? "application/octet-stream";
      return { topic, body, contentType, contentVersion };
    };
  };
  const pushHub: HubPusher = async (env, changed) => {
    const hub = ownHub(env);
    const settings = resolveSite(env, "https://hub.invalid/").settings;
    if (hub === null || !settings.ownHub) return { scheduled: 0, missing: 0 };
    // This isolate may trust an older content version for CONTENT_TTL: subscribers get the newest.
    if (settings.storage === "d1") stores.database(env.DB!, settings).invalidate();
    return pushFeeds(hub, changed, served(env));
  };

  /** The own hub's check: every subscribed feed handed over again when the content version moved. */
  const syncHub = async (env: Env) => {
    const settings = resolveSite(env, "https://hub.invalid/").settings;
    if (!settings.ownHub) return { scheduled: 0, missing: 0 };
    // A deploy that changed only the logo changes every feed's bytes too.
    if (settings.storage !== "d1") return syncFeeds(env, `${stores.bundled.contentId}${settings.images ?? ""}`, pushHub);
    // This isolate may hold an older snapshot for CONTENT_TTL: the version is read afresh.
    const store = stores.database(env.DB!, settings);
    store.invalidate();
    return syncFeeds(env, (await store.snapshot()).version, pushHub);
  };

  siteRoutes(app, stores, representations, images);
  statsRoutes(app, options.clock);
  apiRoutes(app, { publisher: (db) => stores.publisher(db), render, send: options.fetchHub, pushHub, syncHub });
  hubRoutes(app, (c) => served(c.env));
  feedRoutes(app);
  sitemapRoutes(app, options.clock);
  pageRoutes(app);
  mediaRoutes(app);
  assetRoutes(app);
  app.notFound((c) => notFound(c));
  app.onError(errorAnswers());

  const counter = new ReaderCounter(options.clock);
  const fast = withFastPath(app.fetch, stores, representations);
  // What the build and the import render is no one's poll.
  const counted = options.collect === undefined ? withReaderCounts(fast, counter) : fast;
  const imaged = withImagesId(bundle.images ?? null);
  app.fetch = (request, env, ctx) => counted(request, imaged(env), ctx);
  if (options.startupEnv !== undefined) warmUp(imaged(options.startupEnv)!, stores, representations, built?.origin ?? null);
  const worker = app as WorkerApp;
  worker.scheduled = async (controller, bareEnv, ctx) => {
    const env = imaged(bareEnv)!;
    const settings = resolveSite(env, "https://cron.invalid/").settings;
    try {
      await publishingCron(settings, env, controller.scheduledTime);
    } finally {
      // The reader counts' upkeep whatever became of the rest: this isolate's polls of the
      // last minute, then the day's hub counts, the days to close and the rows to drop.
      counter.writeIfDue(env, ctx);
      await keepReaderDays(env, settings, controller.scheduledTime);
    }
  };
  /** The releases, rendering queue and WebSub notices (D1 mode), and the own hub's check. */
  const publishingCron = async (settings: Settings, env: Env, now: number) => {
    if (settings.storage === "d1") {
      await runCron({
        env,
        settings,
        publisher: stores.publisher(env.DB!),
        store: stores.database(env.DB!, settings),
        now,
        render,
        send: options.fetchHub,
        pushHub,
      });
      stores.database(env.DB!, settings).invalidate();
    } else if (settings.indexNow !== null && env.DB !== undefined) {
      // The bundled mode's changes come with a deploy: the first cron after one submits them (and retries what failed).
      const origin = settings.siteUrl ?? built?.origin ?? null;
      if (origin !== null) {
        await submitDeployChanges(env.DB, stores.bundled, settings, origin, now, options.fetchHub, (line) => console.error(line)).catch((error: Error) =>
          console.error(`indexnow: the submissions could not be read or queued: ${error.message}`),
        );
      }
    }
    await syncHub(env);
  };
  return worker;
}

/**
 * The environment with SITE_IMAGES_ID, the hash of the bundled logo and icons: part of the
 * settings' rendering fingerprint (src/config/site.ts), so that a response stored with other
 * images (a D1 import run before the deploy that changed SITE_LOGO, or after it with the
 * old one) is never served by a worker whose images differ. The build and the import set
 * the same from the same bytes. One derived environment per environment object, so that
 * the settings read from it are cached as before.
 */
function withImagesId(images: Bundle["images"]): <E extends Env | undefined>(env: E) => E {
  if (!images) return (env) => env;
  const id = imagesId(images);
  const derived = new WeakMap<object, Env>();
  return <E extends Env | undefined>(env: E): E => {
    if (env === undefined) return { SITE_IMAGES_ID: id } as E;
    let out = derived.get(env);
    if (out === undefined) {
      out = { ...env, SITE_IMAGES_ID: id };
      derived.set(env, out);
    }
    return out as E;
  };
}

/** What SITE_IMAGES_ID says for these images (the bytes of src/generated/site-images.bin). */
export function imagesId(images: ArrayBuffer | Uint8Array<ArrayBuffer>): string {
  return fingerprint(images instanceof Uint8Array ? images : new Uint8Array(images));
}

/**
 * Renders ahead through this worker's own routes, collecting every response: what the
 * build stores (with the bundle's content), and what the import and each change store.
 */
export function aheadRenderer(content: Bundle["content"], images: Bundle["images"] = null): Renderer {
  return rendererOf((collect, databaseTimeoutMs) => createApp({ content, responses: null, images }, { collect, databaseTimeoutMs }));
}

/** What the import and each change in the D1 mode render ahead with: from the database, the bundle unread. */
export function d1AheadRenderer(images: Bundle["images"] = null): Renderer {
  let render: Renderer | undefined;
  return (env, origin, paths, timeoutMs) => {
    // An empty bundle stands in, packed on first use rather than at every isolate's startup.
    render ??= aheadRenderer(packContent({ articles: [], topics: [] }), images);
    return render(env, origin, paths, timeoutMs);
  };
}
