/**
 * `npm run import` as a user runs it: wrangler's local D1 in a temporary folder, a
 * wrangler.toml that binds it, the project's migrations. What the import wrote is read
 * back from the same local state: the database as SQLite reads the file, the bucket with
 * Miniflare, as wrangler itself opens it.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconnecting } from "../../scripts/lib/local-bindings";
import { readWranglerVars } from "../../scripts/lib/wrangler-vars";
import type { D1Like, D1Statement } from "../../src/config/env";
import { run } from "./run";

const ROOT = resolve(import.meta.dirname, "../..");
const SEED = readFileSync(join(ROOT, "seeds/000_aa4f927da06b7f0b.txt"));
const DATABASE_ID = "00000000-0000-0000-0000-000000000000";
const TOML = [
  'name = "import-test"',
  `main = "${join(ROOT, "src/index.ts")}"`,
  `compatibility_date = "${readWranglerVars().compatibilityDate}"`,
  "[[d1_databases]]",
  'binding = "DB"',
  'database_name = "edge-news"',
  `database_id = "${DATABASE_ID}"`,
  `migrations_dir = "${join(ROOT, "migrations")}"`,
  "[[r2_buckets]]",
  'binding = "MEDIA"',
  'bucket_name = "edge-news-media"',
].join("\n");

const dirs: string[] = [];
/** The local state with the migrations applied, copied into each test that needs them. */
let migrated: string;

/** A folder of its own for a test: wrangler.toml, an empty articles/ and, if asked, the migrated local state. */
function folder(options: { migrated: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), "import-cli-"));
  dirs.push(dir);
  writeFileSync(join(dir, "wrangler.toml"), TOML);
  mkdirSync(join(dir, "articles"));
  if (options.migrated) cpSync(join(migrated, "state"), join(dir, "state"), { recursive: true });
  return dir;
}

const env = (extra: Record<string, string> = {}) => ({ ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", ...extra });

beforeAll(async () => {
  migrated = folder({ migrated: false });
  const migrate = await run(
    join(ROOT, "node_modules/.bin/wrangler"),
    ["d1", "migrations", "apply", "DB", "--local", "--config", "wrangler.toml", "--persist-to", "state"],
    { cwd: migrated, env: env() },
  );
  expect(migrate.status, migrate.stdout + migrate.stderr).toBe(0);
}, 300_000);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function importFolder(dir: string, ...extra: string[]) {
  return run(
    join(ROOT, "node_modules/.bin/tsx"),
    [join(ROOT, "scripts/import-d1.ts"), "articles", "--local", "--config", "wrangler.toml", "--persist-to", "state", ...extra],
    { cwd: dir, env: env() },
  );
}

/** The report without its timing, and with the count of stored responses as N; a failed import, with what it printed on stderr. */
const report = ({ stdout, stderr, status }: { stdout: string; stderr: string; status: number | null }) =>
  status !== 0
    ? `import exited with ${status}: ${stderr}`
    : stdout
        .trim()
        .replace(/ in [\d.]+ s$/, "")
        .replace(/; \d+ responses stored/, "; N responses stored");

/**
 * Opens the folder's local state as wrangler does (`--persist-to state`: its v3/ folder,
 * the database by its id), between imports: the import's own wrangler runs open it too.
 */
type Database = Awaited<ReturnType<Miniflare["getD1Database"]>>;
type Bucket = Awaited<ReturnType<Miniflare["getR2Bucket"]>>;

async function local<T>(dir: string, read: (db: Database, media: Bucket) => Promise<T>): Promise<T> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: "",
      resourcePersistencePath: join(dir, "state/v3"),
      d1Databases: { DB: DATABASE_ID },
      r2Buckets: { MEDIA: "edge-news-media" },
    }),
  );
  try {
    return await read(await mf.getD1Database("DB"), await mf.getR2Bucket("MEDIA"));
  } finally {
    await mf.dispose();
  }
}

/**
 * Each statement's rows, read from the database file itself, between imports: the file
 * under `state/v3/d1/` that Miniflare keeps for the database (the other one holds its metadata).
 */
function sql(dir: string, ...statements: string[]): Record<string, unknown>[][] {
  const folder = join(dir, "state/v3/d1/miniflare-D1DatabaseObject");
  const [file, ...others] = readdirSync(folder).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  expect(others).toEqual([]);
  const db = new DatabaseSync(join(folder, file!), { readOnly: true });
  try {
    return statements.map((s) =>
      db
        .prepare(s)
        .all()
        .map((row) => ({ ...row })),
    );
  } finally {
    db.close();
  }
}

// Each test has a folder and a database of its own: they run side by side. An import runs
// wrangler several times (seconds of CPU each), and some tests run several imports in a row:
// room for a machine whose cores are busy with the other files, or with anything else.
describe.concurrent("npm run import", { timeout: 600_000 }, () => {
  it("adds, then changes nothing, then updates an edited file, and deletes only when asked", async () => {
    const identity = "SELECT path, version FROM responses WHERE part = 0 AND coding = 'identity' ORDER BY path";
    const articles = (dir: string, oil: string) => {
      writeFileSync(join(dir, "articles", "000_aa4f927da06b7f0b.txt"), SEED);
      writeFileSync(join(dir, "articles", "1_00000000000000b1.txt"), `${oil}\n\nOil rose today.`);
      writeFileSync(join(dir, "articles", "2_00000000000000b2.txt"), "Storm hits coast\n\nThe storm hit.");
    };

    const dir = folder({ migrated: true });
    articles(dir, "Oil prices rise");
    expect(report(await importFolder(dir))).toBe(
      "import: articles/ -> DB (local): 3 added, 0 updated, 0 unchanged; N responses stored for http://localhost:8787",
    );
    // The deletions go on from a copy of this folder and its database: the two halves run
    // side by side instead of eight wrangler-bound imports in a row.
    const copy = folder({ migrated: false });
    cpSync(join(dir, "state"), join(copy, "state"), { recursive: true });
    // With their times: an article without a date is dated by its file.
    cpSync(join(dir, "articles"), join(copy, "articles"), { recursive: true, preserveTimestamps: true });

    const addAndUpdate = async () => {
      const [stored] = sql(dir, identity);
      expect(stored!.map((r) => r.path)).toEqual(
        expect.arrayContaining([
          "/",
          "/rss.xml",
          "/atom.xml",
          "/feed.json",
          "/topics",
          "/opml.xml",
          "(not found)",
          "/articles/oil-prices-rise",
          "/articles/storm-hits-coast",
        ]),
      );
      expect(report(await importFolder(dir))).toBe("import: articles/ -> DB (local): 0 added, 0 updated, 3 unchanged");
      expect(sql(dir, identity)).toEqual([stored]);

      writeFileSync(join(dir, "articles", "1_00000000000000b1.txt"), "Oil prices rise again\n\nOil rose today.");
      expect(report(await importFolder(dir))).toBe(
        "import: articles/ -> DB (local): 0 added, 1 updated, 2 unchanged; N responses stored for http://localhost:8787",
      );
      const [articlePages] = sql(dir, "SELECT path FROM responses WHERE path LIKE '/articles/%' AND part = 0 AND coding = 'identity' ORDER BY path");
      expect(articlePages!.map((r) => r.path)).toEqual([
        "/articles/oil-prices-rise-again",
        "/articles/storm-hits-coast",
        "/articles/turkey-us-in-talks-to-discuss-sanctions-imposed-over-s-400s",
      ]);
    };

    const keepAndDelete = async () => {
      const dir = copy;
      unlinkSync(join(dir, "articles", "2_00000000000000b2.txt"));
      expect(report(await importFolder(dir))).toBe(
        "import: articles/ -> DB (local): 0 added, 0 updated, 2 unchanged, 1 in the database but not in the folder (kept; --delete-missing removes them)",
      );
      expect(report(await importFolder(dir, "--delete-missing"))).toBe(
        "import: articles/ -> DB (local): 0 added, 0 updated, 2 unchanged, 1 deleted; N responses stored for http://localhost:8787",
      );
      expect(sql(dir, "SELECT id, title FROM articles ORDER BY id")).toEqual([
        [
          { id: "00000000000000b1", title: "Oil prices rise" },
          { id: "aa4f927da06b7f0b", title: "Turkey, US in talks to discuss sanctions imposed over S-400s" },
        ],
      ]);

      // A future date is scheduled, for the origin the responses are stored for: the cron releases it there.
      writeFileSync(join(dir, "articles", "3_00000000000000b3.txt"), "---\ndate: 2099-01-01T00:00:00Z\n---\nNew year\n\nA new year began.");
      expect(report(await importFolder(dir))).toBe("import: articles/ -> DB (local): 0 added, 0 updated, 2 unchanged, 1 scheduled");
      expect(sql(dir, "SELECT id FROM scheduled", "SELECT value FROM meta WHERE key = 'origin'")).toEqual([
        [{ id: "00000000000000b3" }],
        [{ value: "http://localhost:8787" }],
      ]);
      unlinkSync(join(dir, "articles", "3_00000000000000b3.txt"));
      expect(report(await importFolder(dir, "--delete-missing"))).toBe("import: articles/ -> DB (local): 0 added, 0 updated, 2 unchanged, 1 deleted");
    };

    await Promise.all([addAndUpdate(), keepAndDelete()]);
  });

  it("uploads the folder's images to R2 once, whatever else changes", async () => {
    const dir = folder({ migrated: true });
    cpSync(join(ROOT, "test/fixtures/images"), join(dir, "articles"), { recursive: true });
    const first = await importFolder(dir);
    expect(first.status).toBe(0);
    expect(report(first)).toMatch(
      /^import: articles\/ -> DB \(local\): 3 added, 0 updated, 0 unchanged, 3 image\(s\) uploaded; N responses stored for http:\/\/localhost:8787$/,
    );
    expect(first.stderr).toBe("import: 1 image(s) no article names, published anyway: articles/map.webp\n");
    const harbour = readFileSync(join(ROOT, "test/fixtures/images/harbour.jpg"));
    const { media, jpeg } = await local(dir, async (db, bucket) => {
      const media = (await db.prepare("SELECT key, type, length FROM media ORDER BY key").all()).results as { key: string; type: string; length: number }[];
      const key = media.find((m) => m.type === "image/jpeg")?.key;
      const object = key === undefined ? null : await bucket.get(key);
      return { media, jpeg: object === null ? null : { length: media.find((m) => m.key === key)!.length, bytes: new Uint8Array(await object.arrayBuffer()) } };
    });
    expect(media.map((m) => [m.key.replace(/[0-9a-f]{16}/, "HASH"), m.type])).toEqual(
      [
        ["media/HASH.jpg", "image/jpeg"],
        ["media/HASH.png", "image/png"],
        ["media/HASH.webp", "image/webp"],
      ].sort(),
    );
    expect(jpeg!.length).toBe(harbour.byteLength);
    expect(Buffer.from(jpeg!.bytes).equals(harbour)).toBe(true);
    const again = await importFolder(dir);
    expect(report(again)).toBe("import: articles/ -> DB (local): 0 added, 0 updated, 3 unchanged");
    expect(sql(dir, "SELECT count(*) AS n FROM media")).toEqual([[{ n: 3 }]]);
  });

  it("a bad file fails the import with the build's message", async () => {
    const dir = folder({ migrated: false });
    writeFileSync(join(dir, "articles", "bad.txt"), "---\ndate: someday\n---\nH\n\nT.");
    const [imported, built] = await Promise.all([
      importFolder(dir),
      run(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/build-content.ts")], {
        cwd: dir,
        env: env({ SEEDS_DIR: "articles", GENERATED_DIR: join(dir, "generated") }),
      }),
    ]);
    expect(imported.status).toBe(1);
    expect(built.status).toBe(1);
    expect(imported.stderr).toBe('import: articles/bad.txt: front matter date "someday" is not a date (use e.g. 2020-12-30 or 2020-12-30T14:05:00Z)\n');
    expect(imported.stderr.replace(/^import: /, "")).toBe(built.stderr.replace(/^build-content: /, ""));
  });
});

describe("the local database, reached through wrangler's platform proxy", () => {
  /** A database whose calls fail `failures` times with `error` before answering; every call recorded. */
  function flaky(failures: number, error: () => Error) {
    const calls: string[] = [];
    let left = failures;
    const answer = <T>(what: string, value: T): Promise<T> => {
      calls.push(what);
      if (left > 0) {
        left--;
        return Promise.reject(error());
      }
      return Promise.resolve(value);
    };
    const statement = (sql: string, params: unknown[]): D1Statement => ({
      bind: (...values) => statement(sql, values),
      first: <T>() => answer(`first ${sql} ${params.join(",")}`, { n: 1 } as T),
      all: <T>() => answer(`all ${sql} ${params.join(",")}`, { results: [{ n: 1 }] as T[] }),
    });
    const db: D1Like = {
      prepare: (sql) => statement(sql, []),
      batch: (statements) =>
        answer(
          `batch of ${statements.length}`,
          statements.map(() => ({ results: [] })),
        ),
    };
    return { db, calls };
  }
  const noAnswer = () => new TypeError("fetch failed");

  it("sends a call again when it got no answer, at most three times in all", async () => {
    const twice = flaky(2, noAnswer);
    const db = reconnecting(twice.db);
    expect(await db.prepare("SELECT ?").bind(7).all()).toEqual({ results: [{ n: 1 }] });
    expect(twice.calls).toEqual(["all SELECT ? 7", "all SELECT ? 7", "all SELECT ? 7"]);

    const thrice = flaky(3, noAnswer);
    await expect(reconnecting(thrice.db).batch([reconnecting(thrice.db).prepare("DELETE FROM a")])).rejects.toThrow("fetch failed");
    expect(thrice.calls).toEqual(["batch of 1", "batch of 1", "batch of 1"]);
  });

  it("prepares and binds again when that synchronous round trip got no answer", async () => {
    const once = flaky(0, noAnswer);
    let failures = 1;
    const db: D1Like = {
      ...once.db,
      prepare: (sql) => {
        if (failures-- > 0) throw noAnswer();
        return once.db.prepare(sql);
      },
    };
    expect(await reconnecting(db).prepare("SELECT 1").first()).toEqual({ n: 1 });
    expect([failures, once.calls]).toEqual([-1, ["first SELECT 1 "]]);
  });

  it("passes any other error on at once", async () => {
    const constraint = flaky(1, () => new Error("D1_ERROR: UNIQUE constraint failed: articles.id"));
    await expect(reconnecting(constraint.db).prepare("INSERT").first()).rejects.toThrow("UNIQUE constraint failed");
    expect(constraint.calls).toEqual(["first INSERT "]);
  });
});

describe("npm run stats", { timeout: 300_000 }, () => {
  it("prints each feed's readers today and by source from the local database; --json gives the report; no database is one line", async () => {
    const dir = folder({ migrated: true });
    const today = new Date().toISOString().slice(0, 10);
    await local(dir, async (db) => {
      await db.batch(
        [
          `INSERT INTO reader_polls VALUES ('${today}', '/rss.xml', 1200, 960)`,
          `INSERT INTO reader_polls VALUES ('${today}', '/topics/turkey/atom.xml', 40, 10)`,
          `INSERT INTO reader_sources VALUES ('${today}', '/rss.xml', 'aggregator', 'Feedly', '', 462, 900)`,
          `INSERT INTO reader_sources VALUES ('${today}', '/rss.xml', 'hub', 'WebSub hub', '', 3, 0)`,
          `INSERT INTO reader_sources VALUES ('${today}', '/rss.xml', 'reader', 'Miniflux', '', 0, 280)`,
          `INSERT INTO reader_sources VALUES ('${today}', '/rss.xml', 'crawler', 'Googlebot', '', 0, 1)`,
          `INSERT INTO reader_sources VALUES ('${today}', '/topics/turkey/atom.xml', 'aggregator', 'Feedbin', '77', 12, 40)`,
          `INSERT INTO reader_keys VALUES ('${today}', '${"0".repeat(64)}')`,
          `INSERT INTO reader_clients VALUES ('${today}', '/rss.xml', 'Miniflux', 'a'), ('${today}', '/rss.xml', 'Miniflux', 'b')`,
        ].map((sql) => db.prepare(sql)),
      );
    });
    const stats = (...extra: string[]) =>
      run(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/stats.ts"), "--local", "--config", "wrangler.toml", "--persist-to", "state", ...extra], {
        cwd: dir,
        env: env(),
      });
    const table = await stats();
    expect([table.status, table.stderr]).toEqual([0, ""]);
    expect(table.stdout).toBe(
      [
        `Readers today (${today}, UTC), per feed:`,
        "feed                     readers  aggregators  hub  others  polls    304",
        "/rss.xml                     467          462    3       2  1,200  80.0%",
        "/topics/turkey/atom.xml       12           12    0       0     40  25.0%",
        "",
        "/rss.xml:",
        "  Feedly: 462 (aggregator, 900 polls)",
        "  WebSub hub: 3 (hub, 0 polls)",
        "  Miniflux: 2 (reader, 280 polls)",
        "  Googlebot: crawler, 1 poll (not readers)",
        "",
        "/topics/turkey/atom.xml:",
        "  Feedbin (feed 77): 12 (aggregator, 40 polls)",
        "",
      ].join("\n"),
    );
    const json = await stats("--json");
    const report = JSON.parse(json.stdout) as { today: string; feeds: { feed: string; today: unknown; history: unknown[] }[] };
    expect(report.today).toBe(today);
    expect(report.feeds[0]).toMatchObject({
      feed: "/rss.xml",
      today: { readers: 467, aggregators: 462, hub: 3, others: 2, polls: 1200, notModified: 960, notModifiedShare: 0.8 },
    });
    expect(report.feeds[0]!.history).toHaveLength(90);

    const bare = mkdtempSync(join(tmpdir(), "stats-cli-"));
    dirs.push(bare);
    writeFileSync(join(bare, "wrangler.toml"), TOML.split("\n[[d1_databases]]")[0]!);
    const off = await run(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/stats.ts"), "--config", "wrangler.toml"], { cwd: bare, env: env() });
    expect([off.status, off.stdout, off.stderr]).toEqual([
      1,
      "",
      "stats: reader counts are off: wrangler.toml binds no D1 database as DB (uncomment the [[d1_databases]] block and apply the migrations; README, Readers)\n",
    ]);
  });
});
