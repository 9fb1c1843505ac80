/**
 * `npm run content` (run by start, build, deploy and test): compiles the articles folder
 * and writes what the worker bundles, as Data modules:
 *   src/generated/content.bin    the articles, packed (src/storage/bundle/content-pack.ts)
 *   src/generated/responses.bin  the responses a reader or crawler asks for first, rendered
 *                                for one origin (src/ahead/build.ts)
 *   src/generated/site-images.bin the site's logo and icons' names and sizes, and favicon.ico
 *                                (scripts/lib/site-logo.ts, from SITE_LOGO)
 *   src/generated/assets/        the articles' images and the site's logo and icons, under
 *                                content-hashed names, with a _headers file: static assets
 *                                (wrangler.toml [assets])
 *
 *   SEEDS_DIR      folder of articles (default: seeds)
 *   TOPICS_FILE    topic file (default: src/content/topics.yaml)
 *   BUILD_TIME     the build's "now" (ISO 8601); articles dated later are held back
 *   SITE_URL       the public origin responses are stored for (default: wrangler.toml [vars])
 *   GENERATED_DIR  where to write (default: src/generated)
 *   WORKER_LIMIT_MIB  the worker size limit to stop at (default: Cloudflare's 64)
 *   --origin <url> the origin to store for when SITE_URL is empty (`npm start` passes its own)
 *   --var NAME:VALUE  a setting that overrides wrangler.toml [vars], as wrangler dev takes it
 *
 * A file that cannot be published prints one line naming it and the reason, and the
 * build exits with status 1; so does a bundle that would exceed Cloudflare's size limit.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { buildResponses, noResponses } from "../src/ahead/build";
import { aheadRenderer, imagesId } from "../src/app";
import type { Env } from "../src/config/env";
import { ConfigError, readSettings } from "../src/config/settings";
import { packContent } from "../src/storage/bundle/content-pack";
import { compileFolder, ROOT } from "./lib/compile-folder";
import { writeMediaAssets } from "./lib/media-assets";
import { siteLogo } from "./lib/site-logo";
import { D1_WITHOUT_BINDING, readWranglerVars } from "./lib/wrangler-vars";

/**
 * Cloudflare's limit on a worker's size, uncompressed, on every plan since 2026-09
 * (cloudflare/workers-sdk#14001). WORKER_LIMIT_MIB sets another (the tests use a small one).
 */
const WORKER_LIMIT_BYTES = Number(process.env.WORKER_LIMIT_MIB || 64) * 1024 * 1024;
/** Room left for the code itself (about 0.3 MiB bundled, measured by `npm run build`), with a margin. */
const CODE_ALLOWANCE_BYTES = 1024 * 1024;

const MiB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const size = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${MiB(bytes)} MiB`);

function fail(message: string): never {
  console.error(`build-content: ${message}`);
  process.exit(1);
}

function parseArgs(argv: string[]): { origin: string | null; vars: Record<string, string> } {
  let origin: string | null = null;
  const vars: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--origin") origin = argv[++i] ?? fail("--origin needs a URL");
    else if (arg === "--var") {
      const pair = argv[++i] ?? fail("--var needs NAME:VALUE");
      const colon = pair.indexOf(":");
      if (colon < 1) fail(`--var ${pair}: expected NAME:VALUE`);
      vars[pair.slice(0, colon)] = pair.slice(colon + 1);
    } else fail(`unknown argument ${arg}`);
  }
  return { origin, vars };
}

/** Writes `bytes` unless the file already holds them: rewriting would make `wrangler dev` reload for nothing. */
function writeIfChanged(path: string, bytes: Uint8Array): void {
  if (existsSync(path) && Buffer.compare(readFileSync(path), bytes) === 0) return;
  writeFileSync(path, bytes);
}

const args = parseArgs(process.argv.slice(2));
const outDir = resolve(process.env.GENERATED_DIR || resolve(ROOT, "src/generated"));
const seedsDir = resolve(process.env.SEEDS_DIR || resolve(ROOT, "seeds"));
const { content, label, definitions, images } = await compileFolder("build-content", seedsDir);
const packed = packContent(content, definitions);

let wrangler: ReturnType<typeof readWranglerVars>;
try {
  wrangler = readWranglerVars();
} catch (error) {
  fail(`wrangler.toml: ${(error as Error).message.split("\n").find((l) => l.trim() !== "") ?? "cannot be read"}`);
}
const env: Env = { ...wrangler.vars, ...args.vars, ...(process.env.SITE_URL !== undefined ? { SITE_URL: process.env.SITE_URL } : {}), STORAGE: "bundled" };
let settings: ReturnType<typeof readSettings>;
try {
  settings = readSettings(env);
} catch (error) {
  if (error instanceof ConfigError) fail(`${error.message} (wrangler.toml [vars], or the environment)`);
  throw error;
}
const d1 = (args.vars.STORAGE ?? wrangler.vars.STORAGE) === "d1";
if (d1 && !wrangler.hasDatabase) {
  fail(D1_WITHOUT_BINDING);
}
const origin = settings.siteUrl ?? (args.origin === null ? null : new URL(args.origin).origin);
let logo: Awaited<ReturnType<typeof siteLogo>>;
try {
  logo = await siteLogo(env.SITE_LOGO);
} catch (error) {
  fail((error as Error).message);
}

let responses = noResponses();
let stored = "";
if (d1) {
  stored = "D1 mode: responses are stored by `npm run import`, not the build";
} else if (origin === null) {
  stored =
    "no responses stored: SITE_URL is not set, so each response renders on its first request in each isolate (set SITE_URL in wrangler.toml [vars] before deploying)";
} else {
  const built = await buildResponses(packed, { ...env, SITE_IMAGES_ID: imagesId(logo.pack) }, origin, aheadRenderer(packed, logo.pack));
  responses = built.bytes;
  stored = `stored ${built.count} responses (${size(responses.byteLength)}) for ${origin}`;
}

// Images are static assets, apart from the worker: they do not count toward its size.
const total = packed.byteLength + responses.byteLength + CODE_ALLOWANCE_BYTES;
if (total > WORKER_LIMIT_BYTES) {
  fail(
    `${content.articles.length} articles make a worker of about ${MiB(total)} MiB, over Cloudflare's ${MiB(WORKER_LIMIT_BYTES)} MiB limit: serve an archive this size from D1 (README, "Archives beyond one bundle")`,
  );
}

mkdirSync(outDir, { recursive: true });
writeIfChanged(join(outDir, "content.bin"), packed);
writeIfChanged(join(outDir, "responses.bin"), responses);
writeIfChanged(join(outDir, "site-images.bin"), logo.pack);
writeMediaAssets(join(outDir, "assets"), seedsDir, images, logo.files);
const used = new Set(content.articles.flatMap((a) => a.topics)).size;
const where = relative(process.cwd(), outDir) || ".";
console.log(`build-content: ${content.articles.length} article(s) in ${used} topic(s) from ${label}/ -> ${where}/content.bin (${size(packed.byteLength)})`);
console.log(`build-content: ${stored}`);
if (images.length > 0) console.log(`build-content: ${images.length} image(s) -> ${where}/assets/media/, served by Cloudflare as static assets`);
console.log(`build-content: logo and icons (${logo.files.length} PNGs, favicon.ico) from ${logo.source}`);
