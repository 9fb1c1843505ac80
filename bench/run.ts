/**
 * `npm run bench`: builds the worker for three corpora (the seeds, and generated archives
 * of 1,000 and 10,000 articles), serves each in workerd on 127.0.0.1, drives load at every
 * route from a separate process (bench/load-test.ts), measures in-process CPU per request
 * (bench/in-process-cpu.ts), measures the first request of fresh isolates (bench/fresh.ts),
 * the isolate's memory for the largest archive the bundled mode holds (bench/memory.ts)
 * and the D1 mode (bench/d1.ts, bench/publish.ts), and writes BENCHMARKS.md
 * (bench/report.ts). Ratios to /healthz measured in the same run are the claim. This file
 * only chooses the corpora and runs the measurements in order.
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
 *   BENCH_CORPORA   comma-separated subset of: seeds,1000,10000,largest,d1-10000,d1-100000,publish,hub,hostile
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateArchive } from "../scripts/generate-archive";
import { generateArticle } from "../scripts/lib/archive";
import { compileFolder } from "../scripts/lib/compile-folder";
import { buildCorpus } from "./build";
import { type CorpusResult, measureCorpus } from "./corpus";
import { d1Etag, importedArchive, measureD1 } from "./d1";
import { D1_FLOOR, D1_FLOOR_BYTES, measureFresh } from "./fresh";
import { log, ROOT, WORK } from "./harness";
import { measureHostile } from "./hostile";
import { type HubResult, measureHub } from "./hub";
import { capacity } from "./limits";
import { measureMemory } from "./memory";
import { measureBurst, measurePublish } from "./publish";
import { type BenchResults, report } from "./report";
import { biggestTopic, freshRows } from "./routes";

const CORPORA = ["seeds", "1000", "10000", "largest", "d1-10000", "d1-100000", "publish", "hub", "hostile"];
const WANTED = (process.env.BENCH_CORPORA ?? CORPORA.join(",")).split(",").map((c) => c.trim());
for (const corpus of WANTED) {
  if (!CORPORA.includes(corpus)) {
    console.error(`bench: unknown corpus "${corpus}" in BENCH_CORPORA (known: ${CORPORA.join(", ")})`);
    process.exit(1);
  }
}

/** A generated archive of `count` articles, written afresh into the bench's work folder. */
function archive(count: number, why = ""): string {
  const folder = join(WORK, `archive-${count}`);
  log(`generating ${count} articles${why}`);
  generateArchive(count, folder);
  return folder;
}

/**
 * The same, kept when already there whole (the generator is deterministic): 100,000 articles
 * take a while to write. Whole means every file, with the generator's modification times too:
 * they are the articles' dates, and a copy that lost them (cp without -p) would date them all now.
 */
function existingArchive(count: number): string {
  const folder = join(WORK, `archive-${count}`);
  const dated = (i: number) => {
    const { name, mtime } = generateArticle(i);
    const path = join(folder, name);
    return existsSync(path) && statSync(path).mtimeMs === mtime.getTime();
  };
  return existsSync(folder) && readdirSync(folder).length === count && dated(0) && dated(count - 1) ? folder : archive(count);
}

/** The seeds and the generated archives, each built into its own worker and measured. */
async function bundledCorpora(): Promise<CorpusResult[]> {
  const results: CorpusResult[] = [];
  if (WANTED.includes("seeds")) results.push(await measureCorpus("Seeds", join(ROOT, "seeds")));
  for (const count of [1000, 10000]) {
    if (WANTED.includes(String(count))) results.push(await measureCorpus(`Archive of ${count.toLocaleString("en-US")}`, archive(count)));
  }
  return results;
}

/** The memory of the largest archive the bundled mode holds, as the 1,000 and 10,000 archives' sizes put it. */
async function largest(corpora: CorpusResult[]): Promise<BenchResults["memory"]> {
  const fit = capacity(corpora);
  if (!WANTED.includes("largest") || fit === null) return null;
  const folder = archive(fit.articles, ", the largest archive the bundled mode holds");
  log(`largest: build`);
  const built = buildCorpus("largest", folder);
  log(`largest: memory`);
  return { ...(await measureMemory(built.dir, fit.articles)), mib: built.upload.rawKiB / 1024 };
}

/** The D1 mode: each archive imported and served; at 10,000 articles, its fresh isolates too. */
async function d1Corpora(): Promise<Pick<BenchResults, "d1" | "fresh">> {
  const out: Pick<BenchResults, "d1" | "fresh"> = { d1: [], fresh: [] };
  // The D1 worker bundles no archive: the seeds' bundle serves, reading D1 (built in this run).
  const seeds = join(WORK, "Seeds");
  for (const count of [10_000, 100_000]) {
    if (!WANTED.includes(`d1-${count}`)) continue;
    if (!WANTED.includes("seeds") && out.d1.length === 0) buildCorpus("Seeds", join(ROOT, "seeds"));
    const folder = existingArchive(count);
    log(`D1 ${count}: compile`);
    const { content } = await compileFolder("bench", folder);
    const result = await measureD1(`${count.toLocaleString("en-US")} articles`, content, seeds, ROOT);
    out.d1.push(result);
    if (count === 10_000) {
      const rows = freshRows(content.articles, biggestTopic(content.articles), await d1Etag(seeds, result.persist));
      out.fresh.push(
        await measureFresh(`D1, ${count.toLocaleString("en-US")} articles`, { mode: "d1", dir: seeds, persist: result.persist }, [
          ...rows,
          D1_FLOOR,
          D1_FLOOR_BYTES,
        ]),
      );
    }
  }
  return out;
}

/** Publishing over HTTP into archives of 10,000 and 100,000 articles in D1 (each imported afresh), and a burst into the larger. */
async function publishing(): Promise<Pick<BenchResults, "publish" | "burst">> {
  if (!WANTED.includes("publish")) return { publish: [], burst: null };
  const seeds = join(WORK, "Seeds");
  if (!WANTED.includes("seeds") && !WANTED.some((c) => c.startsWith("d1-"))) buildCorpus("Seeds", join(ROOT, "seeds"));
  const publish: BenchResults["publish"] = [];
  let burst: BenchResults["burst"] = null;
  for (const count of [10_000, 100_000]) {
    const folder = existingArchive(count);
    log(`publish ${count}: compile`);
    const { content } = await compileFolder("bench", folder);
    const persist = join(WORK, `publish-state-${count}`);
    await importedArchive(`publish ${count}`, content, seeds, persist, ROOT);
    // A generated archive's newest files are dated after today and held back: the database holds the rest.
    publish.push(await measurePublish(seeds, persist, content.articles.length, count));
    if (count === 100_000) burst = await measureBurst(seeds, WORK, folder, content, ROOT);
  }
  return { publish, burst };
}

/** The own WebSub hub's fan-out to 1, 100 and 1,000 local subscribers, on the seeds imported into a fresh D1. */
async function hubRows(): Promise<HubResult[]> {
  if (!WANTED.includes("hub")) return [];
  const seeds = join(WORK, "Seeds");
  if (!WANTED.some((c) => c === "seeds" || c === "publish" || c.startsWith("d1-"))) buildCorpus("Seeds", join(ROOT, "seeds"));
  const { content } = await compileFolder("bench", join(ROOT, "seeds"));
  const persist = join(WORK, "hub-state");
  await importedArchive("hub", content, seeds, persist, ROOT);
  return measureHub(seeds, persist);
}

async function main() {
  const started = new Date();
  mkdirSync(WORK, { recursive: true });
  const corpora = await bundledCorpora();
  const memory = await largest(corpora);
  const d1 = await d1Corpora();
  const published = await publishing();
  const hub = await hubRows();
  const hostile = WANTED.includes("hostile") ? await measureHostile(log) : [];
  const markdown = report({ started, corpora, memory, ...d1, ...published, hub, hostile, fresh: [...corpora.map((r) => r.fresh), ...d1.fresh] });
  writeFileSync(join(ROOT, "BENCHMARKS.md"), markdown);
  process.stdout.write(markdown);
}

await main();
