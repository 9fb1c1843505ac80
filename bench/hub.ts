/**
 * The own WebSub hub's rows of `npm run bench`: N local subscribers (N = 1, 100, 1,000) on
 * one Node server on 127.0.0.1, subscribed to /rss.xml through `POST /websub` and verified;
 * then PUTs over the API, each timed from its answer until the last subscriber holds a
 * feed with the new article. The worker runs as deployed (the bench bundle) in Miniflare,
 * D1 mode, with the hub's Durable Object and the default render window.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { BENCH_ORIGIN, bundledModules, freePort, log, RUNTIME } from "./harness";

export interface HubResult {
  subscribers: number;
  puts: number;
  /** PUT latency (to its answer), median over the PUTs. */
  putMs: number;
  /** From a PUT's answer to each subscriber's delivery of the feed that shows it, over every delivery of every PUT. */
  p50: number;
  p95: number;
  /** From a PUT's answer to the last subscriber's delivery, median over the PUTs. */
  lastMs: number;
  /** /rss.xml requests a second from readers (10 at a time) while the fan-outs ran, and with no subscriber at all (the same in every row). */
  readsPerSecond: number;
  baselineReadsPerSecond: number;
  renderWindowMs: number;
}

const TOKEN = "bench-token";
const PUTS = 5;
const RENDER_WINDOW_MS = 1000;

type Worker = Awaited<ReturnType<Miniflare["getWorker"]>>;

/** One worker on the local D1 in `persist`, with the hub's Durable Object (its own storage under `persist` too). */
function hubWorker(dir: string, persist: string): Miniflare {
  return new Miniflare(
    convertV4MiniflareOptions({
      workers: [
        {
          name: "hub",
          modules: bundledModules(join(dir, "dist-index"), "index.js"),
          modulesRoot: join(dir, "dist-index"),
          compatibilityDate: RUNTIME.compatibilityDate,
          compatibilityFlags: RUNTIME.compatibilityFlags,
          d1Databases: { DB: "bench" },
          durableObjects: { HUB: { className: "WebSubHub", useSQLite: true }, HUB_COURIER: { className: "WebSubCourier", useSQLite: true } },
          bindings: {
            SITE_URL: BENCH_ORIGIN,
            STORAGE: "d1",
            CONTENT_TTL: "10",
            PUBLISH_TOKEN: TOKEN,
            RENDER_WINDOW_MS: String(RENDER_WINDOW_MS),
            // Every subscriber is on 127.0.0.1, and every request comes from one client.
            HUB_MAX_PER_HOST: "100000",
            HUB_REQUESTS_PER_MINUTE: "100000",
          },
        },
      ],
      resourcePersistencePath: persist,
    }),
  );
}

/** Subscribers at /s/{n} of one local server: each verification echoed, each delivery's arrival time and body kept. */
async function subscriberServer() {
  const verified = new Set<string>();
  const deliveries: { path: string; at: number; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET") {
      verified.add(`${url.searchParams.get("hub.mode")} ${url.pathname}`);
      res.writeHead(200, { "Content-Type": "text/plain" }).end(url.searchParams.get("hub.challenge") ?? "");
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ path: url.pathname, at: performance.now(), body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${port}`, verified, deliveries, close: () => new Promise((r) => server.close(r)) };
}

async function waitFor(check: () => boolean, limitMs: number, what: string): Promise<void> {
  const end = performance.now() + limitMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`bench hub: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Sends `mode` for subscribers first…last-1, 10 at a time, and waits until each is verified. */
async function changeSubscriptions(worker: Worker, server: Awaited<ReturnType<typeof subscriberServer>>, mode: string, first: number, last: number) {
  server.verified.clear();
  let next = first;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < last) {
        const n = next++;
        const form = new URLSearchParams({ "hub.mode": mode, "hub.topic": `${BENCH_ORIGIN}/rss.xml`, "hub.callback": `${server.base}/s/${n}` });
        const res = await worker.fetch(`${BENCH_ORIGIN}/websub`, {
          method: "POST",
          body: form,
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        });
        if (res.status !== 202) throw new Error(`bench hub: ${mode} answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  await waitFor(
    () => Array.from({ length: last - first }, (_, i) => `${mode} /s/${first + i}`).every((k) => server.verified.has(k)),
    120_000,
    `${mode} verifications`,
  );
}

/** Readers polling /rss.xml, 10 at a time, until `stop()`: the requests a second. */
function readers(worker: Worker) {
  let running = true;
  let done = 0;
  const started = performance.now();
  const loops = Array.from({ length: 10 }, async () => {
    while (running) {
      const res = await worker.fetch(`${BENCH_ORIGIN}/rss.xml`, { headers: { "Accept-Encoding": "gzip, br" } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`bench hub: /rss.xml answered ${res.status}`);
      done++;
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
    return { count: done, ms: performance.now() - started };
  };
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const at = (values: number[], q: number) => sorted(values)[Math.min(values.length - 1, Math.floor(values.length * q))]!;

/** `dir`: the bench bundle; `persist`: a D1 with the migrations applied and some articles imported. */
export async function measureHub(dir: string, persist: string, counts = [1, 100, 1000]): Promise<HubResult[]> {
  const mf = hubWorker(dir, persist);
  await mf.ready;
  const server = await subscriberServer();
  const results: HubResult[] = [];
  try {
    const worker = await mf.getWorker("hub");
    // Readers with no subscriber and no fan-out: what the rows' reads are compared with.
    await (await worker.fetch(`${BENCH_ORIGIN}/rss.xml`)).arrayBuffer();
    const stopBaseline = readers(worker);
    await new Promise((r) => setTimeout(r, 3000));
    const baseline = await stopBaseline();
    const baselineReadsPerSecond = baseline.count / (baseline.ms / 1000);
    let story = 0;
    for (const count of counts) {
      log(`hub: ${count} subscriber(s)`);
      // Earlier rows' subscribers are gone: each row measures its own fan-out.
      await changeSubscriptions(worker, server, "subscribe", 0, count);
      const putTimes: number[] = [];
      const lasts: number[] = [];
      const each: number[] = [];
      const reads = { count: 0, ms: 0 };
      for (let p = 0; p < PUTS; p++) {
        const headline = `Hub bench story ${++story}`;
        const started = performance.now();
        const res = await worker.fetch(`${BENCH_ORIGIN}/api/articles/hub-bench-${story}`, {
          method: "PUT",
          headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "text/plain" },
          body: `${headline}\n\nA story for the hub's fan-out.\n`,
        });
        if (res.status !== 201) throw new Error(`bench hub: PUT answered ${res.status}`);
        await res.arrayBuffer();
        const answered = performance.now();
        putTimes.push(answered - started);
        const stopReaders = readers(worker);
        const holding = () => {
          const got = new Map<string, number>();
          for (const d of server.deliveries) if (!got.has(d.path) && d.at >= answered && d.body.includes(headline)) got.set(d.path, d.at);
          return got;
        };
        await waitFor(() => holding().size >= count, 120_000, `${count} deliveries of "${headline}"`);
        const read = await stopReaders();
        reads.count += read.count;
        reads.ms += read.ms;
        const times = [...holding().values()].map((t) => t - answered);
        each.push(...times);
        lasts.push(Math.max(...times));
        // Let the tail of this fan-out (older versions still in flight) settle before the next PUT.
        await new Promise((r) => setTimeout(r, 200));
        server.deliveries.length = 0;
      }
      results.push({
        subscribers: count,
        puts: PUTS,
        putMs: at(putTimes, 0.5),
        p50: at(each, 0.5),
        p95: at(each, 0.95),
        lastMs: at(lasts, 0.5),
        readsPerSecond: reads.count / (reads.ms / 1000),
        baselineReadsPerSecond,
        renderWindowMs: RENDER_WINDOW_MS,
      });
      await changeSubscriptions(worker, server, "unsubscribe", 0, count);
    }
  } finally {
    await server.close();
    await mf.dispose();
  }
  return results;
}
