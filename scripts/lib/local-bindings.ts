/**
 * The local D1 database and R2 bucket of `--local`, reached in this process through
 * wrangler's platform proxy: the same state that `wrangler dev` and `wrangler d1 execute
 * --local` use, without starting a wrangler process (about 3 s of CPU) for every batch of
 * statements.
 */
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import type * as Wrangler from "wrangler";
import type { D1Like } from "../../src/config/env";

interface LocalBucket {
  put(key: string, value: Uint8Array, options: { httpMetadata: { contentType: string } }): Promise<unknown>;
}

export interface LocalBindings {
  /** Bindings by name, as the worker sees them (wrangler.toml's D1 databases and R2 buckets among them). */
  database(binding: string): D1Like | undefined;
  bucket(binding: string): LocalBucket | undefined;
  dispose(): Promise<void>;
}

/**
 * `persistTo`: the folder of `--persist-to`, whose `v3/` holds the state, as wrangler's
 * commands lay it out; without it, `.wrangler/state` beside the configuration file.
 */
export async function openLocalBindings(configPath: string, persistTo: string | null): Promise<LocalBindings> {
  // Required, not imported: see readWranglerVars.
  const { getPlatformProxy } = createRequire(import.meta.url)("wrangler") as typeof Wrangler;
  const state = persistTo === null ? resolve(dirname(configPath), ".wrangler/state") : resolve(persistTo);
  let proxy: Awaited<ReturnType<typeof getPlatformProxy<Record<string, unknown>>>>;
  for (let attempt = 1; ; attempt++) {
    try {
      proxy = await getPlatformProxy<Record<string, unknown>>({ configPath, persist: { path: resolve(state, "v3") } });
      break;
    } catch (error) {
      // workerd's port taken by another process between wrangler's choice and its bind: choose again.
      if ((error as { code?: string }).code !== "ERR_ADDRESS_IN_USE" || attempt >= 3) throw error;
    }
  }
  return {
    database: (binding) => proxy.env[binding] as D1Like | undefined,
    bucket: (binding) => proxy.env[binding] as LocalBucket | undefined,
    dispose: () => proxy.dispose(),
  };
}
