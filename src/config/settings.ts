import type { Env } from "./env";

/** The validated site configuration. */
export interface Settings {
  /** Public origin such as `https://news.example.org`, or null to use each request's origin. */
  siteUrl: string | null;
  title: string;
  description: string;
  /** BCP 47 tag for the site and its feeds. */
  language: string;
  /** Most items a feed carries. */
  feedItemLimit: number;
  /** Seconds a response stays fresh in caches (Cache-Control max-age). */
  cacheMaxAge: number;
  storage: "bundled" | "d1";
  /** D1 mode: seconds between checks for a new import. */
  contentTtl: number;
  /** WebSub hubs (W3C WebSub §4): advertised by every feed, notified after every change. */
  websubHubs: string[];
  /** D1 mode: milliseconds a write waits before rendering what it made stale, so that the writes of a burst share one rendering. */
  renderWindowMs: number;
  /** The site's own WebSub hub (src/websub/hub-object.ts): advertised first by every feed, at HUB_PATH. */
  ownHub: boolean;
  /** What the own hub takes, so that no one subscriber or client can fill it. */
  hubLimits: HubLimits;
  /** Readers counted per feed and day (src/serve/reader-counts.ts), where a D1 database is bound. */
  readerCounts: boolean;
  /** Days the reader counts are kept. */
  readerRetentionDays: number;
  /** IndexNow (https://www.indexnow.org): the site's key and the endpoint told of changed URLs, or null (off). */
  indexNow: { key: string; endpoint: string } | null;
  /** The hash of the logo and icons the responses name (SITE_IMAGES_ID), or null when there are none. */
  images: string | null;
}

export interface HubLimits {
  /** Subscriptions one feed may have. */
  perTopic: number;
  /** Subscriptions whose callbacks are on one host, over every feed. */
  perHost: number;
  /** Subscription requests one client address may make in a minute. */
  requestsPerMinute: number;
}

/**
 * A setting in wrangler.toml (or --var) that cannot work. The message, for the build and
 * the worker's log, names the setting, the rule it breaks and the value (never a URL's
 * user name or password); what a request is answered with names only the setting.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    /** The variable, e.g. FEED_ITEM_LIMIT. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

/** A value as an error may quote it: a URL's user name and password hidden, and at most 100 characters. */
function quoted(value: string): string {
  // The user information is whatever comes before the last "@" of the authority (RFC 3986 §3.2).
  const scheme = value.indexOf("://");
  const start = scheme === -1 ? 0 : scheme + 3;
  const end = value.slice(start).search(/[/?#]/);
  const authority = value.slice(start, end === -1 ? value.length : start + end);
  const at = authority.lastIndexOf("@");
  const hidden = at === -1 ? value : `${value.slice(0, start)}***${value.slice(start + at)}`;
  return JSON.stringify(hidden.length > 100 ? `${hidden.slice(0, 100)}…` : hidden);
}

const DEFAULTS = {
  title: "Edge News",
  description: "The latest articles, as RSS, Atom and JSON Feed.",
  language: "en",
  feedItemLimit: 50,
  cacheMaxAge: 300,
  contentTtl: 60,
  renderWindowMs: 1000,
  hubPerTopic: 10_000,
  hubPerHost: 1_000,
  hubRequestsPerMinute: 60,
  readerRetentionDays: 400,
} as const;

function text(value: string | number | undefined): string | undefined {
  const s = value === undefined ? undefined : String(value).trim();
  return s === "" ? undefined : s;
}

function integer(name: string, value: string | number | undefined, fallback: number, min: number, max: number): number {
  const s = text(value);
  if (s === undefined) return fallback;
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max) {
    throw new ConfigError(name, `${name} must be a whole number from ${min} to ${max}, got ${quoted(s)}`);
  }
  return Number(s);
}

/** Reads and checks the settings; throws ConfigError naming the bad variable. */
export function readSettings(env: Env): Settings {
  let siteUrl: string | null = null;
  const rawUrl = text(env.SITE_URL);
  if (rawUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new ConfigError("SITE_URL", `SITE_URL must be an absolute URL such as https://news.example.org, got ${quoted(rawUrl)}`);
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
      throw new ConfigError("SITE_URL", `SITE_URL must be an http(s) origin with no path, such as https://news.example.org, got ${quoted(rawUrl)}`);
    }
    siteUrl = url.origin;
  }
  const language = text(env.SITE_LANGUAGE) ?? DEFAULTS.language;
  if (!/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/.test(language)) {
    throw new ConfigError("SITE_LANGUAGE", `SITE_LANGUAGE must be a language tag such as en or pt-BR, got ${quoted(language)}`);
  }
  const storage = text(env.STORAGE) ?? "bundled";
  if (storage !== "bundled" && storage !== "d1") throw new ConfigError("STORAGE", `STORAGE must be "bundled" or "d1", got ${quoted(storage)}`);
  if (storage === "d1" && env.DB === undefined) {
    throw new ConfigError("STORAGE", 'STORAGE is "d1" but there is no D1 binding named DB ([[d1_databases]] in wrangler.toml)');
  }
  const websubHubs: string[] = [];
  for (const hub of (text(env.WEBSUB_HUB) ?? "").split(/[\s,]+/).filter((h) => h !== "")) {
    let url: URL | null = null;
    try {
      url = new URL(hub);
      websubHubs.push(url.href);
    } catch {
      // Reported below.
    }
    if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) {
      throw new ConfigError("WEBSUB_HUB", `WEBSUB_HUB must be one or more http(s) URLs separated by commas, got ${quoted(hub)}`);
    }
    if (url.username !== "" || url.password !== "") {
      // Hubs are named in every feed: a password here would be published.
      throw new ConfigError("WEBSUB_HUB", `WEBSUB_HUB must not carry a user name or password (every feed names its hubs), got ${quoted(hub)}`);
    }
  }
  const indexNowKey = text(env.INDEXNOW_KEY);
  // The protocol's rule for keys: 8 to 128 of a-z, A-Z, 0-9 and "-".
  if (indexNowKey !== undefined && !/^[a-zA-Z0-9-]{8,128}$/.test(indexNowKey))
    throw new ConfigError("INDEXNOW_KEY", `INDEXNOW_KEY must be 8 to 128 letters, digits or hyphens, got ${quoted(indexNowKey)}`);
  const indexNowEndpoint = text(env.INDEXNOW_ENDPOINT) ?? "https://api.indexnow.org/indexnow";
  let endpoint: URL | null = null;
  try {
    endpoint = new URL(indexNowEndpoint);
  } catch {
    // Reported below.
  }
  // Checked only where it is used: an endpoint left over with no key stops nothing.
  const endpointOk =
    endpoint !== null && (endpoint.protocol === "https:" || endpoint.protocol === "http:") && endpoint.username === "" && endpoint.password === "";
  if (indexNowKey !== undefined && !endpointOk)
    throw new ConfigError("INDEXNOW_ENDPOINT", `INDEXNOW_ENDPOINT must be an http(s) URL without user name or password, got ${quoted(indexNowEndpoint)}`);
  const readerCounts = text(env.READER_COUNTS) ?? "on";
  if (readerCounts !== "on" && readerCounts !== "off")
    throw new ConfigError("READER_COUNTS", `READER_COUNTS must be "on" or "off", got ${quoted(readerCounts)}`);
  const ownHub = text(env.WEBSUB_OWN_HUB) ?? "on";
  if (ownHub !== "on" && ownHub !== "off") throw new ConfigError("WEBSUB_OWN_HUB", `WEBSUB_OWN_HUB must be "on" or "off", got ${quoted(ownHub)}`);
  return {
    siteUrl,
    title: text(env.SITE_TITLE) ?? DEFAULTS.title,
    description: text(env.SITE_DESCRIPTION) ?? DEFAULTS.description,
    language,
    feedItemLimit: integer("FEED_ITEM_LIMIT", env.FEED_ITEM_LIMIT, DEFAULTS.feedItemLimit, 1, 1000),
    cacheMaxAge: integer("CACHE_MAX_AGE", env.CACHE_MAX_AGE, DEFAULTS.cacheMaxAge, 0, 31_536_000),
    storage,
    contentTtl: integer("CONTENT_TTL", env.CONTENT_TTL, DEFAULTS.contentTtl, 0, 86_400),
    websubHubs,
    renderWindowMs: integer("RENDER_WINDOW_MS", env.RENDER_WINDOW_MS, DEFAULTS.renderWindowMs, 0, 60_000),
    ownHub: ownHub === "on",
    hubLimits: {
      perTopic: integer("HUB_MAX_PER_FEED", env.HUB_MAX_PER_FEED, DEFAULTS.hubPerTopic, 1, 1_000_000),
      perHost: integer("HUB_MAX_PER_HOST", env.HUB_MAX_PER_HOST, DEFAULTS.hubPerHost, 1, 1_000_000),
      requestsPerMinute: integer("HUB_REQUESTS_PER_MINUTE", env.HUB_REQUESTS_PER_MINUTE, DEFAULTS.hubRequestsPerMinute, 1, 100_000),
    },
    readerCounts: readerCounts === "on",
    indexNow: indexNowKey === undefined || endpoint === null ? null : { key: indexNowKey, endpoint: endpoint.href },
    readerRetentionDays: integer("READER_RETENTION_DAYS", env.READER_RETENTION_DAYS, DEFAULTS.readerRetentionDays, 1, 3650),
    images: text(env.SITE_IMAGES_ID) ?? null,
  };
}
