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
}

/** A setting in wrangler.toml (or --var) that cannot work; the message says which and why. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const DEFAULTS = {
  title: "Edge News",
  description: "The latest articles, as RSS, Atom and JSON Feed.",
  language: "en",
  feedItemLimit: 50,
  cacheMaxAge: 300,
  contentTtl: 60,
} as const;

function text(value: string | number | undefined): string | undefined {
  const s = value === undefined ? undefined : String(value).trim();
  return s === "" ? undefined : s;
}

function integer(name: string, value: string | number | undefined, fallback: number, min: number, max: number): number {
  const s = text(value);
  if (s === undefined) return fallback;
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${s}"`);
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
      throw new ConfigError(`SITE_URL must be an absolute URL such as https://news.example.org, got "${rawUrl}"`);
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.pathname !== "/" || url.search || url.hash || url.username) {
      throw new ConfigError(`SITE_URL must be an http(s) origin with no path, such as https://news.example.org, got "${rawUrl}"`);
    }
    siteUrl = url.origin;
  }
  const language = text(env.SITE_LANGUAGE) ?? DEFAULTS.language;
  if (!/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/.test(language)) {
    throw new ConfigError(`SITE_LANGUAGE must be a language tag such as en or pt-BR, got "${language}"`);
  }
  const storage = text(env.STORAGE) ?? "bundled";
  if (storage !== "bundled" && storage !== "d1") throw new ConfigError(`STORAGE must be "bundled" or "d1", got "${storage}"`);
  if (storage === "d1" && env.DB === undefined) {
    throw new ConfigError('STORAGE is "d1" but there is no D1 binding named DB ([[d1_databases]] in wrangler.toml)');
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
    if (url === null || (url.protocol !== "https:" && url.protocol !== "http:") || url.username !== "" || url.password !== "") {
      throw new ConfigError(`WEBSUB_HUB must be one or more http(s) URLs separated by commas, got "${hub}"`);
    }
  }
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
  };
}
