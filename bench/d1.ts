/**
 * The D1 rows of `npm run bench`: an archive imported into D1 (Miniflare's local D1, the
 * same SQLite-in-workerd as `wrangler dev`), served by the worker in D1 mode.
 *
 * - warm: a response the isolate has already rendered (no query);
 * - cold: article pages never requested before, each a miss: a read of the responses table,
 *   a query, rendering, and a write to the table. A fresh worker is started for each round,
 *   and what earlier rounds stored is removed, so every round begins with nothing stored; needs wrk
 *   (its Lua script cycles through the URLs), and is left out without it.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { importStale, renderStaleResponses } from "../src/ahead/stale";
import { d1AheadRenderer } from "../src/app";
import type { D1Like } from "../src/config/env";
import type { Content } from "../src/content/types";
import { applyPlan, applyStatements, readExisting } from "../src/storage/d1/apply";
import { planImport } from "../src/storage/d1/import-plan";
import {
  ACCEPT,
  BENCH_ORIGIN,
  d1Options,
  freePort,
  type LoadResult,
  load,
  loadWithWrk,
  log,
  median,
  ROUNDS,
  serveBundle,
  WRK,
  withServedBundle,
} from "./harness";

export interface D1Result {
  name: string;
  articles: number;
  importSeconds: number;
  statements: number;
  /** Responses the import rendered and stored, and the seconds that took. */
  stored: { count: number; mib: number; seconds: number };
  load: Map<string, LoadResult>;
  /** The local D1 state the worker read, for the fresh-isolate rows. */
  persist: string;
}

/** Statements of every migration, in order (comments dropped, split at semicolons that end a line). */
function migrationStatements(root: string): string[] {
  const files = readdirSync(join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort();
  return files.flatMap((f) =>
    readFileSync(join(root, "migrations", f), "utf8")
      .replace(/--[^\n]*/g, "")
      .split(/;\s*\n/)
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  );
}

/** The D1 worker; `counts: "off"` serves it with READER_COUNTS off (the side-by-side rows). */
function miniflare(dir: string, port: number, persist: string, counts: "on" | "off" = "on"): Miniflare {
  const options = d1Options(persist);
  return serveBundle(dir, port, { ...options, bindings: { ...options.bindings, READER_COUNTS: counts } });
}

/** The warm rows measured again with the reader counts off, in the same rounds: what counting costs a read. */
export const COUNTED_ROWS = ["warm /rss.xml", "304 (/rss.xml, If-None-Match)"] as const;
export const counted = (row: string, counts: "on" | "off") => `${row}, reader counts ${counts}`;

/** Forgets the article pages earlier rounds stored: all but those of the newest 1,000 articles (where the import's are). */
const COLD_RESET =
  "DELETE FROM responses WHERE scope LIKE 'article:%' AND path NOT IN (SELECT '/articles/' || slug FROM articles ORDER BY published DESC, id DESC LIMIT 1000)";

/** The cold row's paths: article pages no import stored (older than any listing shows), each a miss. */
function coldPaths(content: Content, round: number): string[] {
  const old = content.articles.slice(1000);
  const start = (round * 7919) % old.length;
  return [...old.slice(start), ...old.slice(0, start)].map((a) => `/articles/${a.slug}`);
}

/** What importing an archive into an empty database took. */
export interface Imported {
  importSeconds: number;
  statements: number;
  stored: D1Result["stored"];
}

/**
 * Imports `content` into the database of `db` (the migrations applied first), as `npm run
 * import` does: the plan's statements, then the responses it made stale rendered and stored.
 */
export async function importInto(name: string, db: D1Like, content: Content, root: string): Promise<Imported> {
  for (const statement of migrationStatements(root)) await db.batch([db.prepare(statement)]);
  log(`${name}: import`);
  const started = performance.now();
  const plan = await planImport(content, await readExisting(db), { deleteMissing: false });
  await applyPlan(db, plan);
  const importSeconds = (performance.now() - started) / 1000;
  log(`${name}: render and store what the import changed`);
  const renderStarted = performance.now();
  const responses = await renderStaleResponses(db, importStale(plan, content), { SITE_URL: BENCH_ORIGIN }, BENCH_ORIGIN, d1AheadRenderer());
  await applyStatements(db, responses.statements);
  const stored = { count: responses.count, mib: responses.bytes / 2 ** 20, seconds: (performance.now() - renderStarted) / 1000 };
  return { importSeconds, statements: plan.statements.length, stored };
}

/** A fresh local D1 in `persist`, `content` imported into it (importInto), for rows that do not serve it under load. */
export async function importedArchive(name: string, content: Content, dir: string, persist: string, root: string): Promise<Imported> {
  rmSync(persist, { recursive: true, force: true });
  return withServedBundle(dir, { script: "dist-index/index.js", ...d1Options(persist) }, async ({ mf }) =>
    importInto(name, (await mf.getD1Database("DB")) as unknown as D1Like, content, root),
  );
}

/** Imports `content` into a fresh D1 and measures the worker reading it. `dir` holds the bench bundle. */
export async function measureD1(name: string, content: Content, dir: string, root: string): Promise<D1Result> {
  const persist = join(dir, `d1-state-${content.articles.length}`);
  rmSync(persist, { recursive: true, force: true });
  let port = await freePort();
  let mf = miniflare(dir, port, persist);
  await mf.ready;
  const { importSeconds, statements, stored } = await importInto(name, (await mf.getD1Database("DB")) as unknown as D1Like, content, root);

  const origin = () => `http://127.0.0.1:${port}`;
  const topic = content.articles[0]!.topics[0]!;
  const warmRows: [string, string, Record<string, string>][] = [
    ["/healthz", "/healthz", {}],
    ["warm /rss.xml", "/rss.xml", {}],
    [`warm topic feed (/topics/${topic}/rss.xml)`, `/topics/${topic}/rss.xml`, {}],
    ["warm article page", `/articles/${content.articles[0]!.slug}`, {}],
    ["304 (/rss.xml, If-None-Match)", "/rss.xml", {}],
  ];
  const runs = new Map<string, LoadResult[]>();
  const record = (row: string, result: LoadResult) => runs.set(row, [...(runs.get(row) ?? []), result]);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      log(`${name}: load round ${round + 1}/${ROUNDS}`);
      // A fresh worker each round, and the article pages earlier rounds stored removed: the
      // cold row's requests all miss, in this isolate and in D1.
      if (round > 0) {
        await mf.dispose();
        port = await freePort();
        mf = miniflare(dir, port, persist);
        await mf.ready;
      }
      const state = (await mf.getD1Database("DB")) as unknown as D1Like;
      await state.batch([state.prepare(COLD_RESET)]);
      if (WRK)
        record(
          "cold article page (a miss: query, render, store)",
          loadWithWrk(`${origin()}/healthz`, { "Accept-Encoding": ACCEPT }, coldPaths(content, round)),
        );
      for (const [, path] of warmRows) await (await fetch(`${origin()}${path}`, { headers: { "Accept-Encoding": ACCEPT } })).arrayBuffer();
      const etag = (await fetch(`${origin()}/rss.xml`, { headers: { "Accept-Encoding": ACCEPT } })).headers.get("ETag")!;
      for (const [row, path] of warmRows) {
        const headers: Record<string, string> = { "Accept-Encoding": ACCEPT, ...(row.startsWith("304") ? { "If-None-Match": etag } : {}) };
        record(row, await load(`${origin()}${path}`, headers));
      }
      // The counted rows again on two fresh workers, counts on and off, warmed alike, in
      // alternating order: what counting costs a read, side by side.
      for (const counts of round % 2 === 0 ? (["on", "off"] as const) : (["off", "on"] as const)) {
        await mf.dispose();
        port = await freePort();
        mf = miniflare(dir, port, persist, counts);
        await mf.ready;
        for (const [row, path] of warmRows.filter(([row]) => (COUNTED_ROWS as readonly string[]).includes(row))) {
          const headers: Record<string, string> = { "Accept-Encoding": ACCEPT, ...(row.startsWith("304") ? { "If-None-Match": etag } : {}) };
          await (await fetch(`${origin()}${path}`, { headers })).arrayBuffer();
          record(counted(row, counts), await load(`${origin()}${path}`, headers));
        }
      }
    }
  } finally {
    await mf.dispose();
  }
  const order = [
    "/healthz",
    ...warmRows.slice(1).map((r) => r[0]),
    "cold article page (a miss: query, render, store)",
    ...COUNTED_ROWS.flatMap((row) => [counted(row, "on"), counted(row, "off")]),
  ];
  const loadResults = new Map(order.filter((r) => runs.has(r)).map((r) => [r, median(runs.get(r)!, (x) => x.rps)]));
  return { name, articles: content.articles.length, importSeconds, statements, stored, load: loadResults, persist };
}

/** The ETag of /rss.xml as the D1 worker (as deployed, in `dir`) serves it from the database in `persist`, for a 304 row. */
export async function d1Etag(dir: string, persist: string): Promise<string> {
  return withServedBundle(dir, { script: "dist-index/index.js", ...d1Options(persist) }, async ({ origin }) => {
    const res = await fetch(`${origin}/rss.xml`, { headers: { "Accept-Encoding": ACCEPT } });
    await res.arrayBuffer();
    return res.headers.get("ETag")!;
  });
}
