/**
 * The in-process CPU columns: the app's fetch handler called in a loop in this Node process
 * (the same code workerd runs), beside Node's own share of each row, and the first request
 * of a fresh app in this warm process.
 */
import { type Bundle, createApp } from "../src/app";
import type { Article } from "../src/content/types";
import { ACCEPT, BENCH_ORIGIN, median, ROUNDS, type Row } from "./harness";
import { referenceRss } from "./reference";
import { isNotModified } from "./routes";

export interface InProcessCpu {
  /** CPU microseconds per request, the worker's and Node's. */
  cpu: Map<string, number>;
  /** Node's share of each row's CPU: its Request, and a Response of the same bytes, read. */
  nodeCpu: Map<string, number>;
  /** CPU milliseconds of the first request to a fresh app. */
  coldMs: Map<string, number>;
}

/** CPU per request of each row, the median of ROUNDS interleaved rounds, after a warm-up. */
export async function cpuPerRequest(bundle: Bundle, newest: Article[], rows: Row[]): Promise<InProcessCpu> {
  const env = { SITE_URL: BENCH_ORIGIN };
  const app = createApp(bundle);
  const etag = (await app.request(`${BENCH_ORIGIN}/rss.xml`, { headers: { "Accept-Encoding": ACCEPT } }, env)).headers.get("ETag")!;
  const coldMs = new Map<string, number>();
  const calls = rows.map((row) => {
    const reference = row.path === "/__reference/rss.xml";
    const headers = isNotModified(row) ? { ...row.headers, "If-None-Match": etag } : row.headers;
    const url = `${BENCH_ORIGIN}${row.path}`;
    return {
      row,
      headers,
      url,
      once: async () => {
        const res = reference ? referenceRss({ articles: newest.slice(0, 50), topics: [] }, BENCH_ORIGIN) : await app.fetch(new Request(url, { headers }), env);
        await res.arrayBuffer();
      },
    };
  });
  // Node's share of each row: its Request, and a Response of the same status, headers and
  // bytes, read, with no worker code (undici's classes are JavaScript and copy the body;
  // workerd's are native). What is left is the worker's own work.
  const nodeCalls = new Map<string, () => Promise<void>>();
  for (const { row, headers, url } of calls) {
    const sample =
      row.path === "/__reference/rss.xml"
        ? referenceRss({ articles: newest.slice(0, 50), topics: [] }, BENCH_ORIGIN)
        : await app.fetch(new Request(url, { headers }), env);
    const body = new Uint8Array(await sample.arrayBuffer());
    const init = { status: sample.status, headers: new Headers(sample.headers) };
    nodeCalls.set(row.name, async () => {
      void new Request(url, { headers });
      await new Response(body.byteLength === 0 ? null : body, init).arrayBuffer();
    });
  }
  for (const { row, headers } of calls) {
    // The first request on a fresh app, in this warmed-up process (bench/fresh.ts measures fresh processes).
    const fresh = createApp(bundle);
    const start = process.cpuUsage();
    await (await fresh.fetch(new Request(`${BENCH_ORIGIN}${row.path}`, { headers }), env)).arrayBuffer();
    const cold = process.cpuUsage(start);
    coldMs.set(row.name, (cold.user + cold.system) / 1000);
  }
  // Warm every path up first, so the JIT has compiled what is shared before anything is timed.
  for (const { row, once } of calls) {
    for (let i = 0; i < 2000; i++) await once();
    for (let i = 0; i < 2000; i++) await nodeCalls.get(row.name)!();
  }
  const samples = new Map<string, number[]>(rows.map((r) => [r.name, []]));
  const nodeSamples = new Map<string, number[]>(rows.map((r) => [r.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const { row, once } of calls) {
      samples.get(row.name)!.push(await perCall(once));
      nodeSamples.get(row.name)!.push(await perCall(nodeCalls.get(row.name)!));
    }
  }
  const cpu = new Map([...samples].map(([name, values]) => [name, median(values, (v) => v)]));
  const nodeCpu = new Map([...nodeSamples].map(([name, values]) => [name, median(values, (v) => v)]));
  return { cpu, nodeCpu, coldMs };
}

/** CPU microseconds per call of `f`, called in batches until 0.2 s of CPU is spent: enough calls that the clock's grain does not show. */
async function perCall(f: () => Promise<void>): Promise<number> {
  let n = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < 200_000) {
    for (let i = 0; i < 50; i++) await f();
    n += 50;
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
  return used / n;
}
