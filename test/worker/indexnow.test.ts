/**
 * IndexNow in the D1 mode: the key file, one JSON submission of the URLs a publish made new
 * once every isolate serves it, retries with backoff from the cron, a refusal given up at
 * once, and nothing of it in the publish's answer. In the bundled mode: what a deploy
 * changed, submitted by the first cron after it.
 */
import { env as cfEnv } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import type { SourceFile } from "../../src/compile/parse-article";
import { readSettings } from "../../src/config/settings";
import { queueSubmissions } from "../../src/publish/indexnow";
import { MAX_STATEMENT_CHARS } from "../../src/storage/d1/sql";
import { freshDatabase } from "./d1-fixtures";
import { bundle, content, file, story } from "./fixtures";
import { type Call, ORIGIN, publishing } from "./publishing";

const KEY = "0123456789abcdef-key";
const ENDPOINT = "https://indexnow.test/indexnow";
const VARS = { INDEXNOW_KEY: KEY, INDEXNOW_ENDPOINT: ENDPOINT };

beforeEach(freshDatabase);

const submissions = (calls: Call[]) => calls.filter((c) => c.url === ENDPOINT).map((c) => JSON.parse(c.body) as Record<string, unknown>);

describe("IndexNow", () => {
  it("publishes the key at /{key}.txt; other keys, or none set, are 404", async () => {
    const w = publishing(VARS);
    const res = await w.request(`/${KEY}.txt`);
    expect([res.status, res.headers.get("Content-Type"), await res.text()]).toEqual([200, "text/plain; charset=UTF-8", KEY]);
    expect((await w.request("/someotherkey123.txt")).status).toBe(404);
    expect((await publishing().request(`/${KEY}.txt`)).status).toBe(404);
  });

  it("a publish is submitted once, as one JSON POST of the article, the home page and its topics' pages", async () => {
    const w = publishing(VARS);
    // The first story of a topic changes every page that names topics (the topic index stands for them) and makes its page.
    expect((await w.put("a", `---\ntopics: [weather]\n---\n${story("Storm reaches the coast", "Text.")}`)).status).toBe(201);
    await w.settle();
    expect(submissions(w.hubCalls)).toEqual([
      {
        host: "news.example.org",
        key: KEY,
        keyLocation: `${ORIGIN}/${KEY}.txt`,
        urlList: [`${ORIGIN}/`, `${ORIGIN}/topics`, `${ORIGIN}/topics/weather`, `${ORIGIN}/articles/storm-reaches-the-coast`],
      },
    ]);
    expect((await w.put("b", `---\ntopics: [weather]\n---\n${story("Storm leaves the coast", "Text.")}`)).status).toBe(201);
    await w.settle();
    expect(submissions(w.hubCalls).at(-1)!.urlList).toEqual([`${ORIGIN}/`, `${ORIGIN}/topics/weather`, `${ORIGIN}/articles/storm-leaves-the-coast`]);
    // A delete is submitted too: its page now answers 410.
    expect((await w.request("/api/articles/b", { method: "DELETE", headers: { Authorization: "Bearer s3cret-token-for-tests" } })).status).toBe(200);
    await w.settle();
    expect(submissions(w.hubCalls).at(-1)!.urlList).toEqual([`${ORIGIN}/`, `${ORIGIN}/topics/weather`, `${ORIGIN}/articles/storm-leaves-the-coast`]);
    expect(submissions(w.hubCalls)).toHaveLength(3);
  });

  it("an endpoint that fails is tried again by the cron with backoff; a refusal (403) is given up at once; each logs one line", async () => {
    const answers = [503, 200];
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const w = publishing(VARS, (call) => new Response(null, { status: call.url === ENDPOINT ? (answers.shift() ?? 200) : 204 }));
    expect((await w.put("a", story("First", "Text."))).status).toBe(201);
    await w.settle();
    expect(submissions(w.hubCalls)).toHaveLength(1);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([`indexnow: ${ENDPOINT} answered 503; trying again in 1 min (attempt 1 of 5)`]);
    await w.cron(Date.now() + 30_000);
    expect(submissions(w.hubCalls)).toHaveLength(1);
    await w.cron(Date.now() + 61_000);
    expect(submissions(w.hubCalls)).toHaveLength(2);
    await w.cron(Date.now() + 10 * 60_000);
    expect(submissions(w.hubCalls)).toHaveLength(2);

    const refusing = publishing(VARS, (call) => new Response(null, { status: call.url === ENDPOINT ? 403 : 204 }));
    errors.mockClear();
    expect((await refusing.put("b", story("Second", "Text."))).status).toBe(201);
    await refusing.settle();
    await refusing.cron(Date.now() + 10 * 60_000);
    expect(submissions(refusing.hubCalls)).toHaveLength(1);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([`indexnow: gave up submitting 2 URL(s) to ${ENDPOINT} after 1 attempt(s): answered 403`]);
  });

  it("a large change is split into requests of at most 10,000 URLs, each small enough for a D1 statement written out", () => {
    const urls = Array.from({ length: 25_000 }, (_, i) => `${ORIGIN}/articles/story-number-${i}`);
    const rows = queueSubmissions(urls, 0).map((s) => JSON.parse(s.params[0] as string) as string[]);
    expect(rows.flat()).toEqual(urls);
    for (const row of rows) {
      expect(row.length).toBeLessThanOrEqual(10_000);
      expect(JSON.stringify(row).length).toBeLessThanOrEqual(MAX_STATEMENT_CHARS);
    }
  });

  it("the key and the endpoint are checked like every setting", () => {
    expect(() => readSettings({ INDEXNOW_KEY: "short" })).toThrow('INDEXNOW_KEY must be 8 to 128 letters, digits or hyphens, got "short"');
    expect(() => readSettings({ INDEXNOW_KEY: KEY, INDEXNOW_ENDPOINT: "ftp://x.example/" })).toThrow("INDEXNOW_ENDPOINT must be an http(s) URL");
    // An endpoint left over with no key stops nothing.
    expect(readSettings({ INDEXNOW_ENDPOINT: "ftp://x.example/" }).indexNow).toBeNull();
    expect(readSettings({}).indexNow).toBeNull();
    expect(readSettings(VARS).indexNow).toEqual({ key: KEY, endpoint: ENDPOINT });
  });
});

describe("IndexNow, bundled mode", () => {
  const article = (name: string, front: string, headline: string) => file(`${name}.txt`, `---\n${front}\n---\n${story(headline, "Text.")}`);
  const OLD = article("old", "date: 2020-06-01T10:00:00Z\nauthor: Ana Lima", "Old story");
  const RECENT = article("recent", "date: 2021-01-01T09:00:00Z\ntopics: [weather]", "Storm reaches the coast");
  // The cron's time on the first deploy: RECENT is within 48 hours of it, OLD is not.
  const FIRST_CRON = Date.parse("2021-01-02T09:00:00Z");

  /** A deployed bundle of `files`: the worker, and its cron run at `at` with the stand-in endpoint. */
  async function deploy(files: SourceFile[], answer: () => number = () => 200) {
    const calls: Call[] = [];
    const send = (async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), body: String(init?.body ?? "") });
      return new Response(null, { status: answer() });
    }) as typeof fetch;
    const app = createApp(bundle(await content(files)), { fetchHub: send });
    const env = { SITE_URL: ORIGIN, DB: cfEnv.DB, WEBSUB_OWN_HUB: "off", ...VARS } as never;
    const cron = (at: number) => app.scheduled({ scheduledTime: at }, env, { waitUntil: () => {} });
    return { calls, cron };
  }

  it("the first cron after a deploy submits what the deploy changed, once; the first deploy, the last 48 hours", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const first = await deploy([OLD, RECENT]);
      await first.cron(FIRST_CRON);
      expect(submissions(first.calls).map((s) => s.urlList)).toEqual([
        [`${ORIGIN}/`, `${ORIGIN}/topics`, `${ORIGIN}/articles/storm-reaches-the-coast`, `${ORIGIN}/topics/weather`],
      ]);
      expect(submissions(first.calls)[0]).toMatchObject({ host: "news.example.org", key: KEY, keyLocation: `${ORIGIN}/${KEY}.txt` });
      // The same bundle again (another isolate, another minute): nothing more.
      await first.cron(FIRST_CRON + 60_000);
      await (await deploy([OLD, RECENT])).cron(FIRST_CRON + 120_000).then(() => {});
      expect(submissions(first.calls)).toHaveLength(1);

      // A deploy that edits the old story (a new `updated`), adds one, and adds one filed late with
      // its original time, older than anything the last deploy had: those, with their pages.
      const edited = article("old", "date: 2020-06-01T10:00:00Z\nupdated: 2021-01-05T10:00:00Z\nauthor: Ana Lima", "Old story");
      const added = article("new", "date: 2021-01-05T11:00:00Z\nsource: Reuters", "Markets open higher");
      const late = article("late", "date: 2020-12-31T08:00:00Z\nsource: AFP", "Harbour reopens");
      const second = await deploy([edited, RECENT, added, late]);
      await second.cron(Date.parse("2021-01-06T00:00:00Z"));
      expect(submissions(second.calls).map((s) => s.urlList)).toEqual([
        [
          `${ORIGIN}/`,
          `${ORIGIN}/topics`,
          `${ORIGIN}/articles/markets-open-higher`,
          `${ORIGIN}/sources/reuters`,
          `${ORIGIN}/articles/harbour-reopens`,
          `${ORIGIN}/sources/afp`,
          `${ORIGIN}/articles/old-story`,
          `${ORIGIN}/authors/ana-lima`,
        ],
      ]);
      expect(logs.mock.calls.map((c) => c[0])).toEqual([
        "indexnow: this deploy changed 4 URL(s); submitting them",
        "indexnow: this deploy changed 8 URL(s); submitting them",
      ]);
    } finally {
      logs.mockRestore();
    }
  });

  it("an endpoint that fails is tried again by a later cron; without a database nothing is submitted", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const answers = [503, 200];
      const failing = await deploy([RECENT], () => answers.shift() ?? 200);
      await failing.cron(FIRST_CRON);
      expect(submissions(failing.calls)).toHaveLength(1);
      expect(await cfEnv.DB.prepare("SELECT COUNT(*) AS n FROM indexnow_pending").first("n")).toBe(1);
      // Not before its backoff, then once more.
      await failing.cron(FIRST_CRON + 30_000);
      expect(submissions(failing.calls)).toHaveLength(1);
      await failing.cron(FIRST_CRON + 10 * 60_000);
      expect(submissions(failing.calls)).toHaveLength(2);
      expect(await cfEnv.DB.prepare("SELECT COUNT(*) AS n FROM indexnow_pending").first("n")).toBe(0);

      const calls: Call[] = [];
      const app = createApp(bundle(await content([RECENT])), {
        fetchHub: (async (input: RequestInfo | URL) => {
          calls.push({ url: String(input), body: "" });
          return new Response(null);
        }) as typeof fetch,
      });
      await app.scheduled({ scheduledTime: FIRST_CRON }, { SITE_URL: ORIGIN, WEBSUB_OWN_HUB: "off", ...VARS } as never, { waitUntil: () => {} });
      expect(calls).toEqual([]);
    } finally {
      logs.mockRestore();
    }
  });
});
