import { createRequire } from "node:module";
import { resolve } from "node:path";
import type * as Wrangler from "wrangler";
import type { Env } from "../../src/config/env";
import { ROOT } from "./compile-folder";

/** What wrangler.toml says the worker runs with: its [vars] and whether a D1 database is bound as DB. */
export interface WranglerVars {
  vars: Env;
  hasDatabase: boolean;
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

/**
 * Reads wrangler.toml (`path`, else WRANGLER_CONFIG, else the project's) as wrangler itself reads it,
 * so the build renders with the settings the deployed worker will have.
 */
export function readWranglerVars(path = process.env.WRANGLER_CONFIG || resolve(ROOT, "wrangler.toml")): WranglerVars {
  // Required, not imported: wrangler is one 15 MB CommonJS file, and importing it from an ES
  // module under tsx costs every command about 1.5 s of CPU more than requiring it.
  const { unstable_readConfig } = createRequire(import.meta.url)("wrangler") as typeof Wrangler;
  const config = unstable_readConfig({ config: resolve(path) }, { hideWarnings: true });
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.vars ?? {})) vars[name] = typeof value === "string" ? value : JSON.stringify(value);
  const media = (config.r2_buckets ?? []).find((b: { binding: string }) => b.binding === "MEDIA") as { bucket_name?: string } | undefined;
  return {
    vars,
    hasDatabase: (config.d1_databases ?? []).some((d: { binding: string }) => d.binding === "DB"),
    mediaBucket: media?.bucket_name ?? null,
    compatibilityDate: config.compatibility_date!,
    compatibilityFlags: config.compatibility_flags ?? [],
    crons: config.triggers?.crons ?? [],
  };
}
