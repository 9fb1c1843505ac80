/**
 * Every command a user runs answers a foreseeable mistake with one line that says what is
 * wrong and what to do, and exits non-zero (or, for a deploy without SITE_URL, warns).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyProject, type ProjectCopy } from "./project-copy";
import { run as runCommand } from "./run";

const copies: ProjectCopy[] = [];
afterAll(() => {
  for (const copy of copies) copy.remove();
});

/** A copy of the project of a test's own, so that the tests (a command or two each) run side by side. */
function project() {
  const copy = copyProject();
  copies.push(copy);
  const { dir } = copy;
  return {
    dir,
    run: (script: string, args: string[] = [], env: Record<string, string> = {}) =>
      runCommand(join(dir, "node_modules/.bin/tsx"), [join(dir, "scripts", script), ...args], {
        cwd: dir,
        env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", SITE_URL: "", ...env },
      }),
    editToml(edit: (toml: string) => string) {
      const path = join(dir, "wrangler.toml");
      writeFileSync(path, edit(readFileSync(path, "utf8")));
    },
  };
}

const D1_BLOCK = /# \[\[d1_databases\]\]\n# binding = "DB"\n# database_name = "edge-news"\n# database_id = "[^"]*"\n# migrations_dir = "migrations"/;
const bindDatabase = (toml: string) =>
  toml.replace(
    D1_BLOCK,
    '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "edge-news"\ndatabase_id = "00000000-0000-0000-0000-000000000000"\nmigrations_dir = "migrations"',
  );

describe.concurrent("one line for each foreseeable mistake", { timeout: 300_000 }, () => {
  it("npm run import with wrangler.toml as shipped (no D1 binding)", async () => {
    const { run } = project();
    const result = await run("import-d1.ts", ["seeds", "--local"]);
    expect([result.status, result.stderr]).toEqual([
      1,
      'import: wrangler.toml binds no D1 database as DB: create one (`npx wrangler d1 create edge-news`), then uncomment the [[d1_databases]] block with its database_id (README, "Archives beyond one bundle")\n',
    ]);
  });

  it("npm run import before the migrations", async () => {
    const { run, editToml } = project();
    editToml(bindDatabase);
    const result = await run("import-d1.ts", ["seeds", "--local"]);
    expect([result.status, result.stderr]).toEqual([
      1,
      "import: the database has no tables yet, or not all of them: run `npx wrangler d1 migrations apply DB --local` first\n",
    ]);
  });

  it('STORAGE = "d1" without a binding, at build time', async () => {
    const { run, editToml } = project();
    editToml((toml) => toml.replace('STORAGE = "bundled"', 'STORAGE = "d1"'));
    const result = await run("build-content.ts");
    expect([result.status, result.stderr]).toEqual([
      1,
      'build-content: STORAGE is "d1" but wrangler.toml binds no D1 database as DB: uncomment the [[d1_databases]] block and set its database_id (README, "Archives beyond one bundle")\n',
    ]);
  });

  it('npm start with STORAGE = "d1" without a binding', async () => {
    const { run, editToml } = project();
    editToml((toml) => toml.replace('STORAGE = "bundled"', 'STORAGE = "d1"'));
    const result = await run("start.ts", ["--port", "1"]);
    expect([result.status, result.stderr]).toEqual([
      1,
      'start: STORAGE is "d1" but wrangler.toml binds no D1 database as DB: uncomment the [[d1_databases]] block and set its database_id (README, "Archives beyond one bundle")\n',
    ]);
  });

  it("npm start in the D1 mode before the migrations", async () => {
    const { run, editToml } = project();
    editToml((toml) => bindDatabase(toml).replace('STORAGE = "bundled"', 'STORAGE = "d1"'));
    const result = await run("start.ts", ["--port", "1"]);
    expect([result.status, result.stderr]).toEqual([
      1,
      "start: 9 migration(s) not applied to the local D1 database: run `npx wrangler d1 migrations apply DB --local` first\n",
    ]);
  });

  it("SEEDS_DIR pointing at nothing", async () => {
    const { dir, run } = project();
    const result = await run("build-content.ts", [], { SEEDS_DIR: join(dir, "nothing-here") });
    expect([result.status, result.stderr]).toEqual([1, `build-content: ${join(dir, "nothing-here")}: not a folder (check SEEDS_DIR)\n`]);
  });

  it("a malformed wrangler.toml value is named at build time, not only by a 500 at request time", async () => {
    const { run, editToml } = project();
    editToml((toml) => toml.replace('FEED_ITEM_LIMIT = "50"', 'FEED_ITEM_LIMIT = "lots"'));
    const result = await run("build-content.ts");
    expect([result.status, result.stderr]).toEqual([
      1,
      'build-content: FEED_ITEM_LIMIT must be a whole number from 1 to 1000, got "lots" (wrangler.toml [vars], or the environment)\n',
    ]);
  });

  it("a deploy (or its rehearsal, npm run build) without SITE_URL warns that links would follow the Host", async () => {
    const { dir, run } = project();
    const result = await run("deploy.ts", ["--dry-run", "--outdir", join(dir, "dist")]);
    expect(result.status).toBe(0);
    expect(result.stderr.split("\n").filter((l) => l.startsWith("deploy:"))).toEqual([
      "deploy: SITE_URL is not set: the deployed site's links would follow each request's Host; set it in wrangler.toml [vars] (or SITE_URL=https://… npm run deploy)",
    ]);
  });

  it("npm run bench with an unknown corpus", async () => {
    const { dir } = project();
    const result = await runCommand(join(dir, "node_modules/.bin/tsx"), [join(dir, "bench/run.ts")], {
      cwd: dir,
      env: { ...process.env, BENCH_CORPORA: "seeds,huge" },
    });
    expect([result.status, result.stderr]).toEqual([
      1,
      'bench: unknown corpus "huge" in BENCH_CORPORA (known: seeds, 1000, 10000, largest, d1-10000, d1-100000, publish, hub, hostile)\n',
    ]);
  });
});
