/**
 * The fresh-isolate rows of `npm run bench`: what the first request costs in an isolate
 * that has served nothing, which on the edge is most requests of a quiet site.
 *
 * - Wall clock: for each row, a new workerd (Miniflare, direct socket) is started, one
 *   OPTIONS request pays for startup (in the D1 mode, the local database is opened first:
 *   D1 is a service already running), and the GET that follows is timed from the client;
 *   median of FRESH_ROUNDS fresh isolates, interleaved with the other rows, and given as a ratio
 *   to the first GET of /healthz measured the same way.
 * - CPU: the same first request in a fresh Node process (bench/first-request.ts), which
 *   runs the same code as workerd; median of ROUNDS processes. In the D1 mode the database
 *   is replayed from a recording of the real one's answers, so the figure is the worker's own.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import type { D1Like } from "../src/config/env";
import { firstRequestCpu, freshApp } from "./fresh-app";
import { BENCH_ORIGIN, type BundleOptions, d1Options, log, median, ROOT, ROUNDS, type Row, rawRequest, withServedBundle } from "./harness";
import { RecordingD1, ReplayD1 } from "./replay-d1";

export interface FreshRow extends Row {
  /** A calibration row, served by the bench entry (dist-bench/), wall clock only. */
  calibration?: boolean;
}

/** The D1 mode's floor: one `SELECT 1` from a fresh isolate, nothing else (bench entry's /__d1-floor). */
export const D1_FLOOR: FreshRow = { name: "calibration: one D1 query, nothing else", path: "/__d1-floor", headers: {}, calibration: true };
/** The same with the bytes: the query a fresh isolate sends for /rss.xml's br coding, its rows read, nothing else (/__d1-floor-bytes). */
export const D1_FLOOR_BYTES: FreshRow = {
  name: "calibration: that query for /rss.xml's br rows, nothing else",
  path: "/__d1-floor-bytes",
  headers: {},
  calibration: true,
};

export interface FreshMeasure {
  name: string;
  path: string;
  status: number;
  /** Median wall-clock milliseconds of the first GET. */
  wallMs: number;
  /** Median CPU milliseconds of the first GET of a fresh app, in this (warm) process: the worker's own work. */
  appCpuMs: number;
  /** Median CPU milliseconds of the first GET in a fresh Node process: the worker's work and compiling the code it runs. */
  cpuMs: number;
}

export interface FreshResult {
  corpus: string;
  mode: "bundled" | "d1";
  rows: FreshMeasure[];
}

/** The bench folder of the corpus (`dir`): dist-index/ (the worker as deployed) and generated/ (its data modules). */
export type FreshOptions =
  | { mode: "bundled"; dir: string }
  /** `persist`: the local D1 state the worker reads. */
  | { mode: "d1"; dir: string; persist: string };

function miniflareOptions(options: FreshOptions, row?: FreshRow): BundleOptions {
  const script = row?.calibration ? "dist-bench/bench.js" : "dist-index/index.js";
  return options.mode === "d1" ? { script, ...d1Options(options.persist) } : { script };
}

/**
 * The GET of `path` on a workerd just started at `port`, after one OPTIONS request has paid
 * for its startup: both on one kept-alive connection, so the GET does not pay for connecting.
 */
export async function timeFirstGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; ms: number; etag: string | null }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await rawRequest(agent, port, "OPTIONS", "/");
    const start = performance.now();
    const res = await rawRequest(agent, port, "GET", path, headers);
    return { status: res.status, ms: performance.now() - start, etag: res.etag };
  } finally {
    agent.destroy();
  }
}

/** One fresh workerd: startup paid by an OPTIONS request, then the timed GET. */
async function firstGet(options: FreshOptions, row: FreshRow): Promise<{ status: number; ms: number }> {
  return withServedBundle(options.dir, miniflareOptions(options, row), async ({ mf, port }) => {
    // The database is a service that is already up when an isolate starts, as D1 is:
    // Miniflare's local D1 is opened before the worker's first request.
    if (options.mode === "d1") await ((await mf.getD1Database("DB")) as unknown as D1Like).prepare("SELECT 1").first();
    const { status, ms } = await timeFirstGet(port, row.path, row.headers);
    return { status, ms };
  });
}

/** What the database answers for `row`, recorded for the CPU measurement's replay. */
async function record(options: FreshOptions, row: FreshRow, file: string): Promise<void> {
  await withServedBundle(options.dir, miniflareOptions(options), async ({ mf }) => {
    const recording = new RecordingD1((await mf.getD1Database("DB")) as unknown as D1Like);
    const app = freshApp(join(options.dir, "generated"), recording);
    await (await app.fetch(new Request(`${BENCH_ORIGIN}${row.path}`, { headers: row.headers }))).arrayBuffer();
    await app.settled();
    recording.save(file);
  });
}

/** The first GET of a fresh app in this process, after an OPTIONS request: CPU milliseconds. */
async function appCpu(options: FreshOptions, row: FreshRow, recording: string | undefined): Promise<number> {
  return (await firstRequestCpu(join(options.dir, "generated"), row, recording === undefined ? undefined : ReplayD1.load(recording))).cpuMs;
}

/** The same in a fresh Node process (bench/first-request.ts), which also compiles every function it runs. */
function firstCpu(options: FreshOptions, row: FreshRow, recording: string | undefined): number {
  const args = [
    "--import",
    "tsx",
    join(ROOT, "bench/first-request.ts"),
    join(options.dir, "generated"),
    row.path,
    JSON.stringify(row.headers),
    ...(recording ? [recording] : []),
  ];
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`first-request.ts failed:\n${run.stderr}`);
  return (JSON.parse(run.stdout) as { cpuMs: number }).cpuMs;
}

/** Fresh isolates per row: a first request is one sample of a few milliseconds, so more of them than the load rows' rounds. */
export const FRESH_ROUNDS = Number(process.env.BENCH_FRESH_ROUNDS ?? 9);

export async function measureFresh(corpus: string, options: FreshOptions, rows: FreshRow[]): Promise<FreshResult> {
  const all: FreshRow[] = [{ name: "/healthz", path: "/healthz", headers: {} }, ...rows];
  const walls = new Map<string, { status: number; ms: number }[]>(all.map((r) => [r.name, []]));
  for (let round = 1; round <= FRESH_ROUNDS; round++) {
    log(`${corpus} (${options.mode}): fresh isolates, round ${round}/${FRESH_ROUNDS}`);
    for (const row of all) walls.get(row.name)!.push(await firstGet(options, row));
  }
  const recordings = join(options.dir, "d1-recordings");
  mkdirSync(recordings, { recursive: true });
  const replays = new Map<string, string | undefined>();
  for (const [i, row] of all.entries()) {
    if (options.mode !== "d1" || row.calibration) continue;
    const file = join(recordings, `${i}.json`);
    await record(options, row, file);
    replays.set(row.name, file);
  }
  const cpu = new Map<string, number[]>(all.map((r) => [r.name, []]));
  const inApp = new Map<string, number[]>(all.map((r) => [r.name, []]));
  // Interleaved, like the wall-clock rounds, so a slow moment of the machine lands on no row alone.
  for (let round = 1; round <= ROUNDS; round++) {
    log(`${corpus} (${options.mode}): first-request CPU, round ${round}/${ROUNDS}`);
    for (const row of all.filter((r) => !r.calibration)) {
      cpu.get(row.name)!.push(firstCpu(options, row, replays.get(row.name)));
      inApp.get(row.name)!.push(await appCpu(options, row, replays.get(row.name)));
    }
  }
  const measures: FreshMeasure[] = all.map((row) => {
    const wall = median(walls.get(row.name)!, (w) => w.ms);
    if (row.calibration) return { name: row.name, path: row.path, status: wall.status, wallMs: wall.ms, appCpuMs: NaN, cpuMs: NaN };
    return {
      name: row.name,
      path: row.path,
      status: wall.status,
      wallMs: wall.ms,
      appCpuMs: median(inApp.get(row.name)!, (c) => c),
      cpuMs: median(cpu.get(row.name)!, (c) => c),
    };
  });
  return { corpus, mode: options.mode, rows: measures };
}
