/**
 * BENCHMARKS.md, written from what a run measured: the setup, a section per bundled corpus,
 * the D1 mode, publishing, fresh isolates, memory, and the targets met or missed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { CorpusResult } from "./corpus";
import { COUNTED_ROWS, counted, type D1Result } from "./d1";
import { fmt, ratio } from "./format";
import { D1_FLOOR, D1_FLOOR_BYTES, FRESH_ROUNDS, type FreshResult } from "./fresh";
import { ACCEPT, BIN, CONNECTIONS, GENERATOR, ROOT, ROUNDS, SECONDS, WRK } from "./harness";
import { HOSTILE_SIZES, type HostileRow } from "./hostile";
import type { HubResult } from "./hub";
import { LIMIT_MIB, MEMORY_LIMIT_MB } from "./limits";
import type { MemoryResult } from "./memory";
import type { BurstResult, PublishResult } from "./publish";
import { targets } from "./targets";

/** Everything one run measured; what a corpus subset (BENCH_CORPORA) left out is empty or null. */
export interface BenchResults {
  started: Date;
  corpora: CorpusResult[];
  d1: D1Result[];
  publish: PublishResult[];
  burst: BurstResult | null;
  hub: HubResult[];
  fresh: FreshResult[];
  /** With the size of the worker measured, in MiB. */
  memory: (MemoryResult & { mib: number }) | null;
  hostile: HostileRow[];
}

export function report(results: BenchResults): string {
  const lines = [...setup(results.started)];
  for (const r of results.corpora) lines.push(...corpusSection(r));
  for (const r of results.d1) lines.push(...d1Section(r));
  if (results.publish.length > 0) lines.push(...publishSection(results.publish));
  if (results.burst !== null) lines.push(...burstSection(results.burst));
  if (results.hub.length > 0) lines.push(...hubSection(results.hub));
  lines.push(...freshSection(results.fresh));
  if (results.memory !== null) lines.push(...memorySection(results.memory));
  if (results.hostile.length > 0) lines.push(...hostileSection(results.hostile));
  lines.push(...targets(results.corpora, results.fresh, results.memory, results.hostile));
  return `${lines.join("\n")}\n`;
}

/** The machine, the tools and the method, so a reader can judge the figures and rerun them. */
function setup(started: Date): string[] {
  const workerd = execFileSync(join(BIN, "workerd"), ["--version"], { encoding: "utf8" }).trim();
  const wrangler = (JSON.parse(readFileSync(join(ROOT, "node_modules/wrangler/package.json"), "utf8")) as { version: string }).version;
  const cpu = cpus();
  return [
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
  ];
}

function corpusSection(r: CorpusResult): string[] {
  const base = r.load.get("/healthz")!;
  const baseCpu = r.cpu.get("/healthz")!;
  const lines = [
    `## ${r.name}: ${r.articles.toLocaleString("en-US")} articles, ${r.topics} topics`,
    "",
    `Built in ${fmt(r.buildSeconds, 2)} s (compiling, packing, and rendering the ${r.data.stored} stored responses). Worker ${fmt(r.bundle.rawKiB / 1024, 2)} MiB uncompressed`,
    `(articles ${fmt(r.data.contentMiB, 2)} MiB, stored responses ${fmt(r.data.responsesMiB, 2)} MiB, the rest code) of Cloudflare's ${LIMIT_MIB} MiB limit, every plan.`,
    `Startup (open the data modules, build the app, prepare the stored-response lookup): ${fmt(r.startupMs, 1)} ms CPU in Node.`,
    "",
    "| route | req/s | ratio to /healthz | p50 ms | p99 ms | bytes/response | statuses | CPU µs/req (in-process) | CPU ratio | Node's share µs | worker's own µs | first request CPU ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
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
  for (const w of r.wire)
    lines.push(
      `| ${w.path} | ${w.identity.toLocaleString("en-US")} | ${w.gzip.toLocaleString("en-US")} (${fmt((100 * w.gzip) / w.identity, 0)}%) | ${w.br.toLocaleString("en-US")} (${fmt((100 * w.br) / w.identity, 0)}%) |`,
    );
  lines.push("");
  return lines;
}

function d1Section(r: D1Result): string[] {
  const base = r.load.get("/healthz")!;
  const lines = [
    `## D1 mode: ${r.name}`,
    "",
    `Imported in ${fmt(r.importSeconds, 1)} s (the import plan of \`npm run import\`, ${r.statements.toLocaleString("en-US")} statements, through a D1 binding to Miniflare's local D1);`,
    `then ${r.stored.count} responses (${fmt(r.stored.mib, 1)} MiB) that the import changed rendered from D1 and stored in ${fmt(r.stored.seconds, 1)} s.`,
    WRK ? "" : "The cold row needs wrk (Debian's `wrk` package) and is left out.",
    "",
    "| route | req/s | ratio to /healthz | p50 ms | p99 ms | bytes/response |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [name, l] of [...r.load].filter(([name]) => !name.includes(", reader counts ")))
    lines.push(`| ${name} | ${fmt(l.rps, 0)} | ${fmt(l.rps / base.rps, 2)}× | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.bytesPerRequest, 0)} |`);
  lines.push("");
  const compared = COUNTED_ROWS.filter((row) => r.load.has(counted(row, "on")) && r.load.has(counted(row, "off")));
  if (compared.length > 0) {
    lines.push(
      "**Reader counts on and off** (README, Readers): in every round, after the rows above (counting on, the default where",
      'D1 is bound), two fresh workers, one with `READER_COUNTS = "off"`, warmed alike and measured in alternating order.',
      "One load generator is one client with one User-Agent, so the tally's work per request is its least; target: on ≥ 95% of off.",
      "",
      "| route | counts on, req/s | counts off, req/s | on / off |",
      "| --- | ---: | ---: | ---: |",
    );
    for (const row of compared) {
      const on = r.load.get(counted(row, "on"))!.rps;
      const off = r.load.get(counted(row, "off"))!.rps;
      lines.push(`| ${row} | ${fmt(on, 0)} | ${fmt(off, 0)} | ${fmt((on / off) * 100, 1)}%: ${on / off >= 0.95 ? "met" : "missed"} |`);
    }
    lines.push("");
  }
  return lines;
}

function publishSection(results: PublishResult[]): string[] {
  const column = (f: (r: PublishResult) => string) => results.map(f).join(" | ");
  const first = results[0]!;
  const lines = [
    `## Publishing over HTTP: ${results.map((r) => r.articles.toLocaleString("en-US")).join(" and ")} articles in D1`,
    "",
    "New generated articles PUT to `/api/articles/{id}` of the D1 worker (Miniflare's local D1), each a 201 once its",
    `write landed; CONTENT_TTL = ${first.contentTtl} s. Rendering what a write changed runs after the answer (waitUntil), once per`,
    "window for all the writes in it (RENDER_WINDOW_MS). Each archive is imported afresh before its rows.",
    "",
    `| measure | ${column((r) => `${r.articles.toLocaleString("en-US")} articles`)} |`,
    `| --- | ${column(() => "---:")} |`,
    `| PUT latency, one at a time (${first.sequential.count} PUTs), median | ${column((r) => `${fmt(r.sequential.p50)} ms`)} |`,
    `| PUT latency, one at a time, 95th percentile | ${column((r) => `${fmt(r.sequential.p95)} ms`)} |`,
    `| PUT throughput, ${first.concurrent.connections} at a time (${first.concurrent.count} PUTs) | ${column((r) => `${fmt(r.concurrent.perSecond)} articles/s`)} |`,
    `| of the articles PUT, shown by the main feed's pages / listed by GET /api/articles | ${column((r) => `${r.visible.inFeed} / ${r.visible.inApi} of ${r.visible.put}`)} |`,
    `| publish to visible, same isolate (PUT answered to the first /rss.xml that shows it) | ${column((r) => `${fmt(r.visibleSame)} ms`)} |`,
    `| publish to visible, another isolate that had /rss.xml already | ${column((r) => `${fmt(r.visibleOther / 1000, 2)} s`)} |`,
  ];
  if (results.length === 2) {
    const [small, large] = results as [PublishResult, PublishResult];
    lines.push(
      "",
      `PUT median at ${large.articles.toLocaleString("en-US")} articles: ${fmt(large.sequential.p50 / small.sequential.p50, 2)}× the median at ${small.articles.toLocaleString("en-US")} (target: at most 1.25×).`,
    );
  }
  lines.push("");
  return lines;
}

function burstSection(r: BurstResult): string[] {
  return [
    `## A burst: ${r.count} PUTs into ${r.articles.toLocaleString("en-US")} articles, ${r.connections} at a time`,
    "",
    "Generated wire stories, each with its own date in front matter, PUT as fast as the API answers; then the same",
    "articles as files (the archive's and the burst's) imported into an empty database, and the two compared.",
    "",
    "| measure | result |",
    "| --- | ---: |",
    `| all ${r.count} PUTs answered | ${fmt(r.seconds, 1)} s |`,
    `| throughput | ${fmt(r.perSecond)} articles/s |`,
    `| last PUT answered to the last article in every feed it belongs to, in another isolate | ${fmt(r.lastVisibleSeconds, 2)} s |`,
    `| shown by the main feed's pages / listed by GET /api/articles | ${r.visible.inFeed} / ${r.visible.inApi} of ${r.count} |`,
    `| against an import of the same files: ${r.compared.articles.toLocaleString("en-US")} article rows, ${r.compared.topics} topics, ${r.compared.feeds} feeds, ${r.compared.storedResponses.toLocaleString("en-US")} stored response rows | ${r.differences.length === 0 ? "identical" : r.differences.join("; ")} |`,
    "",
  ];
}

function hubSection(results: HubResult[]): string[] {
  const first = results[0]!;
  return [
    "## Push: the own WebSub hub, from a PUT to N subscribers",
    "",
    `N local subscribers (one Node server on 127.0.0.1) subscribed to /rss.xml through \`POST /websub\`; ${first.puts} PUTs per row,`,
    `each timed from its answer until each subscriber holds a delivered feed that shows the new article. RENDER_WINDOW_MS = ${first.renderWindowMs}`,
    "(the default): a write's feeds are rendered, stored and handed to the hub once its window ends. The hub hands the",
    "deliveries to 8 courier objects, each sending at most 40 an alarm run, 6 at a time. Beside each fan-out, 10 readers",
    `poll /rss.xml through Miniflare's dispatch (not the direct socket of the load rows); with no subscriber at all they made ${fmt(first.baselineReadsPerSecond)} requests/s.`,
    "",
    "| subscribers | PUT latency, median | PUT answered → a subscriber has it, median | 95th percentile | → the last has it, median | /rss.xml reads during the fan-out |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map(
      (r) =>
        `| ${r.subscribers.toLocaleString("en-US")} | ${fmt(r.putMs)} ms | ${fmt(r.p50 / 1000, 2)} s | ${fmt(r.p95 / 1000, 2)} s | ${fmt(r.lastMs / 1000, 2)} s | ${fmt(r.readsPerSecond)} req/s (${fmt(r.readsPerSecond / r.baselineReadsPerSecond, 2)}×) |`,
    ),
    "",
  ];
}

function freshSection(results: FreshResult[]): string[] {
  const lines = [
    "## Fresh isolates: the first request",
    "",
    "What a quiet site mostly meets on the edge: an isolate that has served nothing. For each row, a new workerd",
    `(Miniflare, direct socket) pays its startup with one OPTIONS request; the GET that follows, on the same connection,`,
    "is timed from the client, which reads the bytes without decompressing them.",
    `Median of ${FRESH_ROUNDS} fresh isolates per row, interleaved; ratio to the first GET of /healthz measured the same way.`,
    `CPU, two ways, each the median of ${ROUNDS} runs, the D1 mode's database replayed from a recording of the`,
    "real one's answers so that the CPU is the worker's own: *fresh app*, the first request of a newly created app in",
    "a warm Node process, which is the worker's own work for that request (and what it leaves for after the answer, as",
    "Cloudflare counts it); *fresh process*, the first request in a new",
    "Node process, which adds compiling every function on first use (Node's Request, Response and Headers are",
    "JavaScript, workerd's are native, so /healthz shows that share). The Workers Free plan allows 10 ms of CPU per request.",
    "",
  ];
  for (const r of results) {
    const base = r.rows.find((x) => x.name === "/healthz")!;
    lines.push(
      `### ${r.corpus} (${r.mode === "d1" ? "D1 mode" : "bundled"})`,
      "",
      "| route | status | first GET ms | ratio to /healthz | CPU ms, fresh app | CPU ms, fresh process |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    );
    const cpu = (ms: number) => (Number.isNaN(ms) ? "—" : fmt(ms, 2));
    for (const row of r.rows)
      lines.push(`| ${row.name} | ${row.status} | ${fmt(row.wallMs, 2)} | ${fmt(row.wallMs / base.wallMs, 2)}× | ${cpu(row.appCpuMs)} | ${cpu(row.cpuMs)} |`);
    const floor = r.rows.find((x) => x.name === D1_FLOOR.name);
    const bytes = r.rows.find((x) => x.name === D1_FLOOR_BYTES.name);
    if (floor !== undefined && bytes !== undefined) {
      lines.push(
        "",
        `One D1 query from a fresh isolate (the calibration row) takes ${fmt(floor.wallMs / base.wallMs, 2)}× the first /healthz here: Miniflare's local D1`,
        "is a service the isolate reaches over a socket, as D1 is on Cloudflare. Every first request of the D1 mode is one such",
        "query, for the one coding of the stored response it sends (the brotli bytes of a feed, not every coding); the content",
        "version is read after the answer. That query with the rows of /rss.xml's br coding, read and nothing else (the second",
        `calibration row), takes ${fmt(bytes.wallMs / base.wallMs, 2)}×; the rest is the worker's own CPU (the columns) and the bytes to the reader.`,
      );
    }
    lines.push("");
  }
  return lines;
}

function memorySection(memory: MemoryResult & { mib: number }): string[] {
  const mb = (n: number) => fmt(n / 1e6, 1);
  return [
    `## Memory: ${memory.articles.toLocaleString("en-US")} articles, the largest archive the bundled mode holds`,
    "",
    `A worker of ${fmt(memory.mib, 1)} MiB in workerd, read through the V8 inspector (the heap with its uncollected garbage: the figure errs high). Cloudflare allows ${MEMORY_LIMIT_MB} MB per isolate.`,
    "",
    "| when | JavaScript heap MB | ArrayBuffers MB (data modules, bodies) | total MB |",
    "| --- | ---: | ---: | ---: |",
    `| after startup | ${mb(memory.afterStartup.heap)} | ${mb(memory.afterStartup.buffers)} | ${mb(memory.afterStartup.heap + memory.afterStartup.buffers)} |`,
    `| after serving each of the ${memory.served} stored responses, uncompressed and compressed | ${mb(memory.afterServing.heap)} | ${mb(memory.afterServing.buffers)} | ${mb(memory.afterServing.heap + memory.afterServing.buffers)} |`,
    "",
  ];
}

function hostileSection(rows: HostileRow[]): string[] {
  const sizes = HOSTILE_SIZES.map((n) => `${n / 1024} KiB`);
  const last = HOSTILE_SIZES.length - 1;
  return [
    "## Hostile input",
    "",
    "One article made of an adversarial pattern, compiled as the build, the import and a PUT compile it (bench/hostile.ts),",
    "in Node, CPU ms (median of three), beside a plain article of headline and paragraphs of the same size and format.",
    "Linear time shows as about 4× per row from 64 KiB to 256 KiB and again to 1 MiB; the ratio column is the claim.",
    "",
    `| family | format | ${sizes.map((s) => `${s} ms`).join(" | ")} | plain at ${sizes[last]} ms | ratio to plain at ${sizes[last]} | at ${sizes[last]} |`,
    `| --- | --- | ${sizes.map(() => "---:").join(" | ")} | ---: | ---: | --- |`,
    ...rows.map(
      (r) =>
        `| ${r.family} | ${r.format} | ${r.ms.map((ms) => fmt(ms, 0)).join(" | ")} | ${fmt(r.plainMs[last]!, 0)} | ${ratio(r.ms[last]! / r.plainMs[last]!)} | ${r.outcome.replaceAll("|", "\\|")} |`,
    ),
    "",
  ];
}
