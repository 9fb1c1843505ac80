import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { parse } from "smol-toml";
import type * as Wrangler from "wrangler";
import type { Env } from "../../src/config/env";
import { ROOT } from "./compile-folder";

/** What wrangler.toml says the worker runs with: its [vars] and whether a D1 database is bound as DB. */
export interface WranglerVars {
  vars: Env;
  hasDatabase: boolean;
  /** Whether the own WebSub hub's Durable Object is bound as HUB. */
  hasHub: boolean;
  /** The bucket bound as MEDIA (the D1 mode's images), if any. */
  mediaBucket: string | null;
  /** The workerd compatibility date and flags (Miniflare in the bench and tests runs with the same). */
  compatibilityDate: string;
  compatibilityFlags: string[];
  /** The Cron Triggers ([triggers] crons). */
  crons: string[];
}

/** What `npm start` and the build say when the D1 mode is chosen without its database. */
export const D1_WITHOUT_BINDING =
  'STORAGE is "d1" but wrangler.toml binds no D1 database as DB: uncomment the [[d1_databases]] block and set its database_id (README, "Archives beyond one bundle")';

/** The part of wrangler's configuration read here: the top level, which is what `wrangler dev` and `wrangler deploy` use with no `--env`. */
interface Config {
  vars?: Record<string, unknown>;
  d1_databases?: { binding?: unknown }[];
  durable_objects?: { bindings?: { name?: unknown }[] };
  r2_buckets?: { binding?: unknown; bucket_name?: unknown }[];
  compatibility_date?: unknown;
  compatibility_flags?: unknown[];
  triggers?: { crons?: unknown[] };
}

/**
 * wrangler.toml parsed as TOML 1.0 (smol-toml, the parser wrangler itself uses), without
 * loading wrangler: it is one 15 MB file whose loading costs every command about 1 s of CPU.
 * A JSON configuration (wrangler.json, wrangler.jsonc) is read by wrangler itself.
 */
function readConfig(path: string): Config {
  if (path.endsWith(".toml")) return parse(readFileSync(path, "utf8")) as Config;
  const { unstable_readConfig } = createRequire(import.meta.url)("wrangler") as typeof Wrangler;
  return unstable_readConfig({ config: path }, { hideWarnings: true }) as Config;
}

/**
 * Reads wrangler.toml (`path`, else WRANGLER_CONFIG, else the project's) as wrangler reads it,
 * so the build renders with the settings the deployed worker will have.
 */
export function readWranglerVars(path = process.env.WRANGLER_CONFIG || resolve(ROOT, "wrangler.toml")): WranglerVars {
  const config = readConfig(resolve(path));
  const vars: Record<string, string> = {};
  // wrangler hands the worker a string var as it is, and any other TOML value as JSON.
  for (const [name, value] of Object.entries(config.vars ?? {})) vars[name] = typeof value === "string" ? value : JSON.stringify(value);
  const media = (config.r2_buckets ?? []).find((b) => b.binding === "MEDIA");
  if (typeof config.compatibility_date !== "string") throw new Error(`${path}: compatibility_date is missing`);
  return {
    vars,
    hasDatabase: (config.d1_databases ?? []).some((d) => d.binding === "DB"),
    hasHub: (config.durable_objects?.bindings ?? []).some((d) => d.name === "HUB"),
    mediaBucket: typeof media?.bucket_name === "string" ? media.bucket_name : null,
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: (config.compatibility_flags ?? []).map(String),
    crons: (config.triggers?.crons ?? []).map(String),
  };
}
