/**
 * The D1 storage mode against Miniflare's local D1 (real SQLite in the runtime): the
 * migrations, the import plan, and the worker reading D1, compared with the bundled mode.
 */
import { env } from "cloudflare:test";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Content } from "../../src/content/types";
import { applyPlan, readExisting } from "../../src/storage/d1/apply";
import { planImport } from "../../src/storage/d1/import-plan";
import { inlineStatement } from "../../src/storage/d1/sql";
import { freshDatabase, generated, importPlanned } from "./d1-fixtures";
import { compile, file, story, worker } from "./fixtures";
import { walkFeed } from "./paging";

const ORIGIN = "https://news.example.org";

/** The same worker twice: reading the bundle, and reading D1 (version checked on every request). */
function workers(content: Content, vars: Record<string, string> = {}) {
  const common = { SITE_URL: ORIGIN, ...vars };
  return {
    bundled: worker(content, common),
    d1: worker(content, { ...common, STORAGE: "d1", DB: env.DB, CONTENT_TTL: "0" } as never),
  };
}

const text = async (res: Promise<Response>) => (await res).text();

describe("migrations", () => {
  beforeEach(freshDatabase);

  it("apply from scratch: the tables, their indexes and the content version", async () => {
    const tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
    ).all();
    expect(tables.results.map((r) => r.name)).toEqual([
      "article_bylines",
      "article_bylines_by_article",
      "article_topics",
      "article_topics_by_article",
      "articles",
      "articles_newest",
      "articles_updated",
      "bylines",
      "d1_migrations",
      "gone",
      "indexnow_pending",
      "indexnow_pending_due",
      "media",
      "meta",
      "reader_clients",
      "reader_keys",
      "reader_polls",
      "reader_sources",
      "render_queue",
      "render_queue_due",
      "responses",
      "responses_by_scope",
      "scheduled",
      "scheduled_due",
      "topics",
      "websub_pending",
      "websub_pending_due",
    ]);
    const meta = await env.DB.prepare("SELECT key, value FROM meta ORDER BY key").all();
    expect(meta.results).toEqual([
      { key: "article_count", value: "0" },
      // A database created empty has nothing to file by author and source.
      { key: "bylines_filled", value: "1" },
      { key: "newest_updated", value: "1970-01-01T00:00:00Z" },
      { key: "next_release", value: "" },
      { key: "topic_definitions", value: "" },
      { key: "version", value: "0" },
    ]);
  });

  it("newest N overall and newest N in a topic are index searches, not table scans", async () => {
    const plan = async (sql: string) => (await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).all()).results.map((r) => r.detail as string).join("; ");
    expect(await plan("SELECT * FROM articles ORDER BY published DESC, id DESC LIMIT 51")).toBe("SCAN articles USING INDEX articles_newest");
    expect(await plan("SELECT * FROM articles WHERE (published, id) < ('2021', 'x') ORDER BY published DESC, id DESC LIMIT 51")).toMatch(
      /^SEARCH articles USING INDEX articles_newest/,
    );
    const topic = await plan(
      "SELECT a.* FROM article_topics t JOIN articles a ON a.id = t.article_id WHERE t.topic = 'x' ORDER BY t.published DESC, t.article_id DESC LIMIT 51",
    );
    expect(topic).toMatch(/^SEARCH t USING PRIMARY KEY \(topic=\?\); SEARCH a USING INDEX sqlite_autoindex_articles_1 \(id=\?\)$/);
  });
});

describe("a generated archive of 2,500 articles (50 pages of the main feed)", () => {
  let content: Content;
  let plan: Awaited<ReturnType<typeof importPlanned>>;

  beforeAll(async () => {
    await freshDatabase();
    content = (await compile(generated(2_500))).content;
    plan = await importPlanned(content);
  }, 300_000);

  it("imports every article", async () => {
    expect([plan.added.length, plan.updated.length, plan.unchanged]).toEqual([2_500, 0, 0]);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM articles").first<{ n: number }>();
    expect(count!.n).toBe(2_500);
    // Bumped at the start and at the end of the import.
    expect(await env.DB.prepare("SELECT value FROM meta WHERE key = 'version'").first("value")).toBe("2");
  });

  it("importing the same folder again changes nothing", async () => {
    const again = await planImport(content, await readExisting(env.DB), { deleteMissing: false });
    expect([again.added, again.updated, again.unchanged, again.statements]).toEqual([[], [], 2_500, []]);
  });

  it("every feed of every topic, and every kind of page, is byte for byte the bundled mode's", { timeout: 60_000 }, async () => {
    const { bundled, d1 } = workers(content);
    const topics = [...new Set(content.articles.flatMap((a) => a.topics))];
    const paths = [
      ...["", ...topics.map((t) => `/topics/${t}`)].flatMap((s) => [`${s}/rss.xml`, `${s}/atom.xml`, `${s}/feed.json`]),
      "/",
      "/topics",
      `/topics/${topics[0]}`,
      `/articles/${content.articles[1234]!.slug}`,
      "/opml.xml",
      `/rss.xml?before=${content.articles[99]!.slug}`,
      "/no-such-page",
    ];
    expect(paths.length).toBeGreaterThan(90);
    for (const path of paths) {
      const a = await bundled(`${ORIGIN}${path}`);
      const b = await d1(`${ORIGIN}${path}`);
      expect([path, b.status, await b.text()]).toEqual([path, a.status, await a.text()]);
      expect(b.headers.get("ETag")).toBe(a.headers.get("ETag"));
    }
  });

  it("walking the pages of the main feed and of a topic visits every article once, newest first", { timeout: 120_000 }, async () => {
    const { d1 } = workers(content);
    const main = await walkFeed(d1, ORIGIN, "/atom.xml");
    expect(main.ids).toEqual(content.articles.map((a) => a.guid));
    expect(main.pages).toHaveLength(50);
    const topic = content.articles[0]!.topics.at(-1)!;
    const walk = await walkFeed(d1, ORIGIN, `/topics/${topic}/feed.json`);
    expect(walk.ids).toEqual(content.articles.filter((a) => a.topics.includes(topic)).map((a) => a.guid));
  });
});

describe("imports", () => {
  beforeEach(freshDatabase);

  it("an edited file updates its row and its updated date, and the worker serves the change", async () => {
    const files = generated(30);
    const first = (await compile(files)).content;
    await importPlanned(first);
    const edited = [...files];
    const target = edited[7]!;
    const newText = new TextDecoder().decode(target.bytes).replace(/^[^\n]+/, "A corrected headline about oil");
    edited[7] = file(target.path, newText, { added: null, changed: null, modified: target.modified + 86_400_000 });
    const second = (await compile(edited)).content;
    const plan = await importPlanned(second);
    const id = second.articles.find((a) => a.file === target.path)!.id;
    expect([plan.added, plan.updated, plan.unchanged]).toEqual([[], [id], 29]);
    const row = await env.DB.prepare("SELECT title, updated FROM articles WHERE id = ?").bind(id).first<{ title: string; updated: string }>();
    expect(row).toEqual({ title: "A corrected headline about oil", updated: new Date(target.modified + 86_400_000).toISOString().replace(".000Z", "Z") });
    expect(await env.DB.prepare("SELECT value FROM meta WHERE key = 'version'").first("value")).toBe("4");
    const json = JSON.parse(await text(workers(second).d1(`${ORIGIN}/feed.json`)));
    expect(json.items.map((i: { title: string }) => i.title)).toContain("A corrected headline about oil");
  });

  it("articles gone from the folder stay unless deleting is asked for", async () => {
    const files = generated(10);
    await importPlanned((await compile(files)).content);
    const fewer = (await compile(files.slice(1))).content;
    const gone = (await compile(files)).content.articles.find((a) => a.file === files[0]!.path)!.id;
    const kept = await importPlanned(fewer);
    expect([kept.missing, kept.deleted, kept.statements.length]).toEqual([[gone], [], 0]);
    const deleted = await importPlanned(fewer, { deleteMissing: true });
    expect(deleted.deleted).toEqual([gone]);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM articles").first<{ n: number }>())!.n).toBe(9);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM article_topics WHERE article_id = ?").bind(gone).first<{ n: number }>())!.n).toBe(0);
  });

  it("a new article may take the slug of one that left the folder, and two articles may swap headlines", async () => {
    const old = file("1_00000000000000a1.txt", story("Storm hits coast", "The first storm."), { added: Date.UTC(2021, 0, 1) });
    await importPlanned(
      (await compile([old, file("2_00000000000000a2.txt", story("One", "Text one.")), file("3_00000000000000a3.txt", story("Two", "Text two."))])).content,
    );
    const replaced = [
      file("4_00000000000000a4.txt", story("Storm hits coast", "Another storm."), { added: Date.UTC(2022, 0, 1) }),
      file("2_00000000000000a2.txt", story("Two", "Text one.")),
      file("3_00000000000000a3.txt", story("One", "Text two.")),
    ];
    const plan = await importPlanned((await compile(replaced)).content);
    expect([plan.added, plan.updated.sort(), plan.missing]).toEqual([["00000000000000a4"], ["00000000000000a2", "00000000000000a3"], ["00000000000000a1"]]);
    const slugs = await env.DB.prepare("SELECT id, slug FROM articles ORDER BY id").all();
    expect(slugs.results).toEqual([
      { id: "00000000000000a1", slug: "storm-hits-coast-30303030" },
      { id: "00000000000000a2", slug: "two" },
      { id: "00000000000000a3", slug: "one" },
      { id: "00000000000000a4", slug: "storm-hits-coast" },
    ]);
  });

  it("no statement is longer than D1 accepts, even with the values written into the SQL", async () => {
    const long = Array.from({ length: 9 }, (_, i) =>
      file(`${i}.txt`, story(`Long story ${i}`, ...Array.from({ length: 40 }, (_, p) => `Paragraph ${p} ${"of a long story ".repeat(30)}`))),
    );
    const plan = await planImport(
      (await compile(long)).content,
      { articles: new Map(), topics: new Map(), scheduled: new Map(), definitions: "", bylinesFilled: true, siteImages: "" },
      { deleteMissing: false },
    );
    const lengths = plan.statements.map((s) => new TextEncoder().encode(inlineStatement(s)).byteLength);
    expect(Math.max(...lengths)).toBeLessThan(100_000);
    expect(plan.statements.every((s) => s.params.length <= 100)).toBe(true);
    await applyPlan(env.DB, plan);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM articles").first<{ n: number }>())!.n).toBe(9);
  });

  it("a new import reaches the worker once the content version is checked again", async () => {
    const files = generated(4);
    await importPlanned((await compile(files)).content);
    const fetch = worker((await compile(files)).content, { STORAGE: "d1", DB: env.DB, CONTENT_TTL: "0" } as never);
    const before = JSON.parse(await (await fetch("/feed.json")).text());
    await importPlanned((await compile([...files, file("new.txt", story("Fresh news", "Just in."), { added: Date.UTC(2030, 0, 1) })])).content);
    const after = JSON.parse(await (await fetch("/feed.json")).text());
    expect(after.items.length).toBe(before.items.length + 1);
    expect(after.items[0].title).toBe("Fresh news");
  });
});

describe("settings", () => {
  it("STORAGE=d1 without a DB binding is a configuration error that names it", async () => {
    const res = await worker((await compile(generated(1))).content, { STORAGE: "d1" })("/rss.xml");
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("Configuration error: the setting STORAGE is not valid (the worker's log says why). Fix it in wrangler.toml [vars].\n");
  });
});
