/**
 * Publishing at a cost that does not grow with the archive: counts kept as counters, every
 * query of the publish path an index search (EXPLAIN QUERY PLAN), the re-rendering of a
 * burst's writes shared per window, the last write winning, and nothing stale for long
 * after a renderer dies between a write and its rendering.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import type { Renderer } from "../../src/ahead/renderer";
import { d1AheadRenderer } from "../../src/app";
import type { D1Like, D1Statement } from "../../src/config/env";
import { readSettings } from "../../src/config/settings";
import { afterChange } from "../../src/publish/after-change";
import { freshDatabase } from "./d1-fixtures";
import { story } from "./fixtures";
import { publishing } from "./publishing";

beforeEach(freshDatabase);

/** A renderer that counts how often each path was rendered. */
function counting(inner: Renderer = d1AheadRenderer()) {
  const renders = new Map<string, number>();
  const render: Renderer = async (workerEnv, origin, paths, timeout) => {
    for (const path of paths) renders.set(path, (renders.get(path) ?? 0) + 1);
    return inner(workerEnv, origin, paths, timeout);
  };
  return { render, renders };
}

/** The stored identity body of `path`, as text (undefined when none is stored). */
async function stored(path: string): Promise<string | undefined> {
  const rows = await env.DB.prepare("SELECT data FROM responses WHERE path = ? AND coding = 'identity' ORDER BY part").bind(path).all<{ data: string }>();
  if (rows.results.length === 0) return undefined;
  const bytes = Uint8Array.from(atob(rows.results.map((r) => r.data).join("")), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

const counts = async () => ({
  topics: (await env.DB.prepare("SELECT slug, article_count FROM topics ORDER BY slug").all()).results,
  articles: await env.DB.prepare("SELECT value FROM meta WHERE key = 'article_count'").first("value"),
  newest: await env.DB.prepare("SELECT value FROM meta WHERE key = 'newest_updated'").first("value"),
});
const recounted = async () => ({
  topics: (await env.DB.prepare("SELECT slug, (SELECT COUNT(*) FROM article_topics WHERE topic = slug) AS article_count FROM topics ORDER BY slug").all())
    .results,
  articles: String(await env.DB.prepare("SELECT COUNT(*) AS n FROM articles").first("n")),
  newest: (await env.DB.prepare("SELECT COALESCE(MAX(updated), '1970-01-01T00:00:00Z') AS d FROM articles").first("d")) as string,
});

describe("counts", () => {
  it("stay what a recount finds after any sequence of publishes, edits, topic changes, deletes and schedulings", async () => {
    const TOPICS = ["Turkey", "Japan", "Weather", "Energy", "Coastal life"];
    const step = fc.record({
      id: fc.constantFrom("a1", "a2", "a3", "a4"),
      kind: fc.constantFrom("put", "put", "put", "delete", "schedule"),
      topics: fc.subarray(TOPICS, { minLength: 0, maxLength: 3 }),
      headline: fc.constantFrom("Storm hits coast", "Oil prices rise", "Talks resume"),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        await freshDatabase();
        const w = publishing();
        for (const s of steps) {
          const front = [
            ...(s.topics.length > 0 ? [`topics: [${s.topics.join(", ")}]`] : []),
            ...(s.kind === "schedule" ? ["date: 2099-01-01T00:00:00Z"] : []),
          ];
          const text = `${front.length > 0 ? `---\n${front.join("\n")}\n---\n` : ""}${story(`${s.headline} ${s.id}`, `${s.headline}, for ${s.id}.`)}`;
          const res = s.kind === "delete" ? await w.api(`/api/articles/${s.id}`, { method: "DELETE" }) : await w.put(s.id, text);
          expect([200, 201, 202, 404]).toContain(res.status);
          await res.arrayBuffer();
          expect(await counts()).toEqual(await recounted());
        }
        await w.settle();
      }),
      { numRuns: 25 },
    );
  });
});

describe("the publish path reads by index only", () => {
  /** The tables whose rows grow with the archive (or with what readers have asked for). */
  const GROWING = ["articles", "article_topics", "responses", "gone", "media", "scheduled"];

  it("every statement of a publish, an edit, a delete and their re-rendering is an index search, never a scan of a growing table", async () => {
    const statements: { sql: string; params: unknown[] }[] = [];
    const db: D1Like = {
      prepare: (sql) => {
        const entry = { sql, params: [] as unknown[] };
        statements.push(entry);
        const bindable = (statement: D1Statement): D1Statement & { raw: D1Statement } => ({
          raw: statement,
          bind: (...values) => {
            entry.params = values;
            return bindable(statement.bind(...values));
          },
          first: ((...args: unknown[]) => (statement.first as (...a: unknown[]) => unknown).apply(statement, args)) as D1Statement["first"],
          all: (() => statement.all()) as D1Statement["all"],
        });
        return bindable(env.DB.prepare(sql));
      },
      batch: (list) => env.DB.batch(list.map((s) => (s as D1Statement & { raw: D1Statement }).raw) as never),
    };
    const w = publishing({}, undefined, { db });
    for (const [id, text] of [
      ["a1", story("Storm hits coast", "A storm hit the coast of Japan.")],
      ["a2", `---\ntopics: [Energy, Turkey]\n---\n${story("Oil prices rise", "Oil rose in Turkey.")}`],
      ["a1", story("Storm hits coast again", "Another storm hit the coast of Japan.")],
    ] as const) {
      const res = await w.put(id, text);
      expect([200, 201]).toContain(res.status);
      await res.arrayBuffer();
      await w.settle();
    }
    await (await w.api("/api/articles/a2", { method: "DELETE" })).arrayBuffer();
    await w.settle();

    const scans: string[] = [];
    const seen = new Set<string>();
    for (const { sql, params } of statements) {
      const key = sql;
      if (seen.has(key) || /^\s*(PRAGMA|EXPLAIN)/i.test(sql)) continue;
      seen.add(key);
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      for (const { detail } of plan.results) {
        const step = /^(SCAN|SEARCH) (\w+)( USING .*)?$/.exec(detail);
        if (step === null || !GROWING.includes(step[2]!)) continue;
        // A search by key (an index or the primary key) reads a few rows. SQLite says
        // "SEARCH t" with no index for MIN/MAX over an unindexed column: every row.
        if (step[1] === "SEARCH" && step[3] !== undefined) continue;
        // A walk along an index in its order is fine when a LIMIT within a page ends it (a
        // listing's first page, the last page's cursor a few rows from the oldest end).
        const bounded = step[1] === "SCAN" && /INDEX/.test(step[3] ?? "") && /\bLIMIT\b/.test(sql) && params.every((p) => typeof p !== "number" || p <= 1000);
        if (!bounded) scans.push(`${detail}: ${sql.replace(/\s+/g, " ").slice(0, 160)} [${params.join(", ")}]`);
      }
    }
    expect(seen.size).toBeGreaterThan(20);
    expect(scans).toEqual([]);
  });
});

describe("re-rendering after writes", () => {
  it("writes in one window share one rendering of each response they made stale", async () => {
    const files = ["b1", "b2", "b3", "b4", "b5"].map((id) => [id, `---\ntopics: [Weather]\n---\n${story(`Storm ${id}`, `Storm ${id} hit.`)}`] as const);

    // One at a time with no window: a rendering per write.
    const apart = counting();
    const w1 = publishing({}, undefined, { render: apart.render });
    for (const [id, text] of files) {
      await (await w1.put(id, text)).arrayBuffer();
      await w1.settle();
    }
    expect([apart.renders.get("/rss.xml"), apart.renders.get("/topics/weather/rss.xml")]).toEqual([5, 5]);

    await freshDatabase();
    const together = counting();
    const w2 = publishing({ RENDER_WINDOW_MS: "300" }, undefined, { render: together.render });
    await Promise.all(files.map(async ([id, text]) => (await w2.put(id, text)).arrayBuffer()));
    await w2.settle();
    expect(Math.max(...together.renders.values())).toBe(1);
    expect([together.renders.get("/rss.xml"), together.renders.get("/topics/weather/rss.xml"), together.renders.get("/articles/storm-b5")]).toEqual([1, 1, 1]);
    // Everything the five wrote is in what was stored.
    const feed = await stored("/topics/weather/rss.xml");
    for (const [id] of files) expect(feed).toContain(`<title>Storm ${id}</title>`);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM render_queue").first("n")).toBe(0);
  });

  it("the last write wins in every response, also when it lands while the window's rendering runs", async () => {
    let during: (() => Promise<void>) | null = null;
    const inner = d1AheadRenderer();
    const { render, renders } = counting(async (workerEnv, origin, paths, timeout) => {
      const rendered = inner(workerEnv, origin, paths, timeout);
      // A write that lands after the rendering read the database, before it stores.
      const hook = during;
      during = null;
      if (hook !== null) await hook();
      return rendered;
    });
    const w = publishing({ RENDER_WINDOW_MS: "200" }, undefined, { render });
    // The same headline (and so the same page) with another text each time.
    const edit = (n: number) => story("Storm update", `Update number ${n} of the storm.`);
    await (await w.put("s1", edit(1))).arrayBuffer();
    await w.settle();
    renders.clear();
    await Promise.all([2, 3].map(async (n) => (await w.put("s1", edit(n))).arrayBuffer()));
    during = async () => {
      await (await w.put("s1", edit(4))).arrayBuffer();
    };
    await w.settle();
    const feed = await stored("/rss.xml");
    expect(feed).toContain("Update number 4 of the storm.");
    expect(feed).not.toContain("Update number 3");
    expect(await stored("/articles/storm-update")).toContain("Update number 4 of the storm.");
    // Rendered twice: the window's rendering, whose result for older content was not stored, and the one after the last write.
    expect(renders.get("/rss.xml")).toBe(2);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM render_queue").first("n")).toBe(0);
  });

  it("a renderer that dies between a write and its rendering: requests render what is missing, and the cron renders it once the claim lapses", async () => {
    let hang = true;
    const inner = d1AheadRenderer();
    const { render, renders } = counting((workerEnv, origin, paths, timeout) =>
      hang ? new Promise<never>(() => {}) : inner(workerEnv, origin, paths, timeout),
    );
    const dying = publishing({}, undefined, { render });
    const res = await dying.put("c1", story("Storm hits coast", "A storm hit."));
    expect(res.status).toBe(201);
    await res.arrayBuffer();
    // Its rendering never finishes (the isolate is gone): nothing is stored, the queue keeps the scopes, claimed.
    await new Promise((r) => setTimeout(r, 50));
    expect(await stored("/rss.xml")).toBeUndefined();
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM render_queue WHERE claim != ''").first("n")).toBeGreaterThan(0);

    // Another isolate's reader meets the article at once: rendered on request.
    const reader = publishing();
    expect(await (await reader.request("/rss.xml")).text()).toContain("<title>Storm hits coast</title>");

    // The next minute's cron, once the claim has lapsed, renders and stores the rest.
    hang = false;
    const cron = publishing({}, undefined, { render });
    await cron.cron(Date.now() + 61_000);
    expect(renders.get("/articles/storm-hits-coast")).toBe(2);
    expect(await stored("/articles/storm-hits-coast")).toContain("A storm hit.");
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM render_queue").first("n")).toBe(0);
    // The hung rendering stays pending: no settle waits for it.
    dying.abandon();
  });

  it("a database that fails after the answer leaves one log line, never an unhandled rejection", async () => {
    const failing: D1Like = {
      prepare: (sql) => env.DB.prepare(sql) as unknown as D1Statement,
      batch: () => Promise.reject(new Error("D1_ERROR: network connection lost")),
    };
    const lines: string[] = [];
    const settings = readSettings({ STORAGE: "d1", DB: failing, RENDER_WINDOW_MS: "0" });
    await expect(
      afterChange({ db: failing, env: {}, settings, now: Date.now(), render: d1AheadRenderer(), log: (line) => lines.push(line) }),
    ).resolves.toBeUndefined();
    expect(lines).toEqual(["after a change: the rendering queue could not be read or updated: D1_ERROR: network connection lost"]);
  });

  it("RENDER_WINDOW_MS is a whole number of milliseconds up to a minute, 1000 when unset", () => {
    expect(readSettings({}).renderWindowMs).toBe(1000);
    expect(readSettings({ RENDER_WINDOW_MS: "0" }).renderWindowMs).toBe(0);
    for (const value of ["soon", "-1", "60001", "0.5"]) {
      expect(() => readSettings({ RENDER_WINDOW_MS: value })).toThrow(`RENDER_WINDOW_MS must be a whole number from 0 to 60000, got "${value}"`);
    }
  });
});
