import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * `feed` and `saxes` ship `//# sourceMappingURL` comments naming maps they do not ship (or
 * that point outside the package): Vite warns about each, between the results, on every
 * run. Loaded without the comment, they are compiled the same and nothing is printed.
 */
const brokenSourceMaps: Plugin = {
  name: "packages-with-broken-source-maps",
  enforce: "pre",
  load(id) {
    const file = id.split("?")[0]!;
    if (!/\/node_modules\/(?:feed\/lib|saxes)\/[^/]+\.js$/.test(file)) return null;
    return { code: readFileSync(file, "utf8").replace(/^\/\/# sourceMappingURL=.*$/m, ""), map: null };
  },
};

/**
 * The node and browser files run the project's commands dozens of times, each a fresh Node
 * loading wrangler (one 15 MB file) and tsx: Node's compile cache, handed down to them
 * through the environment, spares each run compiling the same code again.
 */
const commandEnv = { NODE_COMPILE_CACHE: join(tmpdir(), "edge-news-feeds-node-compile-cache") };

/**
 * The files that take longest start first, on a clean clone too (where Vitest has no timings
 * and would start the largest files first): they are mostly waiting (on a browser, a server,
 * the cron's next minute), and the short files fill the cores around them.
 */
const LONGEST_FIRST = [
  "test/browser/served-site.test.ts",
  "test/node/publish.test.ts",
  "test/node/import-cli.test.ts",
  "test/node/build-cli.test.ts",
  "test/node/cli-errors.test.ts",
  "test/node/stored-responses.test.ts",
  "test/worker/d1.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    const rest = await super.sort(files);
    return rest.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  plugins: [brokenSourceMaps],
  test: {
    // Each file its own worker, as by default, stated so that Vitest 5 does not suggest
    // otherwise after every run: the worker keeps per-isolate state (stored responses, the
    // content version), and each file starts from a fresh isolate as production does.
    isolate: true,
    // Vitest's default on a 2-core machine is one file at a time, which leaves a core idle
    // while a node test waits on a command, a server or a browser. Three at once keep both
    // cores busy; more would only stretch every file's wall time.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        // The worker and everything it runs, inside workerd (the Workers runtime).
        // (brokenSourceMaps comes from the root config: Vitest 5 projects extend it.)
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            // The D1 mode's database: local SQLite in the runtime, with the project's migrations.
            miniflare: { d1Databases: ["DB"], r2Buckets: ["MEDIA"], bindings: { TEST_MIGRATIONS: await readD1Migrations("./migrations") } },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.{ts,tsx}"],
          // Packages bundled ahead by Vite: a CommonJS feed parser that require()s ES module
          // packages (html-entities), which loads in workerd only so; and the packages of many
          // small modules, which each test file's fresh isolate would otherwise fetch one by
          // one (about 8% of this project's CPU). `feed` and rss-parser stay out: they
          // require() Node's streams, which the bundler cannot resolve.
          deps: {
            optimizer: {
              ssr: {
                enabled: true,
                include: [
                  "@rowanmanning/feed-parser",
                  "fast-check",
                  "feedsmith",
                  "yaml",
                  "parse5",
                  "saxes",
                  "marked",
                  "entities",
                  "hono",
                  "hono/jsx",
                  "hono/html",
                  "hono/jsx/jsx-runtime",
                ],
              },
            },
          },
          // Room for a machine whose cores are shared with the node and browser files (or anything else).
          testTimeout: 60_000,
        },
      },
      {
        // The build command as a user runs it: Node, files, git, exit codes.
        // Generous limits: the commands take several seconds of CPU each, and a busy machine stretches that.
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 300_000, hookTimeout: 300_000, env: commandEnv },
      },
      {
        // `npm start` as a user runs it, and the pages it serves in headless Chromium.
        test: { name: "browser", include: ["test/browser/**/*.test.ts"], environment: "node", testTimeout: 300_000, hookTimeout: 300_000, env: commandEnv },
      },
    ],
  },
});
