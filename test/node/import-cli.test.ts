/**
 * `npm run import` as a user runs it: wrangler's local D1 in a temporary folder, a
 * wrangler.toml that binds it, the project's migrations.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWranglerVars } from "../../scripts/lib/wrangler-vars";

const ROOT = resolve(import.meta.dirname, "../..");
const SEED = readFileSync(join(ROOT, "seeds/000_aa4f927da06b7f0b.txt"));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "import-cli-"));
  writeFileSync(
    join(dir, "wrangler.toml"),
    [
      'name = "import-test"',
      `main = "${join(ROOT, "src/index.ts")}"`,
      `compatibility_date = "${readWranglerVars().compatibilityDate}"`,
      "[[d1_databases]]",
      'binding = "DB"',
      'database_name = "edge-news"',
      'database_id = "00000000-0000-0000-0000-000000000000"',
      `migrations_dir = "${join(ROOT, "migrations")}"`,
      "[[r2_buckets]]",
      'binding = "MEDIA"',
      'bucket_name = "edge-news-media"',
    ].join("\n"),
  );
  mkdirSync(join(dir, "articles"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function importFolder(...extra: string[]) {
  return run(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/import-d1.ts"), "articles", "--local", "--config", "wrangler.toml", "--persist-to", "state", ...extra]);
}

/** The report without its timing, and with the count of stored responses as N. */
const report = (stdout: string) =>
  stdout
    .trim()
    .replace(/ in [\d.]+ s$/, "")
    .replace(/; \d+ responses stored/, "; N responses stored");

function sql(command: string) {
  const rows = run(join(ROOT, "node_modules/.bin/wrangler"), ["d1", "execute", "DB", "--local", "--config", "wrangler.toml", "--persist-to", "state", "--json", "--command", command]);
  return JSON.parse(rows.stdout)[0].results as Record<string, unknown>[];
}

describe("npm run import", { timeout: 120_000 }, () => {
  it("before the migrations, says how to apply them", () => {
    writeFileSync(join(dir, "articles", "000_aa4f927da06b7f0b.txt"), SEED);
    const result = importFolder();
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe("import: the database has no tables yet, or not all of them: run `npx wrangler d1 migrations apply DB --local` first");
  });

  it("adds, then changes nothing, then updates an edited file, and deletes only when asked", () => {
    const migrate = run(join(ROOT, "node_modules/.bin/wrangler"), ["d1", "migrations", "apply", "DB", "--local", "--config", "wrangler.toml", "--persist-to", "state"]);
    expect(migrate.status).toBe(0);
    writeFileSync(join(dir, "articles", "1_00000000000000b1.txt"), "Oil prices rise\n\nOil rose today.");
    writeFileSync(join(dir, "articles", "2_00000000000000b2.txt"), "Storm hits coast\n\nThe storm hit.");

    expect(report(importFolder().stdout)).toBe("import: articles/ -> DB (local): 3 added, 0 updated, 0 unchanged; N responses stored for http://localhost:8787");
    const stored = sql("SELECT path, version FROM responses WHERE part = 0 AND coding = 'identity' ORDER BY path");
    expect(stored.map((r) => r.path)).toEqual(expect.arrayContaining(["/", "/rss.xml", "/atom.xml", "/feed.json", "/topics", "/opml.xml", "(not found)", "/articles/oil-prices-rise", "/articles/storm-hits-coast"]));
    expect(report(importFolder().stdout)).toBe("import: articles/ -> DB (local): 0 added, 0 updated, 3 unchanged");
    expect(sql("SELECT path, version FROM responses WHERE part = 0 AND coding = 'identity' ORDER BY path")).toEqual(stored);

    writeFileSync(join(dir, "articles", "1_00000000000000b1.txt"), "Oil prices rise again\n\nOil rose today.");
    expect(report(importFolder().stdout)).toBe("import: articles/ -> DB (local): 0 added, 1 updated, 2 unchanged; N responses stored for http://localhost:8787");
    expect(sql("SELECT path FROM responses WHERE path LIKE '/articles/%' AND part = 0 AND coding = 'identity' ORDER BY path").map((r) => r.path)).toEqual([
      "/articles/oil-prices-rise-again",
      "/articles/storm-hits-coast",
      "/articles/turkey-us-in-talks-to-discuss-sanctions-imposed-over-s-400s",
    ]);

    unlinkSync(join(dir, "articles", "2_00000000000000b2.txt"));
    expect(report(importFolder().stdout)).toBe(
      "import: articles/ -> DB (local): 0 added, 0 updated, 2 unchanged, 1 in the database but not in the folder (kept; --delete-missing removes them)",
    );
    expect(report(importFolder("--delete-missing").stdout)).toBe("import: articles/ -> DB (local): 0 added, 0 updated, 2 unchanged, 1 deleted; N responses stored for http://localhost:8787");

    const rows = run(join(ROOT, "node_modules/.bin/wrangler"), ["d1", "execute", "DB", "--local", "--config", "wrangler.toml", "--persist-to", "state", "--json", "--command", "SELECT id, title FROM articles ORDER BY id"]);
    expect(JSON.parse(rows.stdout)[0].results).toEqual([
      { id: "00000000000000b1", title: "Oil prices rise again" },
      { id: "aa4f927da06b7f0b", title: "Turkey, US in talks to discuss sanctions imposed over S-400s" },
    ]);

    // A future date is scheduled, for the origin the responses are stored for: the cron releases it there.
    writeFileSync(join(dir, "articles", "3_00000000000000b3.txt"), "---\ndate: 2099-01-01T00:00:00Z\n---\nNew year\n\nA new year began.");
    expect(report(importFolder().stdout)).toBe("import: articles/ -> DB (local): 0 added, 0 updated, 2 unchanged, 1 scheduled");
    expect(sql("SELECT id FROM scheduled")).toEqual([{ id: "00000000000000b3" }]);
    expect(sql("SELECT value FROM meta WHERE key = 'origin'")).toEqual([{ value: "http://localhost:8787" }]);
    unlinkSync(join(dir, "articles", "3_00000000000000b3.txt"));
    expect(report(importFolder("--delete-missing").stdout)).toBe("import: articles/ -> DB (local): 0 added, 0 updated, 2 unchanged, 1 deleted");
  });

  it("uploads the folder's images to R2 once, whatever else changes", () => {
    cpSync(join(ROOT, "test/fixtures/images"), join(dir, "articles"), { recursive: true });
    const first = importFolder();
    expect(first.status).toBe(0);
    expect(report(first.stdout)).toMatch(/^import: articles\/ -> DB \(local\): 3 added, 0 updated, 2 unchanged, 3 image\(s\) uploaded; N responses stored for http:\/\/localhost:8787$/);
    expect(first.stderr).toBe("import: 1 image(s) no article names, published anyway: articles/map.webp\n");
    const media = sql("SELECT key, type, length FROM media ORDER BY key");
    expect(media.map((m) => [String(m.key).replace(/[0-9a-f]{16}/, "HASH"), m.type])).toEqual([
      ["media/HASH.jpg", "image/jpeg"],
      ["media/HASH.png", "image/png"],
      ["media/HASH.webp", "image/webp"],
    ].sort());
    const jpeg = media.find((m) => m.type === "image/jpeg")!;
    expect(jpeg.length).toBe(readFileSync(join(ROOT, "test/fixtures/images/harbour.jpg")).byteLength);
    const object = run(join(ROOT, "node_modules/.bin/wrangler"), ["r2", "object", "get", `edge-news-media/${jpeg.key}`, "--local", "--config", "wrangler.toml", "--persist-to", "state", "--pipe"]);
    expect(object.status).toBe(0);
    const again = importFolder();
    expect(report(again.stdout)).toBe("import: articles/ -> DB (local): 0 added, 0 updated, 5 unchanged");
  });

  it("a bad file fails the import with the build's message", () => {
    writeFileSync(join(dir, "articles", "bad.txt"), "---\ndate: someday\n---\nH\n\nT.");
    const imported = importFolder();
    const built = run(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/build-content.ts")], { SEEDS_DIR: "articles", GENERATED_DIR: join(dir, "generated") });
    expect(imported.status).toBe(1);
    expect(built.status).toBe(1);
    expect(imported.stderr).toBe('import: articles/bad.txt: front matter date "someday" is not a date (use e.g. 2020-12-30 or 2020-12-30T14:05:00Z)\n');
    expect(imported.stderr.replace(/^import: /, "")).toBe(built.stderr.replace(/^build-content: /, ""));
    unlinkSync(join(dir, "articles", "bad.txt"));
  });
});
