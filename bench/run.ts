/**
 * `npm run bench`: builds the worker for three corpora (the seeds, and generated archives
 * of 1,000 and 10,000 articles), serves each in workerd on 127.0.0.1, drives load at every
 * route from a separate process, measures in-process CPU per request, and writes
 * BENCHMARKS.md. Ratios to /healthz measured in the same run are the claim.
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
 *   BENCH_CORPORA   comma-separated subset of: seeds,1000,10000,d1-10000,d1-100000
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { createApp } from "../src/app";
import type { Content } from "../src/content/types";
import { generateArchive } from "../scripts/generate-archive";
import { ACCEPT, BIN, CONNECTIONS, freePort, GENERATOR, load, type LoadResult, log, median, ROOT, ROUNDS, run, SECONDS, serveBundle, WORK } from "./harness";
import { compileContent } from "../src/compile/compile";
import { parseTopicFile } from "../src/compile/topics";
import { readSeedsFolder } from "../scripts/lib/seeds-folder";
import { type D1Result, d1Report, measureD1 } from "./d1";
import { referenceRss } from "./reference";

const WANTED = (process.env.BENCH_CORPORA ?? "seeds,1000,10000,d1-10000,d1-100000").split(",");

/** Cloudflare's compressed-size limits for a worker script. */
const LIMIT_FREE_KIB = 3 * 1024;
const LIMIT_PAID_KIB = 10 * 1024;

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
  /** CPU to parse the content and build the app, as an isolate does when it starts. */
  startupMs: number;
  bundle: { rawKiB: number; gzipKiB: number };
  load: Map<string, LoadResult>;
  cpu: Map<string, number>;
  coldMs: Map<string, number>;
  wire: { path: string; identity: number; gzip: number; br: number }[];
}

/**
 * Reads the content back from the generated module (a JSON string literal), timing what
 * the worker does at startup: parse the JSON and build the app's lookups.
 */
function loadContent(module: string): { content: Content; startupMs: number } {
  const json: string = JSON.parse(/JSON\.parse\((".*")\);/s.exec(readFileSync(module, "utf8"))![1]!);
  const start = process.cpuUsage();
  const content: Content = JSON.parse(json);
  createApp(content);
  const used = process.cpuUsage(start);
  return { content, startupMs: (used.user + used.system) / 1000 };
}

/** Compiles a folder of articles and bundles the worker for it, as `npm run build` does. */
function build(name: string, folder: string) {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  run(join(BIN, "tsx"), ["scripts/build-content.ts"], { SEEDS_DIR: folder, CONTENT_OUT: join(dir, "content.ts") });
  const buildSeconds = (performance.now() - started) / 1000;
  writeFileSync(join(dir, "index.ts"), `import { createApp } from "../../../src/app";\nimport { content } from "./content";\n\nexport default createApp(content);\n`);
  writeFileSync(
    join(dir, "bench.ts"),
    [
      `import { createApp } from "../../../src/app";`,
      `import { referenceRss } from "../../reference";`,
      `import { content } from "./content";`,
      ``,
      `const app = createApp(content);`,
      `export default {`,
      `  fetch(request: Request, env: object, ctx: ExecutionContext) {`,
      `    const url = new URL(request.url);`,
      `    if (url.pathname === "/__reference/rss.xml") return referenceRss(content, url.origin);`,
      `    return app.fetch(request, env, ctx);`,
      `  },`,
      `};`,
      ``,
    ].join("\n"),
  );
  const bundle = (entry: string, out: string) => {
    const output = run(join(BIN, "wrangler"), ["deploy", "--dry-run", "--outdir", join(dir, out), "--config", "wrangler.toml", join(dir, entry)]);
    const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    if (!m) throw new Error(`no bundle size in wrangler output:\n${output}`);
    return { rawKiB: Number(m[1]), gzipKiB: Number(m[2]) };
  };
  const sizes = bundle("index.ts", "dist-index");
  bundle("bench.ts", "dist-bench");
  return { dir, buildSeconds, bundle: sizes, ...loadContent(join(dir, "content.ts")) };
}

function rowsFor(content: Content): Row[] {
  const biggestTopic = [...new Set(content.articles.flatMap((a) => a.topics))]
    .map((slug) => ({ slug, count: content.articles.filter((a) => a.topics.includes(slug)).length }))
    .sort((a, b) => b.count - a.count)[0]!.slug;
  const accept = { "Accept-Encoding": ACCEPT };
  return [
    { name: "/healthz", path: "/healthz", headers: accept },
    { name: "/rss.xml", path: "/rss.xml", headers: accept },
    { name: "/atom.xml", path: "/atom.xml", headers: accept },
    { name: "/feed.json", path: "/feed.json", headers: accept },
    { name: `topic feed (/topics/${biggestTopic}/rss.xml)`, path: `/topics/${biggestTopic}/rss.xml`, headers: accept },
    { name: "article page", path: `/articles/${content.articles[0]!.slug}`, headers: accept },
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
async function cpuPerRequest(content: Content, rows: Row[]) {
  const env = { SITE_URL: "https://bench.example" };
  const app = createApp(content);
  const etag = (await app.request("https://bench.example/rss.xml", { headers: { "Accept-Encoding": ACCEPT } }, env)).headers.get("ETag")!;
  const coldMs = new Map<string, number>();
  const calls = rows.map((row) => {
    const reference = row.path === "/__reference/rss.xml";
    const headers = row.name.startsWith("304") ? { ...row.headers, "If-None-Match": etag } : row.headers;
    const url = `https://bench.example${row.path}`;
    return {
      row,
      headers,
      once: async () => {
        const res = reference ? referenceRss(content, "https://bench.example") : await app.fetch(new Request(url, { headers }), env);
        await res.arrayBuffer();
      },
    };
  });
  for (const { row, headers } of calls) {
    // The first request on a fresh app: the one-time rendering, hashing and compression.
    const fresh = createApp(content);
    const start = process.cpuUsage();
    await (await fresh.fetch(new Request(`https://bench.example${row.path}`, { headers }), env)).arrayBuffer();
    const cold = process.cpuUsage(start);
    coldMs.set(row.name, (cold.user + cold.system) / 1000);
  }
  // Warm every path up first, so the JIT has compiled what is shared before anything is timed.
  for (const { once } of calls) for (let i = 0; i < 2000; i++) await once();
  const samples = new Map<string, number[]>(rows.map((r) => [r.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const { row, once } of calls) {
      let n = 0;
      const start = process.cpuUsage();
      let used = 0;
      while (used < 200_000) {
        for (let i = 0; i < 50; i++) await once();
        n += 50;
        const u = process.cpuUsage(start);
        used = u.user + u.system;
      }
      samples.get(row.name)!.push(used / n);
    }
  }
  const cpu = new Map([...samples].map(([name, values]) => [name, median(values, (v) => v)]));
  return { cpu, coldMs };
}

async function wireBytes(content: Content, paths: string[]) {
  const app = createApp(content);
  const env = { SITE_URL: "https://bench.example" };
  const sizes = [];
  for (const path of paths) {
    const size = async (accept: string) => (await (await app.request(`https://bench.example${path}`, { headers: { "Accept-Encoding": accept } }, env)).arrayBuffer()).byteLength;
    sizes.push({ path, identity: await size("identity"), gzip: await size("gzip"), br: await size("br") });
  }
  return sizes;
}

async function measure(name: string, folder: string): Promise<CorpusResult> {
  log(`${name}: build`);
  const built = build(name.replace(/\W+/g, "-"), folder);
  const rows = rowsFor(built.content);
  log(`${name}: load over loopback`);
  const loadResults = await loadTest(built.dir, rows);
  log(`${name}: in-process CPU`);
  const { cpu, coldMs } = await cpuPerRequest(built.content, rows);
  const wire = await wireBytes(built.content, ["/rss.xml", "/atom.xml", "/feed.json", rows[4]!.path]);
  return {
    name,
    articles: built.content.articles.length,
    topics: new Set(built.content.articles.flatMap((a) => a.topics)).size,
    buildSeconds: built.buildSeconds,
    startupMs: built.startupMs,
    bundle: built.bundle,
    load: loadResults,
    cpu,
    coldMs,
    wire,
  };
}

// ---- report

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (n: number) => `${fmt(n, 2)}×`;

function report(results: CorpusResult[], started: Date, d1: D1Result[]): string {
  const lines: string[] = [];
  const workerd = execFileSync(join(BIN, "workerd"), ["--version"], { encoding: "utf8" }).trim();
  const cpu = cpus();
  lines.push(
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts); rerun it to check. Ratios to `/healthz`, measured in the same run",
    "on the same machine, are the claim; absolute numbers depend on the machine.",
    "",
    `- Date: ${started.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    `- Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB`,
    `- Node ${process.version}; ${workerd}; wrangler 4.86.0 bundles, Miniflare serves (see bench/run.ts for why)`,
    `- Load: ${GENERATOR} in its own process, ${CONNECTIONS} connections, ${SECONDS} s per row, median of ${ROUNDS} interleaved rounds, \`Accept-Encoding: ${ACCEPT}\` as readers send it, over loopback (127.0.0.1)`,
    `- In-process CPU: the app's fetch handler called in a loop in Node (the same code workerd runs), body read, after a warm-up; median of ${ROUNDS} interleaved rounds`,
    "- First request CPU: one request to a fresh app, which renders, hashes and compresses that response (every later request reuses it)",
    "",
  );
  for (const r of results) {
    const base = r.load.get("/healthz")!;
    const baseCpu = r.cpu.get("/healthz")!;
    lines.push(
      `## ${r.name}: ${r.articles.toLocaleString("en-US")} articles, ${r.topics} topics`,
      "",
      `Compiled in ${fmt(r.buildSeconds, 2)} s. Worker bundle ${fmt(r.bundle.rawKiB / 1024, 2)} MiB raw, ${fmt(r.bundle.gzipKiB / 1024, 2)} MiB gzip`,
      `(Cloudflare limits, compressed: ${LIMIT_FREE_KIB / 1024} MiB free plan, ${LIMIT_PAID_KIB / 1024} MiB paid: ${r.bundle.gzipKiB <= LIMIT_FREE_KIB ? "fits both" : r.bundle.gzipKiB <= LIMIT_PAID_KIB ? "fits the paid plan only" : "fits neither"}).`,
      `Startup (parse the content, build the lookups): ${fmt(r.startupMs, 0)} ms CPU in Node.`,
      "",
      "| route | req/s | ratio to /healthz | p50 ms | p99 ms | bytes/response | statuses | CPU µs/req (in-process) | CPU ratio | first request CPU ms |",
      "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    );
    const order = ["/healthz", ...[...r.load.keys()].filter((k) => k !== "/healthz")];
    for (const name of order) {
      const l = r.load.get(name)!;
      const c = r.cpu.get(name)!;
      lines.push(
        `| ${name} | ${fmt(l.rps, 0)} | ${ratio(l.rps / base.rps)} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.bytesPerRequest, 0)} | ${l.statuses} | ${fmt(c)} | ${ratio(c / baseCpu)} | ${fmt(r.coldMs.get(name)!, 2)} |`,
      );
    }
    lines.push("", "Bytes on the wire per feed:", "", "| feed | uncompressed | gzip | br |", "| --- | ---: | ---: | ---: |");
    for (const w of r.wire) lines.push(`| ${w.path} | ${w.identity.toLocaleString("en-US")} | ${w.gzip.toLocaleString("en-US")} (${fmt((100 * w.gzip) / w.identity, 0)}%) | ${w.br.toLocaleString("en-US")} (${fmt((100 * w.br) / w.identity, 0)}%) |`);
    lines.push("");
  }
  lines.push(...d1Report(d1));
  lines.push(...targets(results));
  return `${lines.join("\n")}\n`;
}

function targets(results: CorpusResult[]): string[] {
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
    out.push(`| compiling 10,000 articles < 10 s | ${fmt(k10.buildSeconds, 2)} s: ${k10.buildSeconds < 10 ? "met" : "missed"} |`);
    const perArticle = (k10.bundle.gzipKiB - k1.bundle.gzipKiB) / 9000;
    const fixed = k1.bundle.gzipKiB - perArticle * 1000;
    out.push(`| archive size that fits (gzip bundle ≈ ${fmt(fixed, 0)} KiB + ${fmt(perArticle, 2)} KiB per article) | free plan ≈ ${fmt(Math.floor((LIMIT_FREE_KIB - fixed) / perArticle / 100) * 100, 0)} articles, paid ≈ ${fmt(Math.floor((LIMIT_PAID_KIB - fixed) / perArticle / 100) * 100, 0)} articles (articles like these, ~2 KB of text each) |`);
  }
  out.push("");
  return out;
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
  const d1: D1Result[] = [];
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
    const { content } = await compileContent(readSeedsFolder(folder), { topics, now: Date.now() });
    d1.push(await measureD1(`${count.toLocaleString("en-US")} articles`, content, join(WORK, "Seeds"), ROOT));
  }
  const markdown = report(results, started, d1);
  writeFileSync(join(ROOT, "BENCHMARKS.md"), markdown);
  process.stdout.write(markdown);
}

await main();
