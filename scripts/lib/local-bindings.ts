/**
 * The local D1 database and R2 bucket of `--local`, reached in this process through
 * wrangler's platform proxy: the same state that `wrangler dev` and `wrangler d1 execute
 * --local` use, without starting a wrangler process (about 3 s of CPU) for every batch of
 * statements.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { parse } from "smol-toml";
import type * as Wrangler from "wrangler";
import type { D1Like, D1Statement } from "../../src/config/env";

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
  // wrangler's own notes ("Using secrets defined in .dev.vars") would come between the
  // command's one line of output; its warnings and errors still show.
  process.env.WRANGLER_LOG ??= "warn";
  // Required, not imported: see readWranglerVars.
  const { getPlatformProxy } = createRequire(import.meta.url)("wrangler") as typeof Wrangler;
  const state = persistTo === null ? resolve(dirname(configPath), ".wrangler/state") : resolve(persistTo);
  let proxy: Awaited<ReturnType<typeof getPlatformProxy<Record<string, unknown>>>>;
  // The import needs the database and the bucket only. The hub's Durable Object is the
  // worker's own class, which the proxy cannot run (wrangler warns about it on every
  // import): the proxy reads a copy of the configuration without it, beside the original
  // so that its relative paths still hold, removed once the proxy has started.
  const config = (configPath.endsWith(".toml") ? parse(readFileSync(configPath, "utf8")) : readJsonConfig(configPath)) as Record<string, unknown>;
  delete config.durable_objects;
  delete config.migrations;
  for (const environment of Object.values((config.env ?? {}) as Record<string, Record<string, unknown>>)) {
    delete environment.durable_objects;
    delete environment.migrations;
  }
  const storageOnly = resolve(dirname(configPath), `.wrangler-import-${process.pid}.json`);
  writeFileSync(storageOnly, JSON.stringify(config));
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        proxy = await getPlatformProxy<Record<string, unknown>>({ configPath: storageOnly, persist: { path: resolve(state, "v3") } });
        break;
      } catch (error) {
        // workerd's port taken by another process between wrangler's choice and its bind: choose again.
        if ((error as { code?: string }).code !== "ERR_ADDRESS_IN_USE" || attempt >= 3) throw error;
      }
    }
  } finally {
    rmSync(storageOnly, { force: true });
  }
  return {
    database: (binding) => {
      const db = proxy.env[binding] as D1Like | undefined;
      return db === undefined ? undefined : reconnecting(db);
    },
    bucket: (binding) => proxy.env[binding] as LocalBucket | undefined,
    dispose: () => proxy.dispose(),
  };
}

/**
 * Attempts per call to the local database. The platform proxy reaches workerd over HTTP,
 * and on a loaded machine (the test suite's, two cores for three files' processes) a call
 * now and then fails with undici's "fetch failed" and no answer. Sending it again is safe:
 * a batch is one transaction, so it ran whole or not at all, and if it did run and only its
 * answer was lost, its inserts of new rows fail the second time on their keys, loudly.
 */
const ATTEMPTS = 3;

/** A call that got no answer: undici's fetch error, whatever its cause. */
const unreached = (error: unknown) => error instanceof Error && error.message === "fetch failed";

/** A synchronous call (preparing, binding), made again while it did not reach workerd. */
function again<T>(call: () => T, attempt = 1): T {
  try {
    return call();
  } catch (error) {
    if (!unreached(error) || attempt >= ATTEMPTS) throw error;
    return again(call, attempt + 1);
  }
}

/** A call that answers later (a query, a batch), made again while it did not reach workerd. */
async function againLater<T>(call: () => Promise<T>, attempt = 1): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!unreached(error) || attempt >= ATTEMPTS) throw error;
    return againLater(call, attempt + 1);
  }
}

class ReconnectingStatement implements D1Statement {
  constructor(readonly inner: D1Statement) {}
  bind(...values: unknown[]): D1Statement {
    return new ReconnectingStatement(again(() => this.inner.bind(...values)));
  }
  first<T>(): Promise<T | null> {
    return againLater(() => this.inner.first<T>());
  }
  all<T>(): Promise<{ results: T[] }> {
    return againLater(() => this.inner.all<T>());
  }
}

/** The database with each call sent again when it got no answer (see ATTEMPTS). */
export function reconnecting(db: D1Like): D1Like {
  return {
    prepare: (sql) => new ReconnectingStatement(again(() => db.prepare(sql))),
    batch: (statements) => againLater(() => db.batch(statements.map((s) => (s instanceof ReconnectingStatement ? s.inner : s)))),
  };
}

/** wrangler.json / wrangler.jsonc: JSON that may carry comments and trailing commas (wrangler's own reader). */
function readJsonConfig(path: string): unknown {
  const { experimental_readRawConfig } = createRequire(import.meta.url)("wrangler") as typeof Wrangler;
  return experimental_readRawConfig({ config: path }).rawConfig;
}
