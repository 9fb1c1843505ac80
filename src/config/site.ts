import type { Env } from "./env";
import { readSettings, type Settings } from "./settings";

/** Who is asking, as far as rendering cares: the settings and the origin URLs are built on. */
export interface Site {
  settings: Settings;
  /** Origin of absolute URLs: SITE_URL when set, else the request's own origin. */
  origin: string;
  /** Distinguishes renderings for different settings or origins in a shared cache. */
  key: string;
  /** The settings that shape a rendering's bytes, as a string: stored responses made with other settings are not served. */
  fingerprint: string;
}

const settingsByEnv = new WeakMap<object, { settings: Settings; key: string; fingerprint: string }>();
/** Distinct settings seen by this isolate, numbered: keys stay short whatever the settings say. */
const settingsIds = new Map<string, number>();

/**
 * Settings are read once per `env` object (one per isolate in production). With
 * SITE_URL set, no request header can change an absolute URL: the request's origin
 * is used only when SITE_URL is absent, as under `npm start`.
 */
export function resolveSite(env: Env, requestUrl: string): Site {
  let entry = settingsByEnv.get(env);
  if (entry === undefined) {
    const settings = readSettings(env);
    const json = JSON.stringify({ ...settings, db: env.DB === undefined ? null : databaseId(env.DB) });
    if (!settingsIds.has(json)) settingsIds.set(json, settingsIds.size);
    entry = { settings, key: String(settingsIds.get(json)), fingerprint: renderingFingerprint(settings) };
    settingsByEnv.set(env, entry);
  }
  const origin = entry.settings.siteUrl ?? originOf(requestUrl);
  return { settings: entry.settings, origin, key: `${entry.key} ${origin}`, fingerprint: entry.fingerprint };
}

/**
 * Every setting except those that cannot change a response's bytes: where the content is
 * read from, how often its version is checked, how long a write waits to render, and what the
 * own hub takes, and the reader counts. SITE_URL counts through the origin,
 * which is compared on its own. A setting added later counts unless listed here.
 */
/**
 * The version of what the renderers write: raised when a release changes the bytes of any
 * feed or page (new elements, links), so that no response stored by an earlier release (in
 * D1, where responses outlive a deploy) is served by this one.
 */
const RENDER_FORMAT = 2;

function renderingFingerprint(settings: Settings): string {
  const {
    siteUrl: _origin,
    storage: _storage,
    contentTtl: _ttl,
    renderWindowMs: _window,
    hubLimits: _limits,
    readerCounts: _counts,
    readerRetentionDays: _retention,
    indexNow: _indexNow,
    ...rendering
  } = settings;
  return JSON.stringify({ ...rendering, format: RENDER_FORMAT });
}

/**
 * The origin of a URL the runtime has already parsed and serialized (Request.url is
 * always absolute and normalized), taken by slicing rather than parsing it again.
 */
function originOf(url: string): string {
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  return pathStart === -1 ? url : url.slice(0, pathStart);
}

const databaseIds = new WeakMap<object, number>();
let databases = 0;

/** Distinguishes D1 bindings in cache keys (tests give each their own database). */
function databaseId(db: object): number {
  let id = databaseIds.get(db);
  if (id === undefined) {
    id = databases++;
    databaseIds.set(db, id);
  }
  return id;
}
