/**
 * The publishing API rows of `npm run bench`, on an archive already imported into D1:
 * PUT latency (one at a time) and throughput (10 at a time), every article PUT visible
 * afterwards (in the main feed's pages and in `GET /api/articles`), and publish-to-visible
 * time, from the PUT's answer to the first feed request that shows the article, from the
 * isolate that took the PUT and from another isolate that had the feed already. And a
 * burst: 500 PUTs 10 at a time, ending with a database, stored responses and feeds that
 * agree byte for byte with an import of the same articles as files into an empty database.
 *
 * Two workers in one Miniflare share the database, each its own isolate, as two
 * Cloudflare locations would.
 */

import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { generateArticle } from "../scripts/lib/archive";
import { compileFolder } from "../scripts/lib/compile-folder";
import type { D1Like } from "../src/config/env";
import type { Article, Content } from "../src/content/types";
import { importedArchive } from "./d1";
import { BENCH_ORIGIN, bundledModules, log, median, RUNTIME } from "./harness";

export interface PublishResult {
  articles: number;
  contentTtl: number;
  sequential: { count: number; p50: number; p95: number };
  concurrent: { count: number; connections: number; perSecond: number };
  /** Articles PUT, and how many of them the main feed's pages and `GET /api/articles` list afterwards. */
  visible: { put: number; inFeed: number; inApi: number };
  visibleSame: number;
  visibleOther: number;
}

export interface BurstResult {
  articles: number;
  count: number;
  connections: number;
  seconds: number;
  perSecond: number;
  /** From the last PUT's answer until every feed it belongs to (main and its topics, three formats) shows it, in another isolate. */
  lastVisibleSeconds: number;
  visible: { inFeed: number; inApi: number };
  /** What differs from an import of the same articles into an empty database (empty: nothing). */
  differences: string[];
  /** What was compared. */
  compared: { articles: number; topics: number; feeds: number; storedResponses: number };
}

const TOKEN = "bench-token";
const CONTENT_TTL = 10;
/** PUTs timed one at a time: their latencies are a few milliseconds, so the median wants many. */
const SEQUENTIAL = 100;

type Worker = Awaited<ReturnType<Miniflare["getWorker"]>>;

/** Two isolates (workers a and b) on the local D1 in `persist`, as deployed (`dir`: the bench bundle). */
function publishingWorkers(dir: string, persist: string): Miniflare {
  const worker = (name: string) => ({
    name,
    modules: bundledModules(join(dir, "dist-index"), "index.js"),
    modulesRoot: join(dir, "dist-index"),
    compatibilityDate: RUNTIME.compatibilityDate,
    compatibilityFlags: RUNTIME.compatibilityFlags,
    d1Databases: { DB: "bench" },
    bindings: { SITE_URL: BENCH_ORIGIN, STORAGE: "d1", CONTENT_TTL: String(CONTENT_TTL), PUBLISH_TOKEN: TOKEN },
  });
  return new Miniflare(convertV4MiniflareOptions({ workers: [worker("a"), worker("b")], resourcePersistencePath: persist }));
}

/** PUTs a generated article (`dated`: the burst's last index, for datedText; null: no date, the PUT's time); its API answer. */
async function put(worker: Worker, id: string, index: number, dated: number | null = null): Promise<{ status: number }> {
  const res = await worker.fetch(`${BENCH_ORIGIN}/api/articles/${id}`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "text/plain" },
    body: dated !== null ? datedText(index, dated) : generateArticle(index).text,
  });
  await res.arrayBuffer();
  return { status: res.status };
}

/** Before the run: the burst's stories are dated a second apart up to it, the last the newest (fixed, so a file and a PUT of it agree). */
const RUN_TIME = Math.floor(Date.now() / 1000) * 1000 - 60_000;
/** A generated story with its id and date in front matter, as an agency's copy carries them: `last` is the burst's last index. */
const datedText = (index: number, last: number) =>
  `---\nid: burst-${index}\ndate: ${new Date(RUN_TIME - (last - index) * 1000).toISOString().replace(/\.000Z$/, "Z")}\n---\n${generateArticle(index).text}`;

/** The headline of a generated article, which ends with its index: "(123)". */
const headline = (index: number) => generateArticle(index).text.split("\n")[0]!;

/** PUTs `indexes` (ids `${prefix}${i}`) `connections` at a time, each a 201. */
async function putAll(worker: Worker, prefix: string, indexes: number[], connections: number, dated: number | null = null): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < indexes.length) {
        const index = indexes[next++]!;
        const answer = await put(worker, `${prefix}${index}`, index, dated);
        if (answer.status !== 201) throw new Error(`PUT ${prefix}${index} answered ${answer.status}`);
      }
    }),
  );
}

/** Ids with `prefix` that `GET /api/articles` lists, page after page. */
async function apiIds(worker: Worker, prefix: string): Promise<number> {
  let count = 0;
  let url: string | null = `${BENCH_ORIGIN}/api/articles?after=${encodeURIComponent(prefix)}`;
  while (url !== null) {
    const page = (await (await worker.fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as {
      articles: { id: string }[];
      next: string | null;
    };
    const ours = page.articles.filter((a) => a.id.startsWith(prefix));
    count += ours.length;
    url = ours.length < page.articles.length ? null : page.next;
  }
  return count;
}

/** How many of `headlines` the main JSON Feed shows, following its pages (RFC 5005) until all are seen or `pages` are read. */
async function inFeed(worker: Worker, headlines: Set<string>, pages: number): Promise<number> {
  const seen = new Set<string>();
  let url: string | undefined = `${BENCH_ORIGIN}/feed.json`;
  for (let page = 0; url !== undefined && page < pages && seen.size < headlines.size; page++) {
    const feed = (await (await worker.fetch(url)).json()) as { items: { title: string }[]; next_url?: string };
    for (const item of feed.items) if (headlines.has(item.title)) seen.add(item.title);
    url = feed.next_url;
  }
  return seen.size;
}

/** Waits (polling every 50 ms) until `shows` is true; the milliseconds it took. */
async function until(shows: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await shows()) return performance.now() - started;
    if (performance.now() - started > limitMs) throw new Error("the published article did not show");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `articles`: how many the database holds; `firstIndex`: the generated articles PUT start after it (the archive's file count). */
export async function measurePublish(dir: string, persist: string, articles: number, firstIndex = articles): Promise<PublishResult> {
  const mf = publishingWorkers(dir, persist);
  await mf.ready;
  try {
    const a = await mf.getWorker("a");
    const b = await mf.getWorker("b");
    const index = (i: number) => firstIndex + i;
    log(`publish ${articles}: sequential PUTs`);
    const times: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const start = performance.now();
      const answer = await put(a, `bench-${i}`, index(i));
      if (answer.status !== 201) throw new Error(`PUT answered ${answer.status}`);
      times.push(performance.now() - start);
    }
    times.sort((x, y) => x - y);
    log(`publish ${articles}: concurrent PUTs`);
    const count = 200;
    const connections = 10;
    const started = performance.now();
    await putAll(
      a,
      "bench-",
      Array.from({ length: count }, (_, i) => index(SEQUENTIAL + i)),
      connections,
    );
    const perSecond = count / ((performance.now() - started) / 1000);
    // The isolate that took the PUTs serves them at once: every one in the feed and in the API.
    const headlines = new Set(Array.from({ length: SEQUENTIAL + count }, (_, i) => headline(index(i))));
    const visible = { put: SEQUENTIAL + count, inFeed: await inFeed(a, headlines, 20), inApi: await apiIds(a, "bench-") };

    log(`publish ${articles}: publish-to-visible`);
    const feedShows = async (fetcher: Worker, i: number) => (await (await fetcher.fetch(`${BENCH_ORIGIN}/rss.xml`)).text()).includes(headline(i));
    // The other isolate has the feed already, as a reader's location would.
    await (await b.fetch(`${BENCH_ORIGIN}/rss.xml`)).arrayBuffer();
    const last = index(SEQUENTIAL + count);
    await put(a, `bench-${SEQUENTIAL + count}`, last);
    const putAt = performance.now();
    let visibleSame = NaN;
    let visibleOther = NaN;
    while (Number.isNaN(visibleSame) || Number.isNaN(visibleOther)) {
      if (Number.isNaN(visibleSame) && (await feedShows(a, last))) visibleSame = performance.now() - putAt;
      if (Number.isNaN(visibleOther) && (await feedShows(b, last))) visibleOther = performance.now() - putAt;
      if (performance.now() - putAt > (CONTENT_TTL + 30) * 1000) throw new Error("the published article did not show");
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      articles,
      contentTtl: CONTENT_TTL,
      sequential: { count: times.length, p50: median(times, (t) => t), p95: times[Math.floor(times.length * 0.95)]! },
      concurrent: { count, connections, perSecond },
      visible,
      visibleSame,
      visibleOther,
    };
  } finally {
    await mf.dispose();
  }
}

/** The feeds of an article: the main ones and its topics', in every format. */
const feedsOf = (article: { topics: readonly string[] }) =>
  ["", ...article.topics.map((t) => `/topics/${t}`)].flatMap((s) => [`${s}/rss.xml`, `${s}/atom.xml`, `${s}/feed.json`]);

/**
 * A burst into a fresh import of `content` (the archive's files): `count` PUTs,
 * `connections` at a time. Then the same articles as files (the archive's, and the burst's
 * with the dates the API gave them) imported into an empty database, and the two compared:
 * every article row, the topics and their counts, every feed (main and each topic, three
 * formats) as served, and every response both stored.
 */
export async function measureBurst(dir: string, work: string, archive: string, content: Content, root: string, count = 500): Promise<BurstResult> {
  const articles = content.articles.length;
  const persist = join(work, `burst-state-${articles}`);
  await importedArchive(`burst ${articles}`, content, dir, persist, root);
  const connections = 10;
  const first = articles + 10_000;
  const indexes = Array.from({ length: count }, (_, i) => first + i);
  const mf = publishingWorkers(dir, persist);
  await mf.ready;
  let result: Omit<BurstResult, "differences" | "compared">;
  try {
    const a = await mf.getWorker("a");
    const b = await mf.getWorker("b");
    // The other isolate has every feed of the last article already, as readers' locations would.
    log(`burst ${articles}: ${count} PUTs, ${connections} at a time`);
    const started = performance.now();
    await putAll(a, "burst-", indexes, connections, indexes.at(-1)!);
    const seconds = (performance.now() - started) / 1000;
    const lastId = `burst-${indexes.at(-1)!}`;
    const lastTopics = (
      (await (await a.fetch(`${BENCH_ORIGIN}/api/articles/${lastId}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { topics: string[] }
    ).topics;
    const lastHeadline = headline(indexes.at(-1)!);
    const everyFeed = async () => {
      const bodies = await Promise.all(feedsOf({ topics: lastTopics }).map(async (p) => (await b.fetch(`${BENCH_ORIGIN}${p}`)).text()));
      return bodies.every((body) => body.includes(lastHeadline.replace(/&/g, "&amp;")) || body.includes(lastHeadline));
    };
    const waited = await until(everyFeed, (CONTENT_TTL + 60) * 1000).catch(async () => {
      // Which feeds, in which isolate: what a rerun needs to tell a lost write from a slow one.
      const missing: string[] = [];
      for (const path of feedsOf({ topics: lastTopics })) {
        for (const [name, worker] of [
          ["a", a],
          ["b", b],
        ] as const) {
          const body = await (await worker.fetch(`${BENCH_ORIGIN}${path}`)).text();
          if (!body.includes(lastHeadline.replace(/&/g, "&amp;")) && !body.includes(lastHeadline)) missing.push(`${name}${path}`);
        }
      }
      throw new Error(`burst: after ${CONTENT_TTL + 60} s the last article (${lastId}) is still missing from ${missing.join(", ") || "no feed now"}`);
    });
    const lastVisibleSeconds = (performance.now() - started) / 1000 - seconds + waited / 1000;
    const headlines = new Set(indexes.map(headline));
    result = {
      articles,
      count,
      connections,
      seconds,
      perSecond: count / seconds,
      lastVisibleSeconds,
      visible: { inFeed: await inFeed(a, headlines, 20), inApi: await apiIds(a, "burst-") },
    };
    // What the burst left to render after its answers has run (the coalescing window, then the rendering).
    await new Promise((r) => setTimeout(r, 5_000));
  } finally {
    await mf.dispose();
  }

  log(`burst ${articles}: the same articles as files, imported into an empty database`);
  const folder = join(work, `burst-folder-${articles}`);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (const name of readdirSync(archive)) symlinkSync(join(archive, name), join(folder, name));
  for (const index of indexes) writeFileSync(join(folder, `burst-${index}.txt`), datedText(index, indexes.at(-1)!));
  const { content: referenceContent } = await compileFolder("bench", folder);
  const reference = join(work, `burst-reference-${articles}`);
  await importedArchive(`burst ${articles} reference`, referenceContent, dir, reference, root);
  const { differences, compared } = await compareDatabases(dir, persist, reference, referenceContent.articles);
  return { ...result, differences, compared };
}

/** Rows of `sql` from both databases, compared; a line per difference (at most 10). */
async function compareDatabases(
  dir: string,
  burst: string,
  reference: string,
  all: readonly Article[],
): Promise<Pick<BurstResult, "differences" | "compared">> {
  const open = (persist: string) => publishingWorkers(dir, persist);
  const left = open(burst);
  const right = open(reference);
  await Promise.all([left.ready, right.ready]);
  const differences: string[] = [];
  const differ = (what: string) => {
    if (differences.length < 10) differences.push(what);
  };
  try {
    const [l, r] = (await Promise.all([left.getD1Database("DB"), right.getD1Database("DB")])) as unknown as [D1Like, D1Like];
    const rows = async (db: D1Like, sql: string, ...params: unknown[]) =>
      (
        await db
          .prepare(sql)
          .bind(...params)
          .all()
      ).results as Record<string, unknown>[];
    // Every article, in pages of 5,000 by id; `file` is the name each was given, not content.
    let after = "";
    let articles = 0;
    for (;;) {
      const sql =
        "SELECT id, guid, slug, title, summary, html, source, author, language, published, updated, topics, content_hash, image FROM articles WHERE id > ? ORDER BY id LIMIT 5000";
      const [x, y] = await Promise.all([rows(l, sql, after), rows(r, sql, after)]);
      if (JSON.stringify(x) !== JSON.stringify(y)) {
        const at = x.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(y[i]));
        differ(`articles differ from id ${String(x[at]?.id ?? y[at]?.id)}`);
        break;
      }
      articles += x.length;
      if (x.length < 5000) break;
      after = String(x.at(-1)!.id);
    }
    for (const sql of [
      "SELECT slug, name, position, article_count FROM topics ORDER BY slug",
      "SELECT key, value FROM meta WHERE key IN ('article_count', 'newest_updated') ORDER BY key",
    ]) {
      const [x, y] = await Promise.all([rows(l, sql), rows(r, sql)]);
      if (JSON.stringify(x) !== JSON.stringify(y))
        differ(`${sql.split(" FROM ")[1]!.split(" ")[0]} differ: ${JSON.stringify(x).slice(0, 200)} vs ${JSON.stringify(y).slice(0, 200)}`);
    }
    const topics = (await rows(r, "SELECT slug FROM topics WHERE article_count > 0")).map((t) => String(t.slug));
    // Every feed as each database's worker serves it.
    const [wl, wr] = await Promise.all([left.getWorker("a"), right.getWorker("a")]);
    const feeds = feedsOf({ topics });
    for (const path of feeds) {
      const [x, y] = await Promise.all([(await wl.fetch(`${BENCH_ORIGIN}${path}`)).text(), (await wr.fetch(`${BENCH_ORIGIN}${path}`)).text()]);
      if (x !== y) differ(`${path} differs`);
    }
    // Every response both stored, byte for byte (their content versions differ: one import against 500 writes).
    const stored = "SELECT site, path, coding, part, data FROM responses ORDER BY site, path, coding, part";
    const [x, y] = await Promise.all([rows(l, stored), rows(r, stored)]);
    const key = (row: Record<string, unknown>) => `${row.site} ${row.path} ${row.coding} ${row.part}`;
    const theirs = new Map(y.map((row) => [key(row), row.data]));
    let storedResponses = 0;
    for (const row of x) {
      if (!theirs.has(key(row))) continue;
      storedResponses++;
      if (theirs.get(key(row)) !== row.data) differ(`stored ${row.path} (${row.coding}, part ${row.part}) differs`);
    }
    if (articles !== all.length) differ(`${articles} articles compared, ${all.length} expected`);
    return { differences, compared: { articles, topics: topics.length, feeds: feeds.length, storedResponses } };
  } finally {
    await Promise.all([left.dispose(), right.dispose()]);
  }
}
