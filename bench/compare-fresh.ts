/**
 * First requests of fresh isolates for several builds side by side, as bench/fresh.ts
 * measures them (wall clock, ratio to the first /healthz of the same build), interleaved
 * in one run: for comparing a build with an earlier one.
 *
 *   tsx bench/compare-fresh.ts <label>=<dir with dist-index/index.js> ...
 */
import { timeFirstGet } from "./fresh";
import { ACCEPT, BENCH_ORIGIN, median, withServedBundle } from "./harness";

const builds = process.argv.slice(2).map((arg) => ({ label: arg.slice(0, arg.indexOf("=")), dir: arg.slice(arg.indexOf("=") + 1) }));
const rounds = Number(process.env.BENCH_FRESH_ROUNDS ?? 9);

/** The first GET of a fresh workerd serving `dir`'s worker as deployed. */
function first(dir: string, path: string, headers: Record<string, string>): Promise<{ ms: number; status: number; etag: string | null }> {
  return withServedBundle(dir, { script: "dist-index/index.js" }, ({ port }) => timeFirstGet(port, path, headers));
}

const accept = { "Accept-Encoding": ACCEPT };
for (const build of builds) {
  const topic = "politics";
  const etag = (await first(build.dir, "/rss.xml", accept)).etag!;
  const rows: [string, string, Record<string, string>][] = [
    ["/healthz", "/healthz", {}],
    ["/rss.xml", "/rss.xml", accept],
    ["/atom.xml", "/atom.xml", accept],
    ["/feed.json", "/feed.json", accept],
    ["topic feed", `/topics/${topic}/rss.xml`, accept],
    ["/ (home page)", "/", accept],
    ["/topics", "/topics", accept],
    ["topic page", `/topics/${topic}`, accept],
    ["/opml.xml", "/opml.xml", accept],
    ["304 (/rss.xml)", "/rss.xml", { ...accept, "If-None-Match": etag }],
  ];
  const samples = new Map<string, number[]>(rows.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, path, headers] of rows) samples.get(name)!.push((await first(build.dir, path, headers)).ms);
  }
  const base = median(samples.get("/healthz")!, (x) => x);
  console.log(`\n${build.label} (${BENCH_ORIGIN}, median of ${rounds} fresh isolates)\n| route | first GET ms | ratio to /healthz |\n| --- | ---: | ---: |`);
  for (const [name] of rows) {
    const ms = median(samples.get(name)!, (x) => x);
    console.log(`| ${name} | ${ms.toFixed(2)} | ${(ms / base).toFixed(2)}× |`);
  }
}
