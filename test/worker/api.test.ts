/**
 * The publishing API against Miniflare's local D1: authentication, every bad input, writes
 * that land whole, deletes, scheduled articles and their release by the cron, concurrent
 * writes, agreement with `npm run import`, and WebSub (a stand-in hub records what it is told).
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { applyPlan, readExisting } from "../../src/storage/d1/apply";
import { planImport } from "../../src/storage/d1/import-plan";
import { freshDatabase } from "./d1-fixtures";
import { bundle, compile, file, SEED_HEADLINE, SEED_SLUG, SEED_TEXT, seedFile, shippedTopics, story } from "./fixtures";
import { HUB, ORIGIN, publishing, TOKEN } from "./publishing";

const SEED_ID = "aa4f927da06b7f0b";

const dated = (date: string, headline: string, ...paragraphs: string[]) => `---\ndate: ${date}\n---\n${story(headline, ...paragraphs)}`;
const version = async () => Number(await env.DB.prepare("SELECT value FROM meta WHERE key = 'version'").first("value"));
const count = async (table: string) => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

beforeEach(freshDatabase);

describe("the API exists only where it is enabled", () => {
  it("404 in the bundled mode and in the D1 mode without PUBLISH_TOKEN, whatever the method", async () => {
    const app = createApp(bundle({ articles: [], topics: [] }));
    for (const [vars, method] of [
      [{ SITE_URL: ORIGIN }, "GET"],
      [{ SITE_URL: ORIGIN, PUBLISH_TOKEN: TOKEN }, "PUT"],
      [{ SITE_URL: ORIGIN, STORAGE: "d1", DB: env.DB }, "PUT"],
      [{ SITE_URL: ORIGIN, STORAGE: "d1", DB: env.DB, PUBLISH_TOKEN: " , " }, "GET"],
    ] as const) {
      const res = await app.request(
        `${ORIGIN}/api/articles/x`,
        { method, headers: { Authorization: `Bearer ${TOKEN}` }, body: method === "PUT" ? "x" : undefined },
        vars as never,
      );
      expect([method, res.status, await res.json()]).toEqual([method, 404, { error: "Not found." }]);
    }
  });
});

describe("authentication", () => {
  it("401 with a Bearer challenge for a missing, malformed or wrong token, saying nothing of which", async () => {
    const { request } = publishing();
    const bodies = new Set<string>();
    for (const authorization of [undefined, "Basic dXNlcjpwYXNz", `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, "Bearer", `bearer  ${TOKEN} extra`]) {
      const res = await request(`/api/articles/${SEED_ID}`, {
        method: "PUT",
        body: SEED_TEXT,
        headers: { "Content-Type": "text/plain", ...(authorization ? { Authorization: authorization } : {}) },
      });
      expect([authorization, res.status, res.headers.get("WWW-Authenticate"), res.headers.get("Cache-Control")]).toEqual([
        authorization,
        401,
        'Bearer realm="publishing"',
        "no-store",
      ]);
      const body = await res.text();
      expect(body).not.toContain(TOKEN);
      bodies.add(body);
    }
    expect(bodies.size).toBe(1);
    expect(await count("articles")).toBe(0);
  });

  it("takes any of several comma-separated tokens, so one can be rotated", async () => {
    const { request } = publishing({ PUBLISH_TOKEN: `old-token, ${TOKEN}` });
    for (const token of ["old-token", TOKEN]) {
      const res = await request("/api/articles", { headers: { Authorization: `Bearer ${token}` } });
      expect([token, res.status]).toEqual([token, 200]);
      await res.arrayBuffer();
    }
  });
});

describe("PUT /api/articles/{id}", () => {
  it("publishes the seed: 201 with its JSON; the feeds and its page show it at once; the same body again changes nothing", async () => {
    const w = publishing();
    const before = await version();
    const res = await w.put(SEED_ID, SEED_TEXT);
    const json = (await res.json()) as Record<string, unknown>;
    expect([res.status, res.headers.get("Content-Type"), res.headers.get("Cache-Control")]).toEqual([201, "application/json; charset=utf-8", "no-store"]);
    expect(json).toEqual({
      id: SEED_ID,
      slug: SEED_SLUG,
      url: `${ORIGIN}/articles/${SEED_SLUG}`,
      published: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      updated: json.published,
      topics: ["politics", "diplomacy", "sanctions", "defense", "united-states", "turkey", "russia"],
      status: "added",
    });
    expect(await version()).toBeGreaterThan(before);
    for (const path of ["/rss.xml", "/atom.xml", "/feed.json", "/topics/turkey/rss.xml", `/articles/${SEED_SLUG}`, "/"]) {
      const page = await w.request(path);
      expect([path, page.status, (await page.text()).includes(SEED_HEADLINE)]).toEqual([path, 200, true]);
    }
    await w.settle();
    const versionAfter = await version();
    const again = await w.put(SEED_ID, SEED_TEXT);
    expect([again.status, await again.json()]).toEqual([200, { ...json, status: "unchanged" }]);
    expect(await version()).toBe(versionAfter);
    const got = await w.api(`/api/articles/${SEED_ID}`);
    expect(await got.json()).toEqual({ ...json, status: "published" });
  });

  it("an edit is 200 updated with a later `updated`, the first PUT's date kept; Markdown is read as Markdown", async () => {
    const w = publishing();
    const first = (await (await w.put("story-1", "Storm hits coast\n\nThe storm hit the coast.")).json()) as { published: string; updated: string };
    await new Promise((r) => setTimeout(r, 1100));
    const res = await w.put("story-1", "# Storm hits coast\n\nThe storm hit the *coast* again.", "text/markdown");
    const edited = (await res.json()) as { published: string; updated: string; slug: string; status: string };
    expect([res.status, edited.status, edited.slug, edited.published]).toEqual([200, "updated", "storm-hits-coast", first.published]);
    expect(edited.updated > first.updated).toBe(true);
    const page = await (await w.request("/articles/storm-hits-coast")).text();
    expect(page).toContain("<em>coast</em> again");
  });

  it.each([
    ["empty", "", "file is empty"],
    ["binary", "Head\0line\n\nText.", "binary data, not text (NUL byte at offset 4)"],
    ["not UTF-8", new Uint8Array([0x43, 0x61, 0x66, 0xe9]), "not valid UTF-8 (bad byte 0xe9 at offset 3)"],
    ["no headline", "---\ntitle: \n---\n\n\n", "no headline (the first non-empty line, or front matter title)"],
    ["bad front matter", "---\ntitle: [\n---\nText.", /^front matter is not valid YAML: /],
    ["bad date", "---\ndate: 31/12/2020\n---\nH\n\nT.", 'front matter date "31/12/2020" is not a date (use e.g. 2020-12-30 or 2020-12-30T14:05:00Z)'],
    ["id mismatch", "---\nid: another\n---\nH\n\nT.", 'front matter id "another" is not the article\'s id "story-2"'],
  ] as const)("%s: 422 with the build's reason, the database unchanged", async (_, body, reason) => {
    const w = publishing();
    const before = [await version(), await count("articles"), await count("scheduled")];
    const res = await w.put("story-2", body);
    const json = (await res.json()) as { error: string };
    expect(res.status).toBe(422);
    if (typeof reason === "string") expect(json.error).toBe(reason);
    else expect(json.error).toMatch(reason);
    expect([await version(), await count("articles"), await count("scheduled")]).toEqual(before);
  });

  it("415 for other content types; 413 for a body over 1 MiB; 405 with Allow for methods it does not take", async () => {
    const w = publishing();
    const wrongType = await w.put("x", "Head\n\nText.", "application/json");
    expect([wrongType.status, (await wrongType.json()) as unknown]).toEqual([
      415,
      { error: "Send the article as text/plain (wire copy) or text/markdown, UTF-8." },
    ]);
    const big = await w.put("x", `Head\n\n${"word ".repeat(220_000)}`);
    expect([big.status, await big.json()]).toEqual([413, { error: "An article may be at most 1 MiB." }]);
    for (const [path, method, allow] of [
      ["/api/articles/x", "POST", "GET, HEAD, PUT, DELETE"],
      ["/api/articles/x", "PATCH", "GET, HEAD, PUT, DELETE"],
      ["/api/articles", "PUT", "GET, HEAD"],
      ["/api/articles", "DELETE", "GET, HEAD"],
    ] as const) {
      const res = await w.api(path, { method });
      expect([path, method, res.status, res.headers.get("Allow")]).toEqual([path, method, 405, allow]);
      await res.arrayBuffer();
    }
    expect(await count("articles")).toBe(0);
  });

  it("concurrent publishes all land, none lost or duplicated, slugs unique", { timeout: 60_000 }, async () => {
    const w = publishing();
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const results = await Promise.all(
      ids.map((id, i) => w.put(id, story(i < 4 ? "Same headline everywhere" : `Headline ${i}`, `Text ${i} about Turkey and sanctions on Turkey.`))),
    );
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 201));
    const slugs = (await Promise.all(results.map(async (r) => ((await r.json()) as { slug: string }).slug))).sort();
    expect(new Set(slugs).size).toBe(12);
    expect(slugs.filter((s) => s.startsWith("same-headline-everywhere"))).toHaveLength(4);
    expect([await count("articles"), await env.DB.prepare("SELECT value FROM meta WHERE key = 'article_count'").first("value")]).toEqual([12, "12"]);
    const feed = JSON.parse(await (await w.request("/feed.json")).text()) as { items: { id: string }[] };
    expect(feed.items).toHaveLength(12);
    const topic = await env.DB.prepare("SELECT article_count FROM topics WHERE slug = 'turkey'").first("article_count");
    expect(topic).toBe(12);
    await w.settle();
  });

  it("is never stored as a response, and no log line carries the token", async () => {
    const lines: string[] = [];
    for (const level of ["log", "warn", "error", "info", "debug"] as const)
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    try {
      const w = publishing();
      await (await w.put(SEED_ID, SEED_TEXT)).arrayBuffer();
      await (await w.api(`/api/articles/${SEED_ID}`)).arrayBuffer();
      await (await w.request(`/api/articles/${SEED_ID}`, { headers: { Authorization: "Bearer wrong" } })).arrayBuffer();
      await w.settle();
      expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM responses WHERE path LIKE '/api%'").first("n")).toBe(0);
      expect(lines.join("\n")).not.toContain(TOKEN);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe("DELETE and GET", () => {
  it("a deleted article leaves every feed and listing, and its page answers 410 Gone; publishing it again brings it back", async () => {
    const w = publishing();
    await (await w.put(SEED_ID, SEED_TEXT)).arrayBuffer();
    await (await w.put("other", story("Oil prices rise", "Oil rose."))).arrayBuffer();
    await w.settle();
    const res = await w.api(`/api/articles/${SEED_ID}`, { method: "DELETE" });
    expect([res.status, await res.json()]).toEqual([200, { id: SEED_ID, status: "deleted" }]);
    const page = await w.request(`/articles/${SEED_SLUG}`);
    expect([page.status, (await page.text()).includes("Article removed"), page.headers.get("ETag")]).toEqual([410, true, null]);
    for (const path of ["/rss.xml", "/topics/turkey/feed.json", "/"]) expect((await (await w.request(path)).text()).includes(SEED_HEADLINE)).toBe(false);
    expect((await w.api(`/api/articles/${SEED_ID}`)).status).toBe(404);
    const missing = await w.api(`/api/articles/${SEED_ID}`, { method: "DELETE" });
    expect([missing.status, await missing.json()]).toEqual([404, { error: "No article has this id." }]);
    await (await w.put(SEED_ID, SEED_TEXT)).arrayBuffer();
    expect((await w.request(`/articles/${SEED_SLUG}`)).status).toBe(200);
  });

  it("GET /api/articles lists ids and updated dates, paged, scheduled ones included", async () => {
    const w = publishing();
    for (let i = 0; i < 3; i++) await (await w.put(`id-${i}`, story(`Story ${i}`, "Text."))).arrayBuffer();
    await (await w.put("id-9", dated("2099-01-01", "Later story", "Text."))).arrayBuffer();
    const list = (await (await w.api("/api/articles")).json()) as { articles: { id: string; status: string; updated: string }[]; next: string | null };
    expect(list.articles.map((a) => [a.id, a.status])).toEqual([
      ["id-0", "published"],
      ["id-1", "published"],
      ["id-2", "published"],
      ["id-9", "scheduled"],
    ]);
    expect(list.next).toBeNull();
    const after = (await (await w.api("/api/articles?after=id-1")).json()) as { articles: { id: string }[] };
    expect(after.articles.map((a) => a.id)).toEqual(["id-2", "id-9"]);
  });
});

describe("scheduled articles", () => {
  it("a future date is accepted (202, scheduled), invisible until its time, then released by the cron without another publish", async () => {
    const w = publishing();
    await (await w.put(SEED_ID, SEED_TEXT)).arrayBuffer();
    const at = Date.now() + 60_000;
    const when = new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
    const res = await w.put("later", dated(when, "Storm expected tomorrow", "Forecasters warn of a storm in Turkey."));
    expect([res.status, await res.json()]).toEqual([
      202,
      { id: "later", slug: null, url: null, published: when, updated: when, topics: [], status: "scheduled" },
    ]);
    const again = await w.put("later", dated(when, "Storm expected tomorrow", "Forecasters warn of a storm in Turkey."));
    expect(again.status).toBe(202);
    await again.arrayBuffer();
    const hidden = async () => {
      const texts = await Promise.all(["/rss.xml", "/", "/topics", "/topics/turkey/atom.xml"].map(async (p) => (await w.request(p)).text()));
      return !texts.some((t) => t.includes("Storm expected tomorrow")) && (await w.request("/articles/storm-expected-tomorrow")).status === 404;
    };
    expect(await hidden()).toBe(true);
    expect(await env.DB.prepare("SELECT value FROM meta WHERE key = 'article_count'").first("value")).toBe("1");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await w.cron(at - 1000);
    expect(await hidden()).toBe(true);
    expect(log).not.toHaveBeenCalled();
    await w.cron(at);
    await w.settle();
    expect(log.mock.calls).toEqual([["cron: released 1 scheduled article(s): later"]]);
    log.mockRestore();
    expect(await hidden()).toBe(false);
    const page = await w.request("/articles/storm-expected-tomorrow");
    expect(page.status).toBe(200);
    expect(await count("scheduled")).toBe(0);
    expect(await env.DB.prepare("SELECT value FROM meta WHERE key = 'next_release'").first("value")).toBe("");
  });
});

describe("scheduled articles without SITE_URL", () => {
  it("the cron renders the release for the origin the article was scheduled through, and tells the hub its feeds", async () => {
    const w = publishing({ SITE_URL: "", WEBSUB_HUB: HUB, CONTENT_TTL: "1" });
    const at = Date.now() + 60_000;
    const when = new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
    const res = await w.put("later", dated(when, "Storm expected tomorrow", "Forecasters warn of a storm in Turkey."));
    expect(res.status).toBe(202);
    await res.arrayBuffer();
    expect(await env.DB.prepare("SELECT value FROM meta WHERE key = 'origin'").first("value")).toBe(ORIGIN);
    vi.spyOn(console, "log").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await w.cron(at);
      await w.settle();
      // The notice is due once every isolate serves the release (CONTENT_TTL after it): the next minute's cron sends it.
      expect(w.hubCalls).toHaveLength(0);
      await w.cron(at + 60_000);
      expect(errors).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
    // Rendered ahead: the article's page is stored, with its links on the origin it was published through.
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM responses WHERE scope = 'article:storm-expected-tomorrow'").first<{ n: number }>();
    expect(stored!.n).toBeGreaterThan(0);
    expect(await (await w.request("/articles/storm-expected-tomorrow")).text()).toContain(
      `<link rel="canonical" href="${ORIGIN}/articles/storm-expected-tomorrow"/>`,
    );
    expect(w.hubCalls).toHaveLength(1);
    expect(new URLSearchParams(w.hubCalls[0]!.body).getAll("hub.url").sort()).toEqual(
      ["", "/topics/weather"].flatMap((s) => [`${ORIGIN}${s}/rss.xml`, `${ORIGIN}${s}/atom.xml`, `${ORIGIN}${s}/feed.json`]).sort(),
    );
  });
});

describe("the API and npm run import agree", () => {
  it("the same folder imported or PUT file by file gives the same rows and byte-identical feeds", async () => {
    const files = [
      seedFile(),
      file("001_0000000000000b01.txt", dated("2021-01-02T10:00:00Z", "Oil prices rise in Brazil", "Oil prices rose in Brazil on Monday, officials said.")),
      file("002_0000000000000b02.md", dated("2021-01-03T10:00:00Z", "Storm hits coast", "A *storm* hit the coast of Japan.\n\n[AP]")),
      file("003_0000000000000b03.txt", `---\ndate: 2021-01-04T10:00:00Z\ntopics: [Weather, Coastal life]\n---\n${story("Storm hits coast", "Another storm.")}`),
    ];
    // The seed has no date in front matter: both take the time it was first published (here, the fixture's commit date).
    const seedDate = new Date(files[0]!.added!).toISOString().replace(/\.\d{3}Z$/, "Z");
    const withDate = [file(files[0]!.path, `---\ndate: ${seedDate}\n---\n${SEED_TEXT}`), ...files.slice(1)];
    const { content } = await compile(withDate);
    await applyPlan(env.DB, await planImport(content, await readExisting(env.DB), { deleteMissing: false, definitions: shippedTopics() }));
    const snapshot = async () => {
      const rows = await env.DB.prepare(
        "SELECT id, guid, slug, title, summary, html, source, author, language, published, updated, topics, content_hash FROM articles ORDER BY id",
      ).all();
      const topics = await env.DB.prepare("SELECT slug, name, position, article_count FROM topics ORDER BY position").all();
      const w = publishing();
      const feeds = await Promise.all(
        ["/rss.xml", "/atom.xml", "/feed.json", "/topics/weather/rss.xml", "/topics/coastal-life/atom.xml"].map(async (p) => (await w.request(p)).text()),
      );
      await w.settle(); // its stored renderings, written before the database is reset below
      return { rows: rows.results, topics: topics.results, feeds };
    };
    const imported = await snapshot();

    await freshDatabase();
    const w = publishing();
    for (const f of withDate) {
      const id = f.path.replace(/^\d+_|\.(txt|md)$/g, "");
      const res = await w.put(id, f.bytes, f.path.endsWith(".md") ? "text/markdown" : "text/plain");
      expect([f.path, res.status]).toEqual([f.path, 201]);
      await res.arrayBuffer();
    }
    expect(await snapshot()).toEqual(imported);
  });
});

describe("WebSub", () => {
  it("feeds name the hub: atom:link and link rel=hub, JSON Feed hubs, and Link headers with the self URL", async () => {
    const w = publishing({ WEBSUB_HUB: HUB });
    await (await w.put(SEED_ID, SEED_TEXT)).arrayBuffer();
    const rss = await w.request("/rss.xml");
    expect(await rss.text()).toContain(`<atom:link rel="hub" href="${HUB}"/>`);
    // The site's own hub first (test/worker/hub.test.ts), then the hubs of WEBSUB_HUB.
    expect(rss.headers.get("Link")).toBe(`<${ORIGIN}/websub>; rel="hub", <${HUB}>; rel="hub", <${ORIGIN}/rss.xml>; rel="self"`);
    const atom = await w.request("/topics/turkey/atom.xml");
    expect(await atom.text()).toContain(`<link rel="hub" href="${HUB}"/>`);
    expect(atom.headers.get("Link")).toBe(`<${ORIGIN}/websub>; rel="hub", <${HUB}>; rel="hub", <${ORIGIN}/topics/turkey/atom.xml>; rel="self"`);
    const json = (await (await w.request("/feed.json")).json()) as { hubs: unknown };
    expect(json.hubs).toEqual([
      { type: "WebSub", url: `${ORIGIN}/websub` },
      { type: "WebSub", url: HUB },
    ]);
  });

  it("after a publish the hub is told each changed feed, once, after the content is served everywhere", async () => {
    const w = publishing({ WEBSUB_HUB: HUB });
    await (await w.put(SEED_ID, SEED_TEXT)).arrayBuffer();
    expect(w.hubCalls).toEqual([]);
    await w.settle();
    expect(w.hubCalls).toHaveLength(1);
    const form = new URLSearchParams(w.hubCalls[0]!.body);
    expect(w.hubCalls[0]!.url).toBe(HUB);
    expect(form.get("hub.mode")).toBe("publish");
    const topics = ["politics", "diplomacy", "sanctions", "defense", "united-states", "turkey", "russia"];
    expect(form.getAll("hub.url").sort()).toEqual(
      // The seed has no byline: its source's (AP) feeds, and no author's.
      ["", ...topics.map((t) => `/topics/${t}`), "/sources/ap"]
        .flatMap((s) => [`${ORIGIN}${s}/rss.xml`, `${ORIGIN}${s}/atom.xml`, `${ORIGIN}${s}/feed.json`])
        .sort(),
    );
    await (await w.put(SEED_ID, SEED_TEXT)).arrayBuffer();
    await w.settle();
    await w.cron(Date.now());
    expect(w.hubCalls).toHaveLength(1);
  });

  it("a hub that fails is retried with backoff by the cron and given up after five attempts, never failing the publish", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void errors.push(String(line)));
    try {
      const w = publishing({ WEBSUB_HUB: HUB }, () => new Response("busy", { status: 503 }));
      const res = await w.put(SEED_ID, SEED_TEXT);
      expect(res.status).toBe(201);
      await res.arrayBuffer();
      await w.settle();
      expect(w.hubCalls).toHaveLength(1);
      const notice = async () => env.DB.prepare("SELECT due, attempts FROM websub_pending").first<{ due: number; attempts: number }>();
      let previous = (await notice())!;
      for (const [attempt, minutes] of [
        [2, 2],
        [3, 4],
        [4, 8],
      ] as const) {
        expect(previous.attempts).toBe(attempt - 1);
        // Not before it is due, then at once.
        await w.cron(previous.due - 1000);
        expect(w.hubCalls).toHaveLength(attempt - 1);
        await w.cron(previous.due);
        expect(w.hubCalls).toHaveLength(attempt);
        const next = (await notice())!;
        expect(next.due - previous.due).toBe(minutes * 60_000);
        previous = next;
      }
      await w.cron(previous.due);
      expect(w.hubCalls).toHaveLength(5);
      expect(await count("websub_pending")).toBe(0);
      expect(errors.at(-1)).toBe(`websub: gave up notifying ${HUB} of 27 feed(s) after 5 attempts: answered 503`);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

/** Every row of every table, in a fixed order: what "the database is unchanged" compares. */
async function dump(): Promise<string> {
  const tables = (
    await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name").all<{
      name: string;
    }>()
  ).results;
  const rows: unknown[] = [];
  const json = (v: unknown) => JSON.stringify(v, (_, x) => (x instanceof ArrayBuffer ? [...new Uint8Array(x)] : x));
  for (const { name } of tables) rows.push(name, (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results.map(json).sort());
  return JSON.stringify(rows);
}

/** The answer to a refused PUT, with the database as it was before it. */
async function refused(put: () => Response | Promise<Response>): Promise<[number, string]> {
  const before = await dump();
  const res = await put();
  const { error } = (await res.json()) as { error: string };
  expect(await dump()).toBe(before);
  return [res.status, error];
}

const ID_RULE_TEXT =
  "an id is 1 to 200 characters: letters, digits and - _ . ~ :, or an absolute https:, http:, urn: or tag: URI (no spaces or control characters)";

describe("refusals: a 4xx with one line of reason, the database unchanged", () => {
  it("ids outside the one rule are refused with 422 stating it, before anything is read", async () => {
    const { put } = publishing();
    for (const id of [
      "a\u0000b",
      "a\r\nb",
      "<script>alert(1)</script>",
      "../../etc/passwd",
      "x".repeat(20_000),
      "javascript:alert(1)",
      "javascript:alert",
      "a b",
    ]) {
      const [status, error] = await refused(() => put(id, SEED_TEXT));
      expect([id.slice(0, 30), status, error.replace(/ \(this one has \d+\)| \(not \w+:\)/, "")]).toEqual([
        id.slice(0, 30),
        422,
        `The id in the URL is refused: ${ID_RULE_TEXT}.`,
      ]);
    }
    // The same rule for an id set in front matter, as the build applies it.
    const [status, error] = await refused(() => put("ok-id", `---\nid: "javascript:alert(1)"\n---\n${SEED_TEXT}`));
    expect([status, error]).toEqual([422, `front matter id: ${ID_RULE_TEXT} (not javascript:)`]);
    // What the rule takes: letters of any script, and URIs of the four schemes.
    for (const id of ["Ünïcode-id_1.2~3", "urn:isbn:0451450523", "tag:example.org,2026:story-1", "https://example.org/stories/1?x=y#z"]) {
      expect([id, (await put(id, story(`Story ${id}`, "Text."))).status]).toEqual([id, 201]);
    }
  });

  it("409 naming the article that holds the slug or the feed id; the database unchanged", async () => {
    const { put } = publishing();
    expect((await put(SEED_ID, SEED_TEXT)).status).toBe(201);
    const [status, error] = await refused(() => put("other", `---\nslug: ${SEED_SLUG}\n---\n${story("Other", "Text.")}`));
    expect([status, error]).toEqual([409, `front matter slug "${SEED_SLUG}" is the slug of article "${SEED_ID}".`]);
    // Scheduled too: the release would fail every minute otherwise.
    const [later, laterError] = await refused(() => put("later", `---\ndate: 2099-01-01T00:00:00Z\nslug: ${SEED_SLUG}\n---\n${story("Later", "Text.")}`));
    expect([later, laterError]).toEqual([409, `front matter slug "${SEED_SLUG}" is the slug of article "${SEED_ID}".`]);

    expect((await put("https://example.org/a", story("A", "Text."))).status).toBe(201);
    const [sameGuid, guidError] = await refused(() => put("https://EXAMPLE.org/a", story("B", "Text.")));
    expect([sameGuid, guidError]).toEqual([
      409,
      'the id "https://EXAMPLE.org/a" gives the feed id "https://example.org/a", which article "https://example.org/a" already has.',
    ]);
  });

  it("front matter past a limit, alias bombs and deep nesting are 422 naming the limit, never 500", async () => {
    const { put } = publishing();
    const keys = `---\n${Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join("\n")}\n---\n${story("H", "T.")}`;
    const fewerKeys = `---\n${Array.from({ length: 150 }, (_, i) => `k${i}: 1`).join("\n")}\n---\n${story("H", "T.")}`;
    const bomb = `---\na: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n---\n${story("H", "T.")}`;
    const aliases = `---\na: &a x\nb: [${Array(200).fill("*a").join(", ")}]\n---\n${story("H", "T.")}`;
    const nested = `---\ntitle: ${"[".repeat(12)}x${"]".repeat(12)}\n---\n${story("H", "T.")}`;
    const quotes = `${"> ".repeat(5000)}deep\n\nText.`;
    const lists = `Head\n\n${Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}- item`).join("\n")}`;
    const markup = `Head\n\n${"_a".repeat(24_000)}\n${"- b\n".repeat(1_000)}`;
    const justUnder = `Head\n\n${"_a".repeat(24_000)}\n${"- b\n".repeat(990)}`;
    const cases: [string, string, string][] = [
      [keys, "text/plain", "front matter is larger than 64 KiB"],
      [fewerKeys, "text/plain", "front matter has more than 100 keys"],
      [bomb, "text/plain", "front matter expands YAML aliases past 20 (front matter has no use for them)"],
      [aliases, "text/plain", "front matter expands YAML aliases past 20 (front matter has no use for them)"],
      [nested, "text/plain", "front matter nests deeper than 8 levels (its values are text and one list of topics)"],
      [quotes, "text/markdown", "Markdown nests block quotes deeper than 16 levels"],
      [lists, "text/markdown", "Markdown nests lists deeper than 16 levels (a list item indented 32 columns)"],
      [markup, "text/markdown", "Markdown has more than 25,000 lines and markup characters (* _ [ ] < > ` ~ \\ & ! |) together (25,004): split the article"],
    ];
    for (const [body, type, reason] of cases) {
      expect([reason, ...(await refused(() => put("x1", body, `${type}; charset=utf-8`)))]).toEqual([reason, 422, reason]);
    }
    // One line fewer than the limit (24,000 marks, 994 lines: 24,994) is published.
    expect((await put("x1", justUnder, "text/markdown; charset=utf-8")).status).toBe(201);
  });

  it("random and mutated bodies and ids: every answer is 200, 201, 202, 409, 413, 415 or 422, and a refusal changes nothing", { timeout: 60_000 }, async () => {
    const { put } = publishing();
    expect((await put(SEED_ID, SEED_TEXT)).status).toBe(201);
    const hostile = fc.constantFrom(" ", "\t", "\n", "[", "]", "#", "*", "_", "@", "<", "`", ">", "---\n", ":", "&", "\u0000", "\u202e", "é");
    const body = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.array(hostile, { maxLength: 200 }).map((parts) => parts.join("")),
      fc
        .tuple(fc.nat({ max: SEED_TEXT.length }), fc.array(hostile, { maxLength: 40 }))
        .map(([at, parts]) => SEED_TEXT.slice(0, at) + parts.join("") + SEED_TEXT.slice(at)),
      fc.constantFrom(`---\nslug: ${SEED_SLUG}\n---\nH\n\nT.`, "---\ndate: someday\n---\nH\n\nT.", "---\n---\n", ""),
    );
    const id = fc.oneof(fc.constantFrom("x1", "x2", SEED_ID, "https://EXAMPLE.org/a"), fc.string({ unit: "binary", minLength: 1, maxLength: 20 }));
    const type = fc.constantFrom("text/plain; charset=utf-8", "text/markdown; charset=utf-8", "text/html");
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(id, body, type, async (id, body, type) => {
        const before = await dump();
        const res = await put(id, body, type);
        await res.arrayBuffer();
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect([200, 201, 202, 409, 413, 415, 422]).toContain(res.status);
        if (res.status >= 400) expect(await dump()).toBe(before);
      }),
      { numRuns: 150 },
    );
    // The generators reach both the writes and the refusals.
    expect([...seen.keys()].filter((s) => s < 300).length).toBeGreaterThan(0);
    expect([...seen.keys()].filter((s) => s >= 400).length).toBeGreaterThan(1);
  });
});

describe("requests with any Host, SITE_URL unset", () => {
  it("render for their origin but store nothing; the origin the site was published for stores what it renders", async () => {
    const { app, put, settle } = publishing({ SITE_URL: "" });
    const res = await put(SEED_ID, SEED_TEXT);
    expect(((await res.json()) as { url: string }).url).toBe(`${ORIGIN}/articles/${SEED_SLUG}`);
    await settle();
    const workerEnv = { SITE_URL: "", STORAGE: "d1", DB: env.DB, CONTENT_TTL: "0" } as never;
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const stored = () => count("responses");
    const before = await stored();
    for (const origin of ["https://attacker.example", "http://10.0.0.1:8080", "https://news.example.org.evil"]) {
      for (const path of ["/rss.xml", "/topics/turkey/atom.xml", "/", `/articles/${SEED_SLUG}`, "/opml.xml"]) {
        const page = await app.request(`${origin}${path}`, {}, workerEnv, ctx);
        expect([origin, path, page.status]).toEqual([origin, path, 200]);
        expect(await page.text()).toContain(origin);
      }
    }
    await Promise.all(pending.splice(0));
    expect(await stored()).toBe(before);
    // The home origin's first request for a page nothing stored yet is stored for the next isolate.
    const home = await app.request(`${ORIGIN}/topics/turkey/feed.json?before=${SEED_SLUG}`, {}, workerEnv, ctx);
    expect(home.status).toBe(200);
    await Promise.all(pending.splice(0));
    expect(await stored()).toBeGreaterThan(before);
  });
});
