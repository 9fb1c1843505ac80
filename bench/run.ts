/**
 * `npm run bench`: builds the worker for three corpora (the seeds, and generated archives
 * of 1,000 and 10,000 articles), serves each in workerd on 127.0.0.1, drives load at every
 * route from a separate process, measures in-process CPU per request, measures the first
 * request of fresh isolates (bench/fresh.ts) and the isolate's memory for the largest
 * archive the bundled mode holds (bench/memory.ts), and writes BENCHMARKS.md. Ratios to
 * /healthz measured in the same run are the claim.
 *
 * The worker runs under Miniflare, not `wrangler dev`: Miniflare runs the bundle that
 * `wrangler deploy` would upload, in the same workerd, on a socket of its own
 * (`unsafeDirectSockets`), so no dev-time entry worker, proxy, file watcher or request
 * log sits in the request path. (Behind Miniflare's default entry worker, /healthz
 * measured about 1,700 req/s here against about 5,500 on the direct socket: the entry
 * worker's constant cost would flatten every ratio toward 1.)
 *
 * Each row is measured in ROUNDS interleaved rounds and the median taken, so a slow
 * moment of the machine does not land on one row only.
 *
 *   BENCH_SECONDS   seconds of load per row and round (default 4)
 *   BENCH_ROUNDS    rounds per row, of which the median counts (default 5)
 *   BENCH_CORPORA   comma-separated subset of: seeds,1000,10000,largest,d1-10000,d1-100000
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { type Bundle, createApp } from "../src/app";
import { PackedStore } from "../src/bundle/packed-store";
import type { Article } from "../src/content/types";
import { generateArchive } from "../scripts/generate-archive";
import { ACCEPT, BENCH_ORIGIN, BIN, CONNECTIONS, freePort, GENERATOR, load, type LoadResult, log, median, ROOT, ROUNDS, run, SECONDS, serveBundle, WORK } from "./harness";
import { compileContent } from "../src/compile/compile";
import { parseTopicFile } from "../src/compile/topics";
import { readSeedsFolder } from "../scripts/lib/seeds-folder";
import { type D1Result, d1Report, measureD1 } from "./d1";
import { D1_FLOOR, D1_FLOOR_BYTES, type FreshResult, type FreshRow, freshReport, freshTargets, measureFresh } from "./fresh";
import { measureMemory, type MemoryResult } from "./memory";
import { measurePublish, type PublishResult, publishReport } from "./publish";
import { referenceRss } from "./reference";
import { responseSiteKey } from "../src/routes/representations";
import { resolveSite } from "../src/site";

const CORPORA = ["seeds", "1000", "10000", "largest", "d1-10000", "d1-100000"];
const WANTED = (process.env.BENCH_CORPORA ?? CORPORA.join(",")).split(",").map((c) => c.trim());
for (const corpus of WANTED) {
  if (!CORPORA.includes(corpus)) {
    console.error(`bench: unknown corpus "${corpus}" in BENCH_CORPORA (known: ${CORPORA.join(", ")})`);
    process.exit(1);
  }
}

/** Cloudflare's limit on a worker's size, uncompressed, on every plan since 2026-09 (cloudflare/workers-sdk#14001). */
const LIMIT_MIB = 64;
/** Cloudflare's memory limit per isolate, and the bench's target under it. */
const MEMORY_LIMIT_MB = 128;
const MEMORY_TARGET_MB = 96;

interface Row {
  name: string;
  path: string;
  headers: Record<string, string>;
}

interface CorpusResult {
  name: string;
  articles: number;
  topics: number;
  buildSeconds: number;
  /** CPU to open the data modules and build the app, as an isolate does when it starts. */
  startupMs: number;
  bundle: { rawKiB: number; gzipKiB: number };
  /** The data modules' sizes: the packed articles and the stored responses. */
  data: { contentMiB: number; responsesMiB: number; stored: number };
  load: Map<string, LoadResult>;
  cpu: Map<string, number>;
  coldMs: Map<string, number>;
  /** Node's share of each row's in-process CPU: its Request, and a Response of the same bytes, read. */
  nodeCpu: Map<string, number>;
  wire: { path: string; identity: number; gzip: number; br: number }[];
  fresh: FreshResult;
}

/** The bench's data modules of a corpus, as the worker gets them, with its newest articles and topics for choosing rows. */
function loadBundle(dir: string) {
  const read = (name: string) => new Uint8Array(readFileSync(join(dir, "generated", name)));
  const bundle: Bundle = { content: read("content.bin"), responses: read("responses.bin") };
  const start = process.cpuUsage();
  createApp(bundle, { startupEnv: { SITE_URL: BENCH_ORIGIN } });
  const used = process.cpuUsage(start);
  return { bundle, startupMs: (used.user + used.system) / 1000 };
}

/** Compiles a folder of articles and bundles the worker for it, as `npm run build` does, for BENCH_ORIGIN. */
function build(name: string, folder: string) {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const output = run(join(BIN, "tsx"), ["scripts/build-content.ts"], { SEEDS_DIR: folder, GENERATED_DIR: join(dir, "generated"), SITE_URL: BENCH_ORIGIN });
  const buildSeconds = (performance.now() - started) / 1000;
  const stored = Number(/stored (\d+) responses/.exec(output)?.[1] ?? 0);
  const imports = [`import content from "./generated/content.bin";`, `import responses from "./generated/responses.bin";`];
  // The worker as src/index.ts makes it, with this corpus's data modules.
  writeFileSync(
    join(dir, "index.ts"),
    [`import { env } from "cloudflare:workers";`, `import { createApp } from "../../../src/app";`, ...imports, ``, `export default createApp({ content, responses }, { startupEnv: env });`, ``].join("\n"),
  );
  writeFileSync(
    join(dir, "bench.ts"),
    [
      `import { env as startupEnv } from "cloudflare:workers";`,
      `import { createApp } from "../../../src/app";`,
      `import { PackedStore } from "../../../src/bundle/packed-store";`,
      `import { STORED_CODING_SQL } from "../../../src/d1/responses";`,
      `import type { Article } from "../../../src/content/types";`,
      `import { referenceRss } from "../../reference";`,
      ...imports,
      ``,
      `const app = createApp({ content, responses }, { startupEnv });`,
      `let newest: Promise<Article[]> | undefined;`,
      `export default {`,
      `  async fetch(request: Request, env: object, ctx: ExecutionContext) {`,
      `    const url = new URL(request.url);`,
      `    // The D1 mode's floor, for the fresh-isolate rows: one query, nothing else.`,
      `    if (url.pathname === "/__d1-floor") {`,
      `      await (env as { DB: D1Database }).DB.prepare("SELECT 1").first();`,
      `      return new Response("ok");`,
      `    }`,
      `    // The same query as a fresh isolate's first request for /rss.xml (br), its rows read, nothing else.`,
      `    if (url.pathname === "/__d1-floor-bytes") {`,
      `      const site = ${JSON.stringify(benchSiteKey())};`,
      `      const rows = await (env as { DB: D1Database }).DB.prepare(STORED_CODING_SQL).bind(site, "/rss.xml", site, "/rss.xml", "br").all();`,
      `      return new Response(String(rows.results.length));`,
      `    }`,
      `    if (url.pathname === "/__reference/rss.xml") {`,
      `      newest ??= new PackedStore(content).listing({}, 50, null).then((l) => l!.articles);`,
      `      return referenceRss({ articles: await newest, topics: [] }, url.origin);`,
      `    }`,
      `    return app.fetch(request, env, ctx);`,
      `  },`,
      `};`,
      ``,
    ].join("\n"),
  );
  const bundle = (entry: string, out: string) => {
    // wrangler adds to --outdir: an earlier build's data modules would stay beside this one's.
    rmSync(join(dir, out), { recursive: true, force: true });
    // --assets: the static assets this build wrote, not wrangler.toml's src/generated/assets,
    // which only `npm run content` makes: a fresh clone has none, and wrangler stops without it.
    const args = ["deploy", "--dry-run", "--outdir", join(dir, out), "--config", "wrangler.toml", "--assets", join(dir, "generated", "assets"), join(dir, entry)];
    const output = run(join(BIN, "wrangler"), args);
    const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    if (!m) throw new Error(`no bundle size in wrangler output:\n${output}`);
    return { rawKiB: Number(m[1]), gzipKiB: Number(m[2]) };
  };
  const sizes = bundle("index.ts", "dist-index");
  bundle("bench.ts", "dist-bench");
  const mib = (file: string) => statSync(join(dir, "generated", file)).size / 2 ** 20;
  return { dir, buildSeconds, upload: sizes, data: { contentMiB: mib("content.bin"), responsesMiB: mib("responses.bin"), stored }, ...loadBundle(dir) };
}

/** The key of the bench site's rows in the D1 responses table, as the worker works it out. */
function benchSiteKey(): string {
  // The storage settings are not part of the key (src/site.ts).
  const site = resolveSite({ SITE_URL: BENCH_ORIGIN }, `${BENCH_ORIGIN}/`);
  return responseSiteKey(site.origin, site.fingerprint);
}

/** The newest articles (all of a small corpus) and the topic with the most articles. */
async function sample(bundle: Bundle): Promise<{ articles: Article[]; count: number; topics: number; biggestTopic: string }> {
  const store = new PackedStore(bundle.content as Uint8Array<ArrayBuffer>);
  const snapshot = await store.snapshot();
  const inUse = snapshot.topics.filter((t) => t.count > 0).sort((a, b) => b.count - a.count);
  return { articles: (await store.listing({}, 100, null))!.articles, count: snapshot.articleCount, topics: inUse.length, biggestTopic: inUse[0]!.topic.slug };
}

function rowsFor(newest: Article[], biggestTopic: string): Row[] {
  const accept = { "Accept-Encoding": ACCEPT };
  return [
    { name: "/healthz", path: "/healthz", headers: accept },
    { name: "/rss.xml", path: "/rss.xml", headers: accept },
    { name: "/atom.xml", path: "/atom.xml", headers: accept },
    { name: "/feed.json", path: "/feed.json", headers: accept },
    { name: `topic feed (/topics/${biggestTopic}/rss.xml)`, path: `/topics/${biggestTopic}/rss.xml`, headers: accept },
    { name: "article page", path: `/articles/${newest[0]!.slug}`, headers: accept },
    { name: "/ (home page)", path: "/", headers: accept },
    { name: "304 (/rss.xml, If-None-Match)", path: "/rss.xml", headers: accept },
    { name: "reference: `feed` on every request", path: "/__reference/rss.xml", headers: accept },
  ];
}

/** Serves the bench bundle in workerd and drives each row, in interleaved rounds. */
async function loadTest(dir: string, rows: Row[]): Promise<Map<string, LoadResult>> {
  const port = await freePort();
  const mf = serveBundle(dir, port);
  await mf.ready;
  const origin = `http://127.0.0.1:${port}`;
  try {
    // One request per route renders and stores it; what follows is what every later request costs.
    for (const row of rows) await (await fetch(`${origin}${row.path}`, { headers: row.headers })).arrayBuffer();
    const etag = (await fetch(`${origin}/rss.xml`, { headers: { "Accept-Encoding": ACCEPT } })).headers.get("ETag")!;
    const runs = new Map<string, LoadResult[]>(rows.map((r) => [r.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      log(`  load round ${round}/${ROUNDS}`);
      for (const row of rows) {
        const headers = row.name.startsWith("304") ? { ...row.headers, "If-None-Match": etag } : row.headers;
        runs.get(row.name)!.push(await load(`${origin}${row.path}`, headers));
      }
    }
    return new Map([...runs].map(([name, results]) => [name, median(results, (r) => r.rps)]));
  } finally {
    await mf.dispose();
  }
}

/** CPU microseconds per request with the app's fetch handler called in a loop, in this Node process. */
async function cpuPerRequest(bundle: Bundle, newest: Article[], rows: Row[]) {
  const env = { SITE_URL: BENCH_ORIGIN };
  const app = createApp(bundle);
  const etag = (await app.request(`${BENCH_ORIGIN}/rss.xml`, { headers: { "Accept-Encoding": ACCEPT } }, env)).headers.get("ETag")!;
  const coldMs = new Map<string, number>();
  const calls = rows.map((row) => {
    const reference = row.path === "/__reference/rss.xml";
    const headers = row.name.startsWith("304") ? { ...row.headers, "If-None-Match": etag } : row.headers;
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
    const sample = row.path === "/__reference/rss.xml" ? referenceRss({ articles: newest.slice(0, 50), topics: [] }, BENCH_ORIGIN) : await app.fetch(new Request(url, { headers }), env);
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
  const perCall = async (f: () => Promise<void>) => {
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
  };
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

async function wireBytes(bundle: Bundle, paths: string[]) {
  const app = createApp(bundle);
  const env = { SITE_URL: BENCH_ORIGIN };
  const sizes = [];
  for (const path of paths) {
    const size = async (accept: string) => (await (await app.request(`${BENCH_ORIGIN}${path}`, { headers: { "Accept-Encoding": accept } }, env)).arrayBuffer()).byteLength;
    sizes.push({ path, identity: await size("identity"), gzip: await size("gzip"), br: await size("br") });
  }
  return sizes;
}

/** The routes of the fresh-isolate rows: each feed format, a topic feed, every kind of page, OPML and a 304. */
function freshRows(newest: Article[], biggestTopic: string, etag: string): FreshRow[] {
  const accept = { "Accept-Encoding": ACCEPT };
  return [
    { name: "/rss.xml", path: "/rss.xml", headers: accept },
    { name: "/atom.xml", path: "/atom.xml", headers: accept },
    { name: "/feed.json", path: "/feed.json", headers: accept },
    { name: "topic feed", path: `/topics/${biggestTopic}/rss.xml`, headers: accept },
    { name: "/ (home page)", path: "/", headers: accept },
    { name: "/topics", path: "/topics", headers: accept },
    { name: "topic page", path: `/topics/${biggestTopic}`, headers: accept },
    { name: "article page", path: `/articles/${newest[0]!.slug}`, headers: accept },
    { name: "/opml.xml", path: "/opml.xml", headers: accept },
    { name: "304 (/rss.xml, If-None-Match)", path: "/rss.xml", headers: { ...accept, "If-None-Match": etag } },
  ];
}

async function etagOf(bundle: Bundle, path: string, env: Record<string, unknown> = { SITE_URL: BENCH_ORIGIN }): Promise<string> {
  const res = await createApp(bundle).request(`${BENCH_ORIGIN}${path}`, { headers: { "Accept-Encoding": ACCEPT } }, env);
  await res.arrayBuffer();
  return res.headers.get("ETag")!;
}

async function measure(name: string, folder: string): Promise<CorpusResult> {
  log(`${name}: build`);
  const built = build(name.replace(/\W+/g, "-"), folder);
  const { articles: newest, count, topics, biggestTopic } = await sample(built.bundle);
  const rows = rowsFor(newest, biggestTopic);
  log(`${name}: load over loopback`);
  const loadResults = await loadTest(built.dir, rows);
  log(`${name}: in-process CPU`);
  const { cpu, nodeCpu, coldMs } = await cpuPerRequest(built.bundle, newest, rows);
  const wire = await wireBytes(built.bundle, ["/rss.xml", "/atom.xml", "/feed.json", rows[4]!.path]);
  const fresh = await measureFresh(name, { mode: "bundled", dir: built.dir }, freshRows(newest, biggestTopic, await etagOf(built.bundle, "/rss.xml")));
  return {
    name,
    articles: count,
    topics,
    buildSeconds: built.buildSeconds,
    startupMs: built.startupMs,
    bundle: built.upload,
    data: built.data,
    load: loadResults,
    cpu,
    coldMs,
    nodeCpu,
    wire,
    fresh,
  };
}

// ---- report

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (n: number) => `${fmt(n, 2)}×`;

function report(results: CorpusResult[], started: Date, d1: D1Result[], fresh: FreshResult[], memory: (MemoryResult & { mib: number }) | null, publish: PublishResult | null): string {
  const lines: string[] = [];
  const workerd = execFileSync(join(BIN, "workerd"), ["--version"], { encoding: "utf8" }).trim();
  const wrangler = (JSON.parse(readFileSync(join(ROOT, "node_modules/wrangler/package.json"), "utf8")) as { version: string }).version;
  const cpu = cpus();
  lines.push(
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts); rerun it to check. Ratios to `/healthz`, measured in the same run",
    "on the same machine, are the claim; absolute numbers depend on the machine.",
    "",
    `- Date: ${started.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    `- Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB`,
    `- Node ${process.version}; ${workerd}; wrangler ${wrangler} bundles, Miniflare serves (see bench/run.ts for why)`,
    `- Load: ${GENERATOR} in its own process, ${CONNECTIONS} connections, ${SECONDS} s per row, median of ${ROUNDS} interleaved rounds, \`Accept-Encoding: ${ACCEPT}\` as readers send it, over loopback (127.0.0.1)`,
    `- In-process CPU: the app's fetch handler called in a loop in Node (the same code workerd runs), body read, after a warm-up; median of ${ROUNDS} interleaved rounds.`,
    "  *Node's share*: the same loop with no worker code, building the row's Request and a Response of the same status, headers and bytes",
    "  and reading it (Node's Request, Response and Headers are JavaScript and copy the body; workerd's are native): *worker's own* is the rest,",
    "  a few microseconds, the difference of two medians (too small for a stable ratio).",
    "- First request CPU (last column): one request to a fresh app in this already warm process; the fresh-isolate section below measures fresh processes and isolates",
    "",
  );
  for (const r of results) {
    const base = r.load.get("/healthz")!;
    const baseCpu = r.cpu.get("/healthz")!;
    lines.push(
      `## ${r.name}: ${r.articles.toLocaleString("en-US")} articles, ${r.topics} topics`,
      "",
      `Built in ${fmt(r.buildSeconds, 2)} s (compiling, packing, and rendering the ${r.data.stored} stored responses). Worker ${fmt(r.bundle.rawKiB / 1024, 2)} MiB uncompressed`,
      `(articles ${fmt(r.data.contentMiB, 2)} MiB, stored responses ${fmt(r.data.responsesMiB, 2)} MiB, the rest code) of Cloudflare's ${LIMIT_MIB} MiB limit, every plan.`,
      `Startup (open the data modules, build the app, prepare the stored-response lookup): ${fmt(r.startupMs, 1)} ms CPU in Node.`,
      "",
      "| route | req/s | ratio to /healthz | p50 ms | p99 ms | bytes/response | statuses | CPU µs/req (in-process) | CPU ratio | Node's share µs | worker's own µs | first request CPU ms |",
      "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    );
    const order = ["/healthz", ...[...r.load.keys()].filter((k) => k !== "/healthz")];
    for (const name of order) {
      const l = r.load.get(name)!;
      const c = r.cpu.get(name)!;
      const node = r.nodeCpu.get(name)!;
      lines.push(
        `| ${name} | ${fmt(l.rps, 0)} | ${ratio(l.rps / base.rps)} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.bytesPerRequest, 0)} | ${l.statuses} | ${fmt(c)} | ${ratio(c / baseCpu)} | ${fmt(node)} | ${fmt(c - node)} | ${fmt(r.coldMs.get(name)!, 2)} |`,
      );
    }
    lines.push("", "Bytes on the wire per feed:", "", "| feed | uncompressed | gzip | br |", "| --- | ---: | ---: | ---: |");
    for (const w of r.wire) lines.push(`| ${w.path} | ${w.identity.toLocaleString("en-US")} | ${w.gzip.toLocaleString("en-US")} (${fmt((100 * w.gzip) / w.identity, 0)}%) | ${w.br.toLocaleString("en-US")} (${fmt((100 * w.br) / w.identity, 0)}%) |`);
    lines.push("");
  }
  lines.push(...d1Report(d1));
  if (publish !== null) lines.push(...publishReport(publish));
  lines.push(...freshReport(fresh));
  if (memory !== null) {
    const mb = (n: number) => fmt(n / 1e6, 1);
    lines.push(
      `## Memory: ${memory.articles.toLocaleString("en-US")} articles, the largest archive the bundled mode holds`,
      "",
      `A worker of ${fmt(memory.mib, 1)} MiB in workerd, read through the V8 inspector (the heap with its uncollected garbage: the figure errs high). Cloudflare allows ${MEMORY_LIMIT_MB} MB per isolate.`,
      "",
      "| when | JavaScript heap MB | ArrayBuffers MB (data modules, bodies) | total MB |",
      "| --- | ---: | ---: | ---: |",
      `| after startup | ${mb(memory.afterStartup.heap)} | ${mb(memory.afterStartup.buffers)} | ${mb(memory.afterStartup.heap + memory.afterStartup.buffers)} |`,
      `| after serving each of the ${memory.served} stored responses, uncompressed and compressed | ${mb(memory.afterServing.heap)} | ${mb(memory.afterServing.buffers)} | ${mb(memory.afterServing.heap + memory.afterServing.buffers)} |`,
      "",
    );
  }
  lines.push(...targets(results, fresh, memory));
  return `${lines.join("\n")}\n`;
}

/** Articles that fit the size limit, from the sizes of two archives: a fixed part and a part per article. */
function capacity(results: CorpusResult[]): { fixedMiB: number; perArticleKiB: number; articles: number } | null {
  const k1 = results.find((r) => r.articles === 1000);
  const k10 = results.find((r) => r.articles === 10000);
  if (!k1 || !k10) return null;
  const perArticleKiB = (k10.bundle.rawKiB - k1.bundle.rawKiB) / 9000;
  const fixedMiB = (k1.bundle.rawKiB - perArticleKiB * 1000) / 1024;
  // A margin of 1 MiB, as the build keeps.
  return { fixedMiB, perArticleKiB, articles: Math.floor(((LIMIT_MIB - 1 - fixedMiB) * 1024) / perArticleKiB / 1000) * 1000 };
}

function targets(results: CorpusResult[], fresh: FreshResult[], memory: MemoryResult | null): string[] {
  const out = ["## Targets", "", "| target | result |", "| --- | --- |"];
  const feeds = (r: CorpusResult) => [...r.load.keys()].filter((k) => k.includes("rss") || k.includes("atom") || k.includes("feed.json") || k.includes("topic feed")).filter((k) => !k.startsWith("304") && !k.startsWith("reference"));
  const pages = ["article page", "/ (home page)"];
  for (const r of results) {
    const baseCpu = r.cpu.get("/healthz")!;
    const worst = [...feeds(r), ...pages, [...r.cpu.keys()].find((k) => k.startsWith("304"))!].map((k) => [k, r.cpu.get(k)! / baseCpu] as const).sort((a, b) => b[1] - a[1])[0]!;
    out.push(`| ${r.name}: every feed and page ≤ 2× /healthz in-process CPU | worst ${worst[0]} ${ratio(worst[1])}: ${worst[1] <= 2 ? "met" : "missed"} |`);
  }
  for (const r of results.filter((x) => x.articles <= 1000)) {
    const base = r.load.get("/healthz")!.rps;
    const worst = feeds(r).map((k) => [k, r.load.get(k)!.rps / base] as const).sort((a, b) => a[1] - b[1])[0]!;
    const notModified = r.load.get([...r.load.keys()].find((k) => k.startsWith("304"))!)!.rps / base;
    out.push(`| ${r.name}: each feed ≥ 0.8× /healthz req/s | worst ${worst[0]} ${ratio(worst[1])}: ${worst[1] >= 0.8 ? "met" : "missed"} |`);
    out.push(`| ${r.name}: 304 ≥ 0.9× /healthz req/s | ${ratio(notModified)}: ${notModified >= 0.9 ? "met" : "missed"} |`);
  }
  const k1 = results.find((r) => r.articles === 1000);
  const k10 = results.find((r) => r.articles === 10000);
  if (k1 && k10) {
    // A request path that grew with the archive would be slower at 10,000: that is the
    // failure to look for. Differences the other way are the noise of the machine.
    const changes = [...k1.load.keys()]
      .filter((k) => !k.startsWith("reference"))
      .map((k) => {
        const a = k1.load.get(k)!.rps / k1.load.get("/healthz")!.rps;
        const b = k10.load.get(k)!.rps / k10.load.get("/healthz")!.rps;
        return [k, (b - a) / a] as const;
      });
    const slowest = [...changes].sort((a, b) => a[1] - b[1])[0]!;
    const widest = [...changes].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))[0]!;
    out.push(
      `| 10,000 within 10% of 1,000 (req/s ratio to /healthz) | largest slowdown at 10,000: ${slowest[0]} ${fmt(Math.max(0, -100 * slowest[1]))}%; largest difference either way: ${widest[0]} ${fmt(100 * widest[1])}%: ${Math.abs(widest[1]) <= 0.1 ? "met" : slowest[1] >= -0.1 ? "no row slower by more than 10% (the wider differences are faster rows: noise)" : "missed"} |`,
    );
    out.push(`| building 10,000 articles < 20 s | ${fmt(k10.buildSeconds, 2)} s: ${k10.buildSeconds < 20 ? "met" : "missed"} |`);
    const fit = capacity(results)!;
    out.push(
      `| archive size that fits ${LIMIT_MIB} MiB (worker ≈ ${fmt(fit.fixedMiB, 1)} MiB + ${fmt(fit.perArticleKiB, 2)} KiB per article, 1 MiB kept free) | about ${fit.articles.toLocaleString("en-US")} articles like these (~2 KB of text each), on every plan |`,
    );
  }
  out.push(...freshTargets(fresh));
  if (memory !== null) {
    const total = (memory.afterServing.heap + memory.afterServing.buffers) / 1e6;
    out.push(`| ${memory.articles.toLocaleString("en-US")} articles: isolate memory after serving every stored response < ${MEMORY_TARGET_MB} MB | ${fmt(total, 1)} MB: ${total < MEMORY_TARGET_MB ? "met" : "missed"} |`);
  }
  out.push("");
  return out;
}

/** The ETag of /rss.xml as the D1 worker serves it, for the 304 row. */
async function d1Etag(dir: string, persist: string): Promise<string> {
  const port = await freePort();
  const mf = serveBundle(dir, port, { script: "dist-index/index.js", d1Databases: { DB: "bench" }, persist, bindings: { STORAGE: "d1", CONTENT_TTL: "60" } });
  await mf.ready;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/rss.xml`, { headers: { "Accept-Encoding": ACCEPT } });
    await res.arrayBuffer();
    return res.headers.get("ETag")!;
  } finally {
    await mf.dispose();
  }
}

async function main() {
  const started = new Date();
  mkdirSync(WORK, { recursive: true });
  const results: CorpusResult[] = [];
  if (WANTED.includes("seeds")) results.push(await measure("Seeds", join(ROOT, "seeds")));
  for (const count of [1000, 10000]) {
    if (!WANTED.includes(String(count))) continue;
    const folder = join(WORK, `archive-${count}`);
    log(`generating ${count} articles`);
    generateArchive(count, folder);
    results.push(await measure(`Archive of ${count.toLocaleString("en-US")}`, folder));
  }
  const fresh = results.map((r) => r.fresh);

  let memory: (MemoryResult & { mib: number }) | null = null;
  const fit = capacity(results);
  if (WANTED.includes("largest") && fit !== null) {
    const folder = join(WORK, `archive-${fit.articles}`);
    log(`generating ${fit.articles} articles, the largest archive the bundled mode holds`);
    generateArchive(fit.articles, folder);
    log(`largest: build`);
    const built = build("largest", folder);
    log(`largest: memory`);
    memory = { ...(await measureMemory(built.dir, fit.articles)), mib: built.upload.rawKiB / 1024 };
  }

  const d1: D1Result[] = [];
  let publish: PublishResult | null = null;
  for (const count of [10_000, 100_000]) {
    if (!WANTED.includes(`d1-${count}`)) continue;
    // The D1 worker bundles no archive: the seeds' bundle serves, reading D1 (built in this run).
    if (!WANTED.includes("seeds") && d1.length === 0) build("Seeds", join(ROOT, "seeds"));
    const folder = join(WORK, `archive-${count}`);
    if (!existsSync(folder) || readdirSync(folder).length !== count) {
      log(`generating ${count} articles`);
      generateArchive(count, folder);
    }
    log(`D1 ${count}: compile`);
    const topics = parseTopicFile(readFileSync(join(ROOT, "src/content/topics.yaml"), "utf8"));
    const read = readSeedsFolder(folder);
    const { content } = await compileContent(read.files, { topics, now: Date.now(), folder: read.folder });
    const result = await measureD1(`${count.toLocaleString("en-US")} articles`, content, join(WORK, "Seeds"), ROOT);
    d1.push(result);
    if (count === 10_000) {
      const biggest = [...new Set(content.articles.flatMap((a) => a.topics))].map((t) => [t, content.articles.filter((a) => a.topics.includes(t)).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
      const etag = await d1Etag(join(WORK, "Seeds"), result.persist);
      fresh.push(await measureFresh(`D1, ${count.toLocaleString("en-US")} articles`, { mode: "d1", dir: join(WORK, "Seeds"), persist: result.persist }, [...freshRows(content.articles, biggest, etag), D1_FLOOR, D1_FLOOR_BYTES]));
      // Last: it adds articles to the database.
      publish = await measurePublish(join(WORK, "Seeds"), result.persist, count);
    }
  }
  const markdown = report(results, started, d1, fresh, memory, publish);
  writeFileSync(join(ROOT, "BENCHMARKS.md"), markdown);
  process.stdout.write(markdown);
}

await main();
