/**
 * The D1 mode's stored responses: what an import renders and stores, what a fresh isolate
 * reads instead of rendering, what an import makes stale, and what the worker answers
 * while the database fails (stale-if-error, then 503).
 */
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { importStale, renderStaleResponses } from "../../src/ahead/stale";
import { d1AheadRenderer } from "../../src/app";
import type { Content } from "../../src/content/types";
import { applyStatements } from "../../src/storage/d1/apply";
import { PART_BYTES, responseWrites } from "../../src/storage/d1/responses";
import { D1Store } from "../../src/storage/d1/store";
import { freshDatabase, generated, importPlanned } from "./d1-fixtures";
import { compile, file, story, worker } from "./fixtures";

const ORIGIN = "https://news.example.org";
const VARS = { SITE_URL: ORIGIN };

/** `npm run import` through the binding: the plan, then the responses it made stale. */
async function importContent(content: Content, options = { deleteMissing: false }) {
  const plan = await importPlanned(content, options);
  const responses = await renderStaleResponses(env.DB, importStale(plan, content), VARS, ORIGIN, d1AheadRenderer());
  await applyStatements(env.DB, responses.statements);
  return { plan, responses };
}

/** Statements run against the database, by kind, as the worker makes them. */
function countingDatabase(db: D1Database, calls: string[]) {
  const counting = (statement: D1PreparedStatement, sql: string): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, prop) {
        if (prop === "first" || prop === "all" || prop === "run" || prop === "raw") calls.push(`${String(prop)} ${sql.split(" ").slice(0, 4).join(" ")}`);
        if (prop === "bind") return (...values: unknown[]) => counting(target.bind(...values), sql);
        if (prop === "sql") return sql;
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const table = (s: D1PreparedStatement) =>
    /FROM (\w+)|INTO (\w+)/
      .exec((s as unknown as { sql: string }).sql)!
      .slice(1)
      .find(Boolean);
  return {
    prepare: (sql: string) => counting(db.prepare(sql), sql),
    batch: (statements: D1PreparedStatement[]) => {
      calls.push(`batch ${statements.map(table).join(",")}`);
      return db.batch(statements);
    },
  };
}

/** A database that fails every call while `down` is set, the way an outage does. */
function failingDatabase(db: D1Database) {
  const state = { down: false };
  const fail = () => Promise.reject(new Error("D1_ERROR: Network connection lost."));
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        if ((prop === "first" || prop === "all") && state.down) return fail;
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return { state, db: { prepare: (sql: string) => wrap(db.prepare(sql)), batch: (s: D1PreparedStatement[]) => (state.down ? fail() : db.batch(s)) } };
}

const d1Worker = (content: Content, db: unknown, ttl = "0") => worker(content, { ...VARS, STORAGE: "d1", DB: db, CONTENT_TTL: ttl } as never);

beforeEach(freshDatabase);

describe("responses stored by an import", () => {
  it("are the worker's own renderings, and a fresh isolate serves them with one query of only the coding it sends", async () => {
    const content = (await compile(generated(60))).content;
    const { responses } = await importContent(content);
    expect(responses.count).toBeGreaterThan(60);
    const bundled = worker(content, VARS);
    const article = `/articles/${content.articles[0]!.slug}`;
    const READ_CODING = "all SELECT coding, data FROM";
    for (const [path, accept] of [
      ["/rss.xml", "gzip, br"],
      ["/rss.xml", "gzip"],
      ["/rss.xml", null],
      [article, "br"],
      ["/topics", "gzip;q=0.5, br;q=0"],
      ["/opml.xml", "identity"],
    ] as const) {
      const calls: string[] = [];
      // A fresh isolate: nothing rendered, nothing known.
      const fresh = d1Worker(content, countingDatabase(env.DB, calls), "60");
      const headers: Record<string, string> = accept === null ? {} : { "Accept-Encoding": accept };
      const res = await fresh(`${ORIGIN}${path}`, { headers });
      const body = new Uint8Array(await res.arrayBuffer());
      // One query answers; the content version is read after the answer (the isolate's next request needs it).
      expect([path, accept, calls]).toEqual([path, accept, [READ_CODING, "batch meta,topics,bylines"]]);
      // What the bundled mode sends for the same content, byte for byte and header for header.
      const expected = await bundled(`${ORIGIN}${path}`, { headers });
      expect([path, accept, res.status, [...res.headers]]).toEqual([path, accept, 200, [...expected.headers]]);
      expect(body).toEqual(new Uint8Array(await expected.arrayBuffer()));
    }
    // Only the coding sent was read: a feed's brotli bytes, not its gzip or identity.
    const reads: number[] = [];
    const measuring = {
      prepare: (sql: string) => {
        const statement = env.DB.prepare(sql);
        return {
          bind: (...values: unknown[]) => ({
            ...statement.bind(...values),
            first: () => statement.bind(...values).first(),
            all: async () => {
              const rows = await statement.bind(...values).all<{ coding: string; data: string }>();
              reads.push(rows.results.reduce((n, r) => n + r.data.length, 0));
              return rows;
            },
          }),
        };
      },
      batch: (s: D1PreparedStatement[]) => env.DB.batch(s),
    };
    const res = await d1Worker(content, measuring, "60")(`${ORIGIN}/rss.xml`, { headers: { "Accept-Encoding": "gzip, br" } });
    const sent = (await res.arrayBuffer()).byteLength;
    expect(res.headers.get("Content-Encoding")).toBe("br");
    // base64 of the sent bytes and a head of a few hundred bytes.
    expect(reads[0]).toBeGreaterThan((sent * 4) / 3);
    expect(reads[0]).toBeLessThan((sent * 4) / 3 + 1500);
  });

  it("a fresh isolate answers If-None-Match with 304 for any coding's tag, and HEAD with the GET headers, from the same one query", async () => {
    const content = (await compile(generated(30))).content;
    await importContent(content);
    const warm = await worker(content, VARS)(`${ORIGIN}/atom.xml`, { headers: { "Accept-Encoding": "gzip" } });
    await warm.arrayBuffer();
    const gzipTag = warm.headers.get("ETag")!;
    expect(gzipTag).toMatch(/-gzip"$/);
    const calls: string[] = [];
    // The reader's tag is gzip's; it now accepts br: still not modified (the same bytes, coded otherwise).
    const res = await d1Worker(
      content,
      countingDatabase(env.DB, calls),
      "60",
    )(`${ORIGIN}/atom.xml`, { headers: { "Accept-Encoding": "br, gzip", "If-None-Match": gzipTag } });
    expect([res.status, await res.text(), res.headers.get("ETag"), calls[0]]).toEqual([304, "", gzipTag, "all SELECT coding, data FROM"]);
    const head = await d1Worker(content, env.DB, "60")(`${ORIGIN}/atom.xml`, { method: "HEAD", headers: { "Accept-Encoding": "br" } });
    const get = await worker(content, VARS)(`${ORIGIN}/atom.xml`, { headers: { "Accept-Encoding": "br" } });
    expect([head.status, await head.text(), [...head.headers]]).toEqual([200, "", [...get.headers]]);
    await get.arrayBuffer();
  });

  it("a fresh isolate's next request finds the content version at hand and reads the whole response once", async () => {
    const content = (await compile(generated(30))).content;
    await importContent(content);
    const calls: string[] = [];
    const fresh = d1Worker(content, countingDatabase(env.DB, calls), "60");
    const first = await fresh(`${ORIGIN}/feed.json`, { headers: { "Accept-Encoding": "br" } });
    await first.arrayBuffer();
    calls.length = 0;
    for (const accept of ["gzip", "br", "identity"]) {
      const res = await fresh(`${ORIGIN}/feed.json`, { headers: { "Accept-Encoding": accept } });
      expect(res.headers.get("Content-Encoding")).toBe(accept === "identity" ? null : accept);
      await res.arrayBuffer();
    }
    // Every coding, in one query, then from memory.
    expect(calls).toEqual(["all SELECT coding, data FROM"]);
  });

  it("a response no import stored is rendered once, stored, and then read by every other isolate", async () => {
    const content = (await compile(generated(60))).content;
    await importContent(content);
    const calls: string[] = [];
    // An older page of the main feed: no import renders those.
    const path = `${ORIGIN}/atom.xml?before=${content.articles[40]!.slug}`;
    const first = d1Worker(content, countingDatabase(env.DB, calls), "60");
    const rendered = await (await first(path)).text();
    // The version and topics; the stored response (none); the articles; then one batch that stores each coding, in 48 KB rows.
    expect(calls.slice(0, 3)).toEqual(["batch meta,topics,bylines", "all SELECT coding, data FROM", "batch articles,articles,articles"]);
    expect(calls.slice(3)).toEqual([expect.stringMatching(/^batch responses(,responses)+$/)]);
    calls.length = 0;
    const other = d1Worker(content, countingDatabase(env.DB, calls), "60");
    expect(await (await other(path)).text()).toBe(rendered);
    expect(calls).toEqual(["batch meta,topics,bylines", "all SELECT coding, data FROM"]);
  });

  it("importing the same folder again stores nothing; an edit replaces exactly what shows the edited article", async () => {
    const files = generated(40);
    const content = (await compile(files)).content;
    await importContent(content);
    const again = await importContent(content);
    expect([again.plan.statements.length, again.responses.count]).toEqual([0, 0]);

    const rows = async () =>
      new Map(
        ((await env.DB.prepare("SELECT path, version FROM responses WHERE part = 0").all()).results as { path: string; version: number }[]).map((r) => [
          r.path,
          r.version,
        ]),
      );
    const before = await rows();
    const target = content.articles[30]!;
    const index = files.findIndex((f) => f.path === target.file);
    const edited = [...files];
    edited[index] = file(target.file, new TextDecoder().decode(files[index]!.bytes).replace(/^[^\n]+/, "Oil prices fall"), {
      added: null,
      changed: null,
      modified: files[index]!.modified + 60_000,
    });
    const second = (await compile(edited)).content;
    const { plan, responses } = await importContent(second);
    const after = await rows();
    const version = Number(await env.DB.prepare("SELECT value FROM meta WHERE key = 'version'").first("value"));
    const newSlug = second.articles.find((a) => a.id === target.id)!.slug;
    const changed = [...after]
      .filter(([, v]) => v === version)
      .map(([path]) => path)
      .sort();
    const rewritten = second.articles.find((a) => a.id === target.id)!;
    const topics = new Set([...target.topics, ...rewritten.topics]);
    // Its source's listing shows it too (the generated articles have no author).
    const sources = new Set([target.source, rewritten.source].map((s) => s!.toLowerCase()));
    expect(sources.size).toBe(1);
    expect(changed).toEqual(
      [
        "(not found)",
        "/",
        "/atom.xml",
        "/feed.json",
        "/opml.xml",
        "/rss.xml",
        "/topics",
        "/authors",
        "/sources",
        `/articles/${newSlug}`,
        ...[...topics].flatMap((t) => [`/topics/${t}`, `/topics/${t}/atom.xml`, `/topics/${t}/feed.json`, `/topics/${t}/rss.xml`]),
        ...[...sources].flatMap((s) => [`/sources/${s}`, `/sources/${s}/atom.xml`, `/sources/${s}/feed.json`, `/sources/${s}/rss.xml`]),
      ].sort(),
    );
    expect(responses.count).toBe(changed.length);
    expect(plan.updated).toEqual([target.id]);
    // Everything else keeps its earlier rendering; the old slug's page is gone.
    for (const [path, v] of after) if (!changed.includes(path)) expect([path, v]).toEqual([path, before.get(path)]);
    if (newSlug !== target.slug) expect(after.has(`/articles/${target.slug}`)).toBe(false);
    const page = await (await d1Worker(second, env.DB)(`${ORIGIN}/articles/${newSlug}`)).text();
    expect(page).toContain("Oil prices fall");
  });

  it("two writers of one response, their statements interleaved, both succeed and leave one copy", async () => {
    await importContent((await compile(generated(3))).content);
    const version = String(await env.DB.prepare("SELECT value FROM meta WHERE key = 'version'").first("value"));
    const identity = new Uint8Array(PART_BYTES * 2 + 10).map((_, i) => i % 251);
    const response = { contentType: "text/plain", lastModified: null, hash: "h", headers: [], identity, gzip: new Uint8Array([1, 2, 3]), br: null };
    const [a, b] = [responseWrites("site", "/twice", version, response), responseWrites("site", "/twice", version, response)];
    // Each writer's delete, then each writer's rows: as two publishes' batches may run.
    await applyStatements(env.DB, a.slice(0, 1));
    await applyStatements(env.DB, b.slice(0, 1));
    await applyStatements(env.DB, a.slice(1));
    await applyStatements(env.DB, b.slice(1));
    const rows = await env.DB.prepare("SELECT coding, part, length(data) AS n FROM responses WHERE path = '/twice' ORDER BY coding, part").all();
    // Each coding's rows: a 4-byte length and the head, then its body, in base64 rows of 48,000 bytes.
    const head = (coding: string) =>
      JSON.stringify({ type: "text/plain", modified: null, hash: "h", headers: [], lengths: [identity.byteLength, 3, -1], coding }).length;
    const base64 = (n: number) => Math.ceil(n / 3) * 4;
    expect(rows.results).toEqual([
      { coding: "gzip", part: 0, n: base64(4 + head("gzip") + 3) },
      { coding: "identity", part: 0, n: 64_000 },
      { coding: "identity", part: 1, n: 64_000 },
      { coding: "identity", part: 2, n: base64(4 + head("identity") + 10) },
    ]);
    expect(await new D1Store(env.DB, { ttlMs: 0 }).responses.get("site", "/twice")).toEqual(response);
  });

  it("a rendering of content that changed meanwhile is not stored", async () => {
    const content = (await compile(generated(5))).content;
    await importContent(content);
    const store = new D1Store(env.DB, { ttlMs: 60_000 });
    const snapshot = await store.snapshot();
    await importContent((await compile([...generated(5), file("n.txt", story("Late news", "Just in."))])).content);
    const stale = { contentType: "text/plain", lastModified: null, hash: "x", headers: [], identity: new Uint8Array([1]), gzip: null, br: null };
    await store.responses.put("site", snapshot, "/late", stale as never);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM responses WHERE path = '/late'").first("n")).toBe(0);
  });
});

describe("when the database fails", () => {
  let errors: string[];
  beforeEach(() => {
    errors = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void errors.push(String(line)));
  });
  afterEach(() => vi.restoreAllMocks());

  it("what the isolate rendered is served stale; what it never rendered answers 503 with Retry-After; one log line", async () => {
    const content = (await compile(generated(30))).content;
    await importContent(content);
    await env.DB.prepare("DELETE FROM responses").run();
    const { state, db } = failingDatabase(env.DB);
    const fetch = d1Worker(content, db);
    const good = await fetch(`${ORIGIN}/rss.xml`);
    const goodBody = await good.text();
    await (await fetch(`${ORIGIN}/`)).text();
    state.down = true;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${ORIGIN}/rss.xml`);
      expect([res.status, await res.text(), res.headers.get("ETag")]).toEqual([200, goodBody, good.headers.get("ETag")]);
    }
    const home = await fetch(`${ORIGIN}/`);
    expect([home.status, (await home.text()).includes("<h1>")]).toEqual([200, true]);
    for (const path of ["/atom.xml", `/articles/${content.articles[3]!.slug}`, "/topics"]) {
      const res = await fetch(`${ORIGIN}${path}`);
      expect([path, res.status, await res.text()]).toEqual([
        path,
        503,
        "Service unavailable: the article database cannot be read right now. Try again shortly.\n",
      ]);
      expect(Object.fromEntries(res.headers)).toEqual({ "cache-control": "no-store", "content-type": "text/plain; charset=UTF-8", "retry-after": "30" });
    }
    expect(errors).toEqual(["storage unavailable, answering 503 for what is not stored: D1: D1_ERROR: Network connection lost."]);
    state.down = false;
    const back = await fetch(`${ORIGIN}/atom.xml`);
    expect([back.status, (await back.text()).startsWith("<?xml")]).toEqual([200, true]);
  });

  it("with the articles table gone and the version bumped, responses stored in D1 are still served", async () => {
    const content = (await compile(generated(30))).content;
    await importContent(content);
    await env.DB.batch([
      env.DB.prepare("ALTER TABLE articles RENAME TO articles_gone"),
      env.DB.prepare("UPDATE meta SET value = value + 1 WHERE key = 'version'"),
    ]);
    const fetch = d1Worker(content, env.DB);
    for (const path of ["/rss.xml", "/", "/topics", `/topics/${content.articles[0]!.topics[0]}/rss.xml`]) {
      const res = await fetch(`${ORIGIN}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      await res.arrayBuffer();
    }
    const missing = await fetch(`${ORIGIN}/rss.xml?before=${content.articles[5]!.slug}`);
    expect([missing.status, missing.headers.get("Retry-After")]).toEqual([503, "30"]);
    await missing.text();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^storage unavailable, answering 503 for what is not stored: D1: .*no such table: articles/);
  });

  it("a database that does not answer counts as failed after the timeout", async () => {
    const hanging = { prepare: (sql: string) => env.DB.prepare(sql), batch: () => new Promise<never>(() => {}) };
    const store = new D1Store(hanging as never, { ttlMs: 0, timeoutMs: 50 });
    const started = Date.now();
    await expect(store.snapshot()).rejects.toThrow("D1 did not answer within 50 ms");
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
