/**
 * `npm run import -- <folder> [--local | --remote] [--delete-missing]`
 *
 * Compiles the folder exactly as the build does (same ids, slugs, dates, topics, and the
 * same one-line errors), compares it with the D1 database bound as DB in wrangler.toml,
 * and writes the difference in batches (locally through wrangler's platform proxy, remotely
 * through `wrangler d1 execute`). Then it renders the
 * responses the changes made stale (the feeds and pages the changed articles appear on,
 * and their own pages) from the database, with the worker's own code, and stores them, so
 * the first reader after an import meets a stored response. Importing the same folder
 * twice changes nothing. Articles missing from the folder are kept unless
 * --delete-missing is given.
 *
 * With the own WebSub hub on, the running site is then told (`POST /api/hub/sync` with the
 * first of PUBLISH_TOKEN's tokens, from the environment or, locally, .dev.vars), so that
 * subscribers get the import at once; if it cannot be told, its next cron delivers it.
 *
 * Responses are stored for SITE_URL (the environment, else wrangler.toml [vars]); with no
 * SITE_URL, a local import stores them for http://localhost:8787, what `npm start` serves.
 *
 * Other options: --config <wrangler.toml>, --persist-to <dir> (local state), --database <name or binding>.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { importStale, renderStaleResponses } from "../src/ahead/stale";
import { d1AheadRenderer, imagesId } from "../src/app";
import type { LocalImage } from "../src/compile/images";
import type { Env } from "../src/config/env";
import { ConfigError, readSettings, type Settings } from "../src/config/settings";
import { changedPageUrls, queueSubmissions } from "../src/publish/indexnow";
import { EXISTING_QUERIES, existingFrom, planImport } from "../src/storage/d1/import-plan";
import type { Statement } from "../src/storage/d1/sql";
import { inlineStatement } from "../src/storage/d1/sql";
import { recordOrigin } from "../src/storage/d1/statements";
import { changedFeedUrls, queueNotices } from "../src/websub/notify";
import { compileFolder, ROOT } from "./lib/compile-folder";
import { openLocalBindings } from "./lib/local-bindings";
import { siteLogo } from "./lib/site-logo";
import { devVar, isLoopback, tellHub } from "./lib/tell-hub";
import { WranglerD1 } from "./lib/wrangler-d1";
import { readWranglerVars } from "./lib/wrangler-vars";

/** Statements per `wrangler d1 execute --file`: each file runs as one transaction. */
const STATEMENTS_PER_FILE = 20_000;
/** The origin `npm start` serves by default: what a local import stores responses for without SITE_URL. */
const LOCAL_ORIGIN = "http://localhost:8787";

function fail(message: string): never {
  console.error(`import: ${message}`);
  process.exit(1);
}

function parseArgs(argv: string[]) {
  const options = { folder: "", remote: false, deleteMissing: false, config: "", persistTo: "", database: "DB" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? fail(`${arg} needs a value`);
    if (arg === "--local") options.remote = false;
    else if (arg === "--remote") options.remote = true;
    else if (arg === "--delete-missing") options.deleteMissing = true;
    else if (arg === "--config") options.config = value();
    else if (arg === "--persist-to") options.persistTo = value();
    else if (arg === "--database") options.database = value();
    else if (arg.startsWith("-")) fail(`unknown option ${arg}`);
    else if (options.folder === "") options.folder = arg;
    else fail(`one folder only (got ${options.folder} and ${arg})`);
  }
  if (options.folder === "") fail("usage: npm run import -- <folder> [--local | --remote] [--delete-missing]");
  return options;
}

const options = parseArgs(process.argv.slice(2));
const where = options.remote ? "--remote" : "--local";

function wrangler(args: string[]): string {
  const extra = [...(options.config ? ["--config", options.config] : []), ...(options.persistTo && !options.remote ? ["--persist-to", options.persistTo] : [])];
  const run = spawnSync(join(ROOT, "node_modules/.bin/wrangler"), ["d1", "execute", options.database, where, "--yes", ...extra, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (run.status !== 0) {
    const output = `${run.stdout}\n${run.stderr}`;
    if (/no such table|no such column/.test(output))
      fail(`the database has no tables yet, or not all of them: run \`npx wrangler d1 migrations apply ${options.database} ${where}\` first`);
    if (/Couldn't find a D1 DB/i.test(output)) fail(noBinding());
    fail(`wrangler d1 execute failed:\n${output.trim()}`);
  }
  return run.stdout;
}

/** Rows of each statement of `sql`, read through `wrangler d1 execute --json`. */
function query(sql: string): Record<string, unknown>[][] {
  return (JSON.parse(wrangler(["--json", "--command", sql])) as { results: Record<string, unknown>[] }[]).map((r) => r.results);
}

/** A D1 error from the local database, said as the wrangler command would have it said. */
function localFailure(error: unknown): never {
  const message = (error as Error).message;
  if (/no such table|no such column/.test(message))
    fail(`the database has no tables yet, or not all of them: run \`npx wrangler d1 migrations apply ${options.database} ${where}\` first`);
  // fetch's "fetch failed" says nothing without its cause (a refused or reset connection to workerd).
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  fail(`the local database failed: ${message}${cause?.message ? ` (${cause.code ?? cause.message})` : ""}`);
}

/** Rows of each of `sqls`, in one round trip. */
async function queryAll(sqls: readonly string[]): Promise<Record<string, unknown>[][]> {
  if (localDb === undefined) return query(sqls.join(";\n"));
  const results = await localDb.batch(sqls.map((sql) => localDb!.prepare(sql))).catch(localFailure);
  return results.map((r) => r.results as Record<string, unknown>[]);
}

/** Runs statements in batches, each batch one transaction. */
async function write(statements: Statement[]): Promise<void> {
  if (localDb !== undefined) {
    for (let i = 0; i < statements.length; i += STATEMENTS_PER_FILE) {
      const batch = statements.slice(i, i + STATEMENTS_PER_FILE).map((s) => localDb!.prepare(s.sql).bind(...s.params));
      await localDb.batch(batch).catch(localFailure);
    }
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "import-d1-"));
  try {
    for (let i = 0; i < statements.length; i += STATEMENTS_PER_FILE) {
      const file = join(dir, `batch-${i}.sql`);
      writeFileSync(
        file,
        `${statements
          .slice(i, i + STATEMENTS_PER_FILE)
          .map(inlineStatement)
          .join("\n")}\n`,
      );
      wrangler(["--file", file]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Puts the images not in the bucket yet into it (remotely, one wrangler call each) and returns the statements that record them. */
async function uploadImages(images: readonly LocalImage[], present: ReadonlySet<string>): Promise<Statement[]> {
  const missing = images.filter((i) => !present.has(`media/${i.src.slice("/media/".length)}`));
  if (missing.length === 0) return [];
  if (worker.mediaBucket === null) {
    fail(
      `${missing.length} image(s) need an R2 bucket bound as MEDIA: \`npx wrangler r2 bucket create edge-news-media\`, then the [[r2_buckets]] block of wrangler.toml (README, "Images")`,
    );
  }
  const extra = [...(options.config ? ["--config", options.config] : []), ...(options.persistTo && !options.remote ? ["--persist-to", options.persistTo] : [])];
  const bucket = local?.bucket("MEDIA");
  for (const image of missing) {
    const key = `media/${image.src.slice("/media/".length)}`;
    if (bucket !== undefined) {
      await bucket.put(key, readFileSync(join(options.folder, image.path)), { httpMetadata: { contentType: image.type } }).catch((error: Error) => {
        fail(`uploading ${label}/${image.path} to R2 failed (nothing was written to the database): ${error.message}`);
      });
      continue;
    }
    const run = spawnSync(
      join(ROOT, "node_modules/.bin/wrangler"),
      ["r2", "object", "put", `${worker.mediaBucket}/${key}`, "--file", join(options.folder, image.path), "--content-type", image.type, where, ...extra],
      {
        encoding: "utf8",
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      },
    );
    if (run.status !== 0)
      fail(`uploading ${label}/${image.path} to R2 failed (nothing was written to the database):\n${`${run.stdout}\n${run.stderr}`.trim()}`);
  }
  imagesUploaded = missing.length;
  return missing.map((i) => ({
    sql: "INSERT INTO media (key, type, length) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
    params: [`media/${i.src.slice("/media/".length)}`, i.type, i.length],
  }));
}

let imagesUploaded = 0;

/** The worker's settings, as wrangler.toml gives them, and the origin to store responses for (null: none). */
function site(): { vars: Env; settings: Settings; origin: string | null; mediaBucket: string | null; hasDatabase: boolean; hasHub: boolean } {
  let vars: Env;
  let mediaBucket: string | null;
  let hasDatabase: boolean;
  let hasHub: boolean;
  try {
    const config = readWranglerVars(options.config || undefined);
    vars = { ...config.vars };
    mediaBucket = config.mediaBucket;
    hasDatabase = config.hasDatabase;
    hasHub = config.hasHub;
  } catch (error) {
    return fail(`wrangler.toml: ${(error as Error).message.split("\n").find((l) => l.trim() !== "") ?? "cannot be read"}`);
  }
  if (process.env.SITE_URL !== undefined) vars.SITE_URL = process.env.SITE_URL;
  try {
    const settings = readSettings({ ...vars, STORAGE: "bundled" });
    return { vars, settings, origin: settings.siteUrl ?? (options.remote ? null : LOCAL_ORIGIN), mediaBucket, hasDatabase, hasHub };
  } catch (error) {
    if (error instanceof ConfigError) fail(`${error.message} (wrangler.toml [vars], or the environment)`);
    throw error;
  }
}

function noBinding(): string {
  return `wrangler.toml binds no D1 database as ${options.database}: create one (\`npx wrangler d1 create edge-news\`), then uncomment the [[d1_databases]] block with its database_id (README, "Archives beyond one bundle")`;
}

const started = performance.now();
const worker = site();
if (options.database === "DB" && !worker.hasDatabase) fail(noBinding());
const { content, label, heldBack, definitions, images } = await compileFolder("import", options.folder, { schedule: true });
// A database named by its database_name rather than its binding is left to wrangler's command.
const local = options.remote
  ? null
  : await openLocalBindings(resolve(options.config || process.env.WRANGLER_CONFIG || join(ROOT, "wrangler.toml")), options.persistTo || null);
const localDb = local?.database(options.database);
const existingRows = await queryAll([...EXISTING_QUERIES, "SELECT key FROM media"]);
const mediaRows = existingRows.pop();
// The logo and icons the worker names (the build makes the same from the same SITE_LOGO): the responses stored here name them too.
const logo = await siteLogo(worker.vars.SITE_LOGO).catch((error: Error) => fail(error.message));
const plan = await planImport(content, existingFrom(existingRows), {
  deleteMissing: options.deleteMissing,
  scheduled: heldBack.map((h) => h.draft),
  definitions,
  siteImages: imagesId(logo.pack),
});
// Images first: an article is written only once the pictures it names are in the bucket.
const uploaded = await uploadImages(images, new Set(mediaRows!.map((r) => r.key as string)));
// The origin responses are stored for: the cron renders releases for it, and without SITE_URL
// the worker stores what it renders only for it.
const written = plan.statements.length > 0 || plan.scheduled.length > 0;
await write([...uploaded, ...plan.statements, ...(written && worker.origin !== null ? [recordOrigin(worker.origin)] : [])]);

let stored = "";
const visible = plan.staleScopes === "all" || plan.staleScopes.length > 0;
if (visible) {
  if (worker.origin === null) {
    stored = "; no responses stored and no WebSub hub told (set SITE_URL): the first request for each changed page renders it";
  } else {
    const db = localDb ?? new WranglerD1(query);
    const stale = importStale(plan, content);
    const responses = await renderStaleResponses(
      db,
      stale,
      { ...worker.vars, SITE_IMAGES_ID: imagesId(logo.pack) },
      worker.origin,
      d1AheadRenderer(logo.pack),
    ).catch((error: Error) => (localDb === undefined ? Promise.reject(error) : localFailure(error)));
    // WebSub hubs and IndexNow are told by the worker's cron once every isolate serves the import (CONTENT_TTL).
    const notices = queueNotices(
      worker.settings.websubHubs,
      changedFeedUrls(worker.origin, plan.changedGroups),
      Date.now() + worker.settings.contentTtl * 1000,
    );
    // The groups an import touched are named even when every page changed (a topic renamed or new).
    const scopes = stale.staleScopes === "all" ? ["all", ...plan.changedGroups] : stale.staleScopes;
    // Search engines hear of the deployed site only: a local import submits nothing.
    const submissions =
      worker.settings.indexNow === null || !options.remote
        ? []
        : queueSubmissions(changedPageUrls(worker.origin, scopes, stale.written), Date.now() + worker.settings.contentTtl * 1000);
    await write([...responses.statements, ...notices, ...submissions]);
    stored = `; ${responses.count} responses stored for ${worker.origin}`;
    if (worker.settings.ownHub && worker.hasHub) {
      const dir = dirname(resolve(options.config || process.env.WRANGLER_CONFIG || join(ROOT, "wrangler.toml")));
      // A local import is the local site's: told at its own origin with the token of .dev.vars,
      // never the deployed site that SITE_URL may name.
      const target = options.remote || isLoopback(worker.origin) ? worker.origin : LOCAL_ORIGIN;
      stored += await tellHub(target, process.env.PUBLISH_TOKEN ?? (options.remote ? undefined : devVar(dir, "PUBLISH_TOKEN")));
    }
  }
}

const missing = plan.missing.length - plan.deleted.length;
console.log(
  [
    `import: ${label}/ -> ${options.database} (${options.remote ? "remote" : "local"}): `,
    `${plan.added.length} added, ${plan.updated.length} updated, ${plan.unchanged} unchanged`,
    plan.deleted.length > 0 ? `, ${plan.deleted.length} deleted` : "",
    plan.scheduled.length > 0 ? `, ${plan.scheduled.length} scheduled` : "",
    imagesUploaded > 0 ? `, ${imagesUploaded} image(s) uploaded` : "",
    missing > 0 ? `, ${missing} in the database but not in the folder (kept; --delete-missing removes them)` : "",
    stored,
    ` in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ].join(""),
);
await local?.dispose();
