/** The report's last section: each of the project's performance targets, met or missed, from what the run measured. */
import type { CorpusResult } from "./corpus";
import { fmt, ratio } from "./format";
import { D1_FLOOR, D1_FLOOR_BYTES, type FreshResult } from "./fresh";
import type { HostileRow } from "./hostile";
import { capacity, LIMIT_MIB, MEMORY_TARGET_MB } from "./limits";
import type { MemoryResult } from "./memory";

export function targets(results: CorpusResult[], fresh: FreshResult[], memory: MemoryResult | null, hostile: HostileRow[]): string[] {
  const out = ["## Targets", "", "| target | result |", "| --- | --- |"];
  const feeds = (r: CorpusResult) =>
    [...r.load.keys()]
      .filter((k) => k.includes("rss") || k.includes("atom") || k.includes("feed.json") || k.includes("topic feed"))
      .filter((k) => !k.startsWith("304") && !k.startsWith("reference"));
  const pages = ["article page", "/ (home page)"];
  for (const r of results) {
    const baseCpu = r.cpu.get("/healthz")!;
    const worst = [...feeds(r), ...pages, [...r.cpu.keys()].find((k) => k.startsWith("304"))!]
      .map((k) => [k, r.cpu.get(k)! / baseCpu] as const)
      .sort((a, b) => b[1] - a[1])[0]!;
    out.push(`| ${r.name}: every feed and page ≤ 2× /healthz in-process CPU | worst ${worst[0]} ${ratio(worst[1])}: ${worst[1] <= 2 ? "met" : "missed"} |`);
  }
  for (const r of results.filter((x) => x.articles <= 1000)) {
    const base = r.load.get("/healthz")!.rps;
    const worst = feeds(r)
      .map((k) => [k, r.load.get(k)!.rps / base] as const)
      .sort((a, b) => a[1] - b[1])[0]!;
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
    out.push(
      `| ${memory.articles.toLocaleString("en-US")} articles: isolate memory after serving every stored response < ${MEMORY_TARGET_MB} MB | ${fmt(total, 1)} MB: ${total < MEMORY_TARGET_MB ? "met" : "missed"} |`,
    );
  }
  if (hostile.length > 0) {
    const last = (r: HostileRow) => r.ms.at(-1)! / r.plainMs.at(-1)!;
    const worst = [...hostile].sort((a, b) => last(b) - last(a))[0]!;
    out.push(
      `| hostile input: every family ≤ 3× the plain article at 1 MiB | worst ${worst.family} ${ratio(last(worst))}: ${last(worst) <= 3 ? "met" : "missed"} |`,
    );
  }
  out.push("");
  return out;
}

function freshTargets(results: FreshResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const base = r.rows.find((x) => x.name === "/healthz")!.wallMs;
    const others = r.rows.filter((x) => x.name !== "/healthz" && !x.name.startsWith("calibration"));
    const worst = [...others].sort((a, b) => b.wallMs - a.wallMs)[0]!;
    const limit = r.mode === "d1" ? 3 : 1.5;
    const worstRatio = worst.wallMs / base;
    const floor = r.rows.find((x) => x.name === D1_FLOOR.name);
    const bytes = r.rows.find((x) => x.name === D1_FLOOR_BYTES.name);
    const floorNote =
      floor === undefined || bytes === undefined
        ? ""
        : ` (one D1 query alone: ${(floor.wallMs / base).toFixed(2)}×, the query with /rss.xml's br rows: ${(bytes.wallMs / base).toFixed(2)}×; worst over that: ${(worst.wallMs / bytes.wallMs).toFixed(2)}×)`;
    out.push(
      `| ${r.corpus} (${r.mode}): every first request ≤ ${limit}× the first /healthz | worst ${worst.name} ${worstRatio.toFixed(2)}×${floorNote}: ${worstRatio <= limit ? "met" : "missed"} |`,
    );
    const cpu = [...others].sort((a, b) => b.appCpuMs - a.appCpuMs)[0]!;
    out.push(
      `| ${r.corpus} (${r.mode}): every first request < 5 ms CPU (fresh app) | worst ${cpu.name} ${cpu.appCpuMs.toFixed(2)} ms: ${cpu.appCpuMs < 5 ? "met" : "missed"} |`,
    );
  }
  return out;
}
