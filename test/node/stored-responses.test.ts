/**
 * The build stores responses rendered in Node; the worker serves them from workerd. For
 * the seeds, the hard fixtures and a generated archive, every stored response must be, byte
 * for byte and header for header, what workerd renders for the same content and origin
 * (so ETags survive the release). The real build writes the data modules; a worker bundled
 * by wrangler (test/node/workers/compare-stored.ts) compares them inside workerd.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateArchive } from "../../scripts/generate-archive";
import { readWranglerVars } from "../../scripts/lib/wrangler-vars";

const RUNTIME = readWranglerVars();

const ROOT = resolve(import.meta.dirname, "../..");
const ORIGIN = "https://news.example.org";
let dir: string;
let bundle: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stored-"));
  const out = join(dir, "worker");
  const result = spawnSync(
    join(ROOT, "node_modules/.bin/wrangler"),
    ["deploy", "--dry-run", "--outdir", out, "--config", join(ROOT, "wrangler.toml"), join(ROOT, "test/node/workers/compare-stored.ts")],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  if (result.status !== 0) throw new Error(`bundling the comparison worker failed:\n${result.stdout}\n${result.stderr}`);
  bundle = join(out, "compare-stored.js");
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(folder: string, generated: string) {
  const result = spawnSync(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/build-content.ts")], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, SEEDS_DIR: folder, GENERATED_DIR: generated, SITE_URL: ORIGIN, BUILD_TIME: "2030-01-01T00:00:00Z" },
  });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return result.stdout;
}

async function compare(generated: string) {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      scriptPath: bundle,
      modulesRoot: dirname(bundle),
      compatibilityDate: RUNTIME.compatibilityDate,
      compatibilityFlags: RUNTIME.compatibilityFlags,
      dataBlobBindings: {
        CONTENT: join(generated, "content.bin"),
        RESPONSES: join(generated, "responses.bin"),
        IMAGES: join(generated, "site-images.bin"),
      },
      bindings: { SITE_URL: ORIGIN },
    }),
  );
  try {
    const res = await mf.dispatchFetch(`http://compare/?origin=${encodeURIComponent(ORIGIN)}`);
    return (await res.json()) as { paths: number; origin: string; compared: number; differences: string[] };
  } finally {
    await mf.dispose();
  }
}

describe("responses stored by the build", { timeout: 300_000 }, () => {
  for (const [name, folder, count] of [
    ["the seeds", () => join(ROOT, "seeds"), 1],
    ["the hard fixtures", () => join(ROOT, "test/fixtures/hard"), 12],
    [
      "a generated archive of 500 articles",
      () => {
        const folder = join(dir, "archive");
        generateArchive(500, folder);
        return folder;
      },
      500,
    ],
  ] as const) {
    it(`are what workerd renders, for every stored path: ${name}`, async () => {
      const generated = join(dir, `generated-${count}`);
      const stdout = build(folder(), generated);
      expect(stdout).toMatch(
        new RegExp(
          `^build-content: ${count} article\\(s\\) in \\d+ topic\\(s\\) from .*\\nbuild-content: stored (\\d+) responses \\([\\d.]+ (KiB|MiB)\\) for ${ORIGIN}\\nbuild-content: logo and icons \\(6 PNGs, favicon\\.ico\\) from the shipped icon \\(src/views/style\\.ts\\)\\n$`,
        ),
      );
      const stored = Number(/stored (\d+) responses/.exec(stdout)![1]);
      const report = await compare(generated);
      expect(report.differences).toEqual([]);
      expect([report.origin, report.paths, report.compared]).toEqual([ORIGIN, stored, stored * 9]);
    });
  }
});
