/**
 * A fresh app made as src/index.ts makes it, for the first-request CPU rows: in a fresh
 * Node process (bench/first-request.ts) and in the warm bench process (bench/fresh.ts),
 * which must set it up the same way for their two columns to compare.
 */
import { createApp } from "../src/app";
import type { D1Like } from "../src/config/env";
import { BENCH_ORIGIN, D1_SETTINGS, type Row, readBundle } from "./harness";

export interface FreshApp {
  /** One request, with the app's environment and an execution context that keeps what is left for after the answer. */
  fetch(request: Request): Response | Promise<Response>;
  /** Resolves once the work the requests left for after the answer (waitUntil) is done. */
  settled(): Promise<unknown>;
}

/** The app of the data modules in `generated`, prepared at startup with its environment; in the D1 mode when given a database. */
export function freshApp(generated: string, db?: D1Like): FreshApp {
  const env = db === undefined ? { SITE_URL: BENCH_ORIGIN } : { SITE_URL: BENCH_ORIGIN, ...D1_SETTINGS, DB: db };
  const app = createApp(readBundle(generated), { startupEnv: env });
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (work: Promise<unknown>) => void pending.push(work), passThroughOnException: () => {}, props: {} } as never;
  return { fetch: (request) => app.fetch(request, env, ctx), settled: () => Promise.all(pending) };
}

/**
 * The first GET of a fresh app, after one OPTIONS request has paid for startup as in
 * workerd: its status, and its CPU milliseconds in this process.
 */
export async function firstRequestCpu(generated: string, row: Pick<Row, "path" | "headers">, db?: D1Like): Promise<{ status: number; cpuMs: number }> {
  const app = freshApp(generated, db);
  await (await app.fetch(new Request(`${BENCH_ORIGIN}/`, { method: "OPTIONS" }))).arrayBuffer();
  const start = process.cpuUsage();
  const res = await app.fetch(new Request(`${BENCH_ORIGIN}${row.path}`, { headers: row.headers }));
  await res.arrayBuffer();
  // Work left for after the answer counts: Cloudflare bills the invocation's CPU, that work included.
  await app.settled();
  const used = process.cpuUsage(start);
  return { status: res.status, cpuMs: (used.user + used.system) / 1000 };
}
