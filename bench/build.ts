/**
 * A corpus built as `npm run build` builds the worker, for BENCH_ORIGIN, into its own bench
 * folder (bench/.work/<corpus>/): generated/ (the data modules and the static assets),
 * dist-index/ (the worker as deployed) and dist-bench/ (the same with the bench's routes).
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchEntry, workerEntry } from "./entries";
import { BENCH_ORIGIN, BIN, run, WORK } from "./harness";

export interface BuiltCorpus {
  /** The corpus's bench folder. */
  dir: string;
  /** Compiling, packing, and rendering the stored responses. */
  buildSeconds: number;
  /** The deployed worker's size, as wrangler counts it for the limit. */
  upload: { rawKiB: number; gzipKiB: number };
  /** The data modules' sizes: the packed articles and the stored responses. */
  data: { contentMiB: number; responsesMiB: number; stored: number };
}

/** Compiles the articles of `folder` and bundles both workers for them; `name` names the bench folder. */
export function buildCorpus(name: string, folder: string): BuiltCorpus {
  const dir = join(WORK, name);
  const generated = join(dir, "generated");
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const output = run(join(BIN, "tsx"), ["scripts/build-content.ts"], { SEEDS_DIR: folder, GENERATED_DIR: generated, SITE_URL: BENCH_ORIGIN });
  const buildSeconds = (performance.now() - started) / 1000;
  const stored = Number(/stored (\d+) responses/.exec(output)?.[1] ?? 0);
  writeFileSync(join(dir, "index.ts"), workerEntry());
  writeFileSync(join(dir, "bench.ts"), benchEntry());
  const bundle = (entry: string, out: string) => {
    // wrangler adds to --outdir: an earlier build's data modules would stay beside this one's.
    rmSync(join(dir, out), { recursive: true, force: true });
    // --assets: the static assets this build wrote, not wrangler.toml's src/generated/assets,
    // which only `npm run content` makes: a fresh clone has none, and wrangler stops without it.
    const args = ["deploy", "--dry-run", "--outdir", join(dir, out), "--config", "wrangler.toml", "--assets", join(generated, "assets"), join(dir, entry)];
    const output = run(join(BIN, "wrangler"), args);
    const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    if (!m) throw new Error(`no bundle size in wrangler output:\n${output}`);
    return { rawKiB: Number(m[1]), gzipKiB: Number(m[2]) };
  };
  const upload = bundle("index.ts", "dist-index");
  bundle("bench.ts", "dist-bench");
  const mib = (file: string) => statSync(join(generated, file)).size / 2 ** 20;
  return { dir, buildSeconds, upload, data: { contentMiB: mib("content.bin"), responsesMiB: mib("responses.bin"), stored } };
}
