/** What every benchmark in bench/ shares: running tools, driving load, taking medians. */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { type Agent, request as httpRequest } from "node:http";
import { join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions, type V4ModuleDefinition } from "miniflare";
import { freePort } from "../scripts/lib/free-port";
import { readWranglerVars } from "../scripts/lib/wrangler-vars";

export { freePort };

export const ROOT = resolve(import.meta.dirname, "..");
export const WORK = join(ROOT, "bench/.work");
export const BIN = join(ROOT, "node_modules/.bin");
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
export const CONNECTIONS = 10;
export const ACCEPT = "gzip, br";
/**
 * The public origin every bench worker is built and served for (SITE_URL), so the
 * responses the build stores apply whatever port the worker listens on.
 */
export const BENCH_ORIGIN = "https://bench.example";
/** The compatibility date and flags of wrangler.toml: Miniflare runs the bundles as deployed. */
export const RUNTIME = readWranglerVars();

/** A named request: a row of one of the report's tables. */
export interface Row {
  name: string;
  path: string;
  headers: Record<string, string>;
}

/** The settings a bench worker runs the D1 mode with (as wrangler.toml's [vars] would set them). */
export const D1_SETTINGS = { STORAGE: "d1", CONTENT_TTL: "60" } as const;

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  statuses: string;
  bytesPerRequest: number;
}

/** A corpus's data modules (the build's generated/ folder), as the worker bundles them: an app's Bundle (src/app.ts). */
export function readBundle(generated: string): { content: Uint8Array<ArrayBuffer>; responses: Uint8Array<ArrayBuffer>; images: Uint8Array<ArrayBuffer> } {
  const read = (name: string) => new Uint8Array(readFileSync(join(generated, name)));
  // With the images the build rendered the stored responses with: without them no stored response matches the worker's settings.
  return { content: read("content.bin"), responses: read("responses.bin"), images: read("site-images.bin") };
}

export const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

export function run(command: string, args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...env }, encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return `${result.stdout}\n${result.stderr}`;
}

/** wrk (C, from Debian's `wrk` package) when installed: it costs the machine less per request than autocannon, so more of it is left for the server under test. */
export const WRK = spawnSync("wrk", ["--version"]).error === undefined;
export const GENERATOR = WRK ? "wrk (1 thread)" : "autocannon";

export async function load(url: string, headers: Record<string, string>): Promise<LoadResult> {
  return WRK ? loadWithWrk(url, headers) : loadWithAutocannon(url, headers);
}

/** `paths`: requests cycle through these paths (of `url`'s origin) instead of requesting `url`. */
export function loadWithWrk(url: string, headers: Record<string, string>, paths?: string[]): LoadResult {
  const script: string[] = [];
  if (paths !== undefined) {
    const file = join(WORK, "paths.txt");
    writeFileSync(file, `${paths.join("\n")}\n`);
    const lua = join(WORK, "paths.lua");
    writeFileSync(
      lua,
      [
        `local paths = {}`,
        `for line in io.lines("${file}") do paths[#paths + 1] = line end`,
        `local i = 0`,
        `request = function()`,
        `  i = i + 1`,
        `  return wrk.format("GET", paths[(i - 1) % #paths + 1])`,
        `end`,
      ].join("\n"),
    );
    script.push("-s", lua);
  }
  const args = ["-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "--latency", ...script, ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]), url];
  const out = execFileSync("wrk", args, { encoding: "utf8" });
  const number = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const ms = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) return NaN;
    const unit = m[2];
    return Number(m[1]) * (unit === "us" ? 0.001 : unit === "s" ? 1000 : 1);
  };
  const rps = number(/Requests\/sec:\s+([\d.]+)/);
  const total = number(/(\d+) requests in/);
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(out)!;
  const bytesPerSec = Number(transfer[1]) * { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[transfer[2] as "B"]!;
  const other = number(/Non-2xx or 3xx responses: (\d+)/);
  return {
    rps,
    p50: ms(/50%\s+([\d.]+)(us|ms|s)/),
    p99: ms(/99%\s+([\d.]+)(us|ms|s)/),
    statuses: Number.isNaN(other) ? `2xx/3xx×${total}` : `2xx/3xx×${total - other} other×${other}`,
    bytesPerRequest: bytesPerSec / rps,
  };
}

async function loadWithAutocannon(url: string, headers: Record<string, string>): Promise<LoadResult> {
  const args = ["bench/load.mjs", url, String(SECONDS), String(CONNECTIONS), ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  const out = execFileSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
  const r = JSON.parse(out);
  const statuses = Object.entries(r.statusCodeStats ?? {})
    .map(([code, s]) => `${code}×${(s as { count: number }).count}`)
    .join(" ");
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, statuses, bytesPerRequest: r.throughput.total / Math.max(1, r.requests.total) };
}

export function median<T>(values: T[], key: (v: T) => number): T {
  return [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)]!;
}

/**
 * The modules of a script wrangler bundled into `dir` (`wrangler deploy --dry-run --outdir`):
 * the script, and the data modules it imports, which wrangler wrote beside it as
 * wrangler.toml's [[rules]] declare (files ending in .bin, type Data). Listed one by one:
 * Miniflare 5 takes no module rules. Only those the script names: the folder keeps the
 * data of earlier builds too, and loading those would double the isolate's memory.
 */
export function bundledModules(dir: string, script: string): V4ModuleDefinition[] {
  const code = readFileSync(join(dir, script), "utf8");
  const data = [...new Set([...code.matchAll(/from\s*"\.\/([^"]+\.bin)"/g)].map((m) => m[1]!))];
  if (data.length === 0) throw new Error(`bench: ${join(dir, script)} imports no data module`);
  return [{ type: "ESModule", path: join(dir, script) }, ...data.sort().map((file) => ({ type: "Data" as const, path: join(dir, file) }))];
}

/** What a bench worker adds to the defaults: its D1 database, bindings, or another script. */
export type BundleOptions = {
  d1Databases?: Record<string, string>;
  /** The folder that keeps the D1 database between Miniflare instances (Miniflare 5's resourcePersistencePath). */
  persist?: string;
  bindings?: Record<string, string>;
  script?: string;
  inspectorPort?: number;
};

/**
 * A bundle in `dir` (`dist-bench/bench.js` unless `script` says otherwise), served by
 * Miniflare's workerd on its own socket at `port` (`unsafeDirectSockets`): no dev-time
 * entry worker or request log in the path. Absolute URLs come from SITE_URL, as deployed.
 */
export function serveBundle(dir: string, port: number, options: BundleOptions = {}): Miniflare {
  const { script = "dist-bench/bench.js", persist, ...rest } = options;
  // Miniflare 5 takes a per-worker `config`; wrangler itself still builds the
  // flat (v4) shape and converts it, as this does.
  return new Miniflare(
    convertV4MiniflareOptions({
      name: "bench",
      modules: bundledModules(join(dir, script.split("/")[0]!), script.split("/").slice(1).join("/")),
      modulesRoot: join(dir, script.split("/")[0]!),
      compatibilityDate: RUNTIME.compatibilityDate,
      compatibilityFlags: RUNTIME.compatibilityFlags,
      host: "127.0.0.1",
      port: 0,
      logRequests: false,
      unsafeDirectSockets: [{ host: "127.0.0.1", port }],
      ...rest,
      resourcePersistencePath: persist,
      bindings: { SITE_URL: BENCH_ORIGIN, ...rest.bindings },
    } as V4MiniflareOptions),
  );
}

/** A bundle served as in serveBundle, in the D1 mode, on the local D1 database kept in `persist`. */
export function d1Options(persist: string): BundleOptions {
  return { d1Databases: { DB: "bench" }, persist, bindings: { ...D1_SETTINGS } };
}

/** A served bundle, as `use` gets it. */
export interface Served {
  mf: Miniflare;
  port: number;
  /** http://127.0.0.1:port, the worker's own socket. */
  origin: string;
}

/**
 * Serves a bundle (serveBundle) on a free port for as long as `use` runs, and stops its
 * workerd afterwards whatever happens: every workerd left behind keeps a core busy and
 * skews the rows measured after it.
 */
export async function withServedBundle<T>(dir: string, options: BundleOptions, use: (served: Served) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const mf = serveBundle(dir, port, options);
    try {
      await mf.ready;
    } catch (error) {
      await mf.dispose().catch(() => {});
      // Another process took the free port between the probe and workerd's bind: take another.
      if ((error as { code?: string }).code === "ERR_ADDRESS_IN_USE" && attempt < 5) continue;
      throw error;
    }
    try {
      return await use({ mf, port, origin: `http://127.0.0.1:${port}` });
    } finally {
      await mf.dispose();
    }
  }
}

/**
 * One request over a kept-alive connection of `agent`, the body read as raw bytes: unlike
 * fetch(), nothing is decompressed, so a compressed response costs the client no more than
 * a plain one and the time measured is the server's and the wire's.
 */
export function rawRequest(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; etag: string | null; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.byteLength));
      res.on("end", () => resolve({ status: res.statusCode!, etag: (res.headers.etag as string | undefined) ?? null, bytes }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
