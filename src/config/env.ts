/**
 * The worker's environment: the `[vars]` of wrangler.toml, its secrets and its bindings.
 * Bindings are structural types of the parts this project uses, so that Node code (the
 * build, the import, the benchmark) type-checks without the Workers globals.
 */

/** Bindings and `[vars]` of wrangler.toml. Vars arrive as strings (or TOML numbers). */
export interface Env {
  SITE_URL?: string;
  SITE_TITLE?: string;
  SITE_DESCRIPTION?: string;
  SITE_LANGUAGE?: string;
  /** Build time only: the image (PNG, JPEG, GIF or SVG, a path from the project) the site's logo and icons are made from (scripts/lib/site-logo.ts). */
  SITE_LOGO?: string;
  /** Set by the worker, the build and the import (never by hand): the hash of the logo and icons responses are rendered with (src/app.ts withImagesId). */
  SITE_IMAGES_ID?: string;
  FEED_ITEM_LIMIT?: string | number;
  CACHE_MAX_AGE?: string | number;
  /** "bundled" (default) or "d1": where articles are read from. */
  STORAGE?: string;
  /** D1 mode: seconds an isolate trusts its copy of the content version. */
  CONTENT_TTL?: string | number;
  /** WebSub hubs the feeds name and the publisher notifies, separated by commas or spaces. */
  WEBSUB_HUB?: string;
  /** D1 mode: milliseconds a write waits before rendering what it made stale (the writes of a burst share one rendering). */
  RENDER_WINDOW_MS?: string | number;
  /** "on" (default) or "off": the site's own WebSub hub at /websub, advertised by every feed. */
  WEBSUB_OWN_HUB?: string;
  /** The own hub's caps: subscriptions per feed, per callback host, and requests per client a minute. */
  HUB_MAX_PER_FEED?: string | number;
  HUB_MAX_PER_HOST?: string | number;
  HUB_REQUESTS_PER_MINUTE?: string | number;
  /** "on" (default) or "off": readers counted per feed and day, where a D1 database is bound (README, "Readers"). */
  READER_COUNTS?: string;
  /** Days the reader counts are kept (default 400). */
  READER_RETENTION_DAYS?: string | number;
  /** IndexNow: the site's key (published at /{key}.txt), and the endpoint to tell (default https://api.indexnow.org/indexnow). */
  INDEXNOW_KEY?: string;
  INDEXNOW_ENDPOINT?: string;
  /** Secret: bearer tokens that open /stats only, comma-separated (PUBLISH_TOKEN's open it too). */
  STATS_TOKEN?: string;
  /** Secret (wrangler secret put): bearer tokens of the publishing API, comma-separated. Never part of Settings. */
  PUBLISH_TOKEN?: string;
  /** The D1 database of the D1 mode (wrangler.toml [[d1_databases]], binding "DB"). */
  DB?: D1Like;
  /** The own WebSub hub's Durable Object (wrangler.toml [[durable_objects.bindings]], "HUB"): its subscriptions and feed versions (its couriers are bound as HUB_COURIER). */
  HUB?: HubNamespace;
  /** The R2 bucket of the D1 mode's images (wrangler.toml [[r2_buckets]], binding "MEDIA"). */
  MEDIA?: MediaBucket;
}

/** The part of Cloudflare's D1 binding this project uses. */
export interface D1Statement {
  bind(...values: unknown[]): D1Statement;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
}

export interface D1Like {
  prepare(sql: string): D1Statement;
  batch(statements: D1Statement[]): Promise<{ results: unknown[] }[]>;
}

/** What this worker reads of an R2 bucket: one object's body and type. */
interface MediaBucket {
  get(key: string): Promise<{ body: ReadableStream; size: number; httpMetadata?: { contentType?: string } } | null>;
}

/**
 * The part of a Durable Object namespace this project uses: a stub by name. What a stub
 * answers is its object's own type (src/websub/hub-api.ts), which config does not import.
 */
interface HubNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): unknown;
}
