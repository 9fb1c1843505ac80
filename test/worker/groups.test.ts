/**
 * Author and source feeds and pages (src/content/groups.ts): at the same places as a
 * topic's, from the bundle and from D1, kept by the publishing API and the import.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { parse } from "parse5";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { buildPaths } from "../../src/ahead/build";
import { collectGroups, groupSlug } from "../../src/content/groups";
import { packContent } from "../../src/storage/bundle/content-pack";
import { parseFeedPath, scopeKey } from "../../src/urls";
import { freshDatabase, importPlanned } from "./d1-fixtures";
import { compile, content, file, story, worker } from "./fixtures";
import { walkFeed } from "./paging";
import { ORIGIN, publishing } from "./publishing";

const ANA_1 = file(
  "a1.txt",
  `---\nauthor: Ana Lima\nsource: Reuters\ndate: 2021-01-01T10:00:00Z\n---\n${story("Storm reaches the coast", "The storm reached the coast.")}`,
);
const ANA_2 = file("a2.txt", `---\nauthor: ANA LIMA\ndate: 2021-01-02T10:00:00Z\n---\n${story("Storm leaves the coast", "The storm left the coast. [AP]")}`);
const NOBODY = file("n1.txt", `---\ndate: 2021-01-03T10:00:00Z\n---\n${story("Markets open higher", "Markets opened higher.")}`);
const CHINESE = file("c1.txt", `---\nauthor: 李明\ndate: 2021-01-04T10:00:00Z\n---\n${story("Harbour reopens", "The harbour reopened.")}`);

async function site(vars = {}) {
  return worker(await content([ANA_1, ANA_2, NOBODY, CHINESE]), { SITE_URL: ORIGIN, ...vars });
}

const titles = (xml: string) => [...xml.matchAll(/<item>\s*<title>([^<]*)<\/title>/g)].map((m) => m[1]!);

describe("author and source feeds, bundled", () => {
  it("an author's feed lists exactly the articles bylined so, however the byline is cased, in the three formats", async () => {
    const fetch = await site();
    const rss = await fetch("/authors/ana-lima/rss.xml");
    expect(rss.status).toBe(200);
    expect(rss.headers.get("Content-Type")).toBe("application/rss+xml; charset=utf-8");
    const body = await rss.text();
    expect(body).toContain("<title>Edge News: ANA LIMA</title>");
    expect(body).toContain("<description>The latest articles by ANA LIMA on Edge News.</description>");
    expect(body).toContain(`<atom:link href="${ORIGIN}/authors/ana-lima/rss.xml" rel="self" type="application/rss+xml"/>`);
    expect(body).toContain(`<link>${ORIGIN}/authors/ana-lima</link>`);
    expect(titles(body)).toEqual(["Storm leaves the coast", "Storm reaches the coast"]);

    const atom = await (await fetch("/authors/ana-lima/atom.xml")).text();
    expect([...atom.matchAll(/<entry>\s*<title type="html"><!\[CDATA\[([^\]]*)\]\]><\/title>/g)].map((m) => m[1])).toEqual([
      "Storm leaves the coast",
      "Storm reaches the coast",
    ]);
    const json = (await (await fetch("/authors/ana-lima/feed.json")).json()) as {
      title: string;
      home_page_url: string;
      feed_url: string;
      items: { title: string }[];
    };
    expect([json.title, json.home_page_url, json.feed_url, json.items.map((i) => i.title)]).toEqual([
      "Edge News: ANA LIMA",
      `${ORIGIN}/authors/ana-lima`,
      `${ORIGIN}/authors/ana-lima/feed.json`,
      ["Storm leaves the coast", "Storm reaches the coast"],
    ]);
  });

  it("a source's feed takes front matter `source` and the agency tag alike; an article without a byline is in no author's feed", async () => {
    const fetch = await site();
    const reuters = await (await fetch("/sources/reuters/rss.xml")).text();
    expect(reuters).toContain("<description>The latest articles from Reuters on Edge News.</description>");
    expect(titles(reuters)).toEqual(["Storm reaches the coast"]);
    expect(titles(await (await fetch("/sources/ap/rss.xml")).text())).toEqual(["Storm leaves the coast"]);
    const c = await content([ANA_1, ANA_2, NOBODY, CHINESE]);
    const { authors, sources } = collectGroups(c.articles);
    expect(authors.map((a) => [a.slug, a.name, a.count])).toEqual([
      ["ana-lima", "ANA LIMA", 2],
      [groupSlug("author", "李明"), "李明", 1],
    ]);
    expect(sources.map((s) => [s.slug, s.count])).toEqual([
      ["ap", 1],
      ["reuters", 1],
    ]);
    // Every author's feed together: each bylined article once, the unbylined one in none.
    const listed: string[] = [];
    for (const a of authors) listed.push(...titles(await (await fetch(`/authors/${a.slug}/rss.xml`)).text()));
    expect(listed.sort()).toEqual(["Harbour reopens", "Storm leaves the coast", "Storm reaches the coast"]);
  });

  it("a name with nothing Latin in it gets a stable slug from its hash; unknown authors and sources are 404", async () => {
    expect(groupSlug("author", "李明")).toMatch(/^author--[0-9a-f]{8}$/);
    expect(groupSlug("author", "李明")).toBe(groupSlug("author", "李明".normalize("NFD")));
    expect(groupSlug("author", "José Müller-Łukasz")).toBe("jose-muller-lukasz");
    // Two people never share a URL: what slugify drops, or a cut, is made up for by a hash of the name (case folded).
    const slugs = ["Ли Вэй (AP)", "Иван Петров (AP)", "张伟 2", "李娜 2", "Ελένη Παπαδοπούλου"].map((n) => groupSlug("author", n));
    expect(new Set(slugs).size).toBe(5);
    expect(slugs.map((s) => s.replace(/[0-9a-f]{8}$/, "HASH"))).toEqual(["ap--HASH", "ap--HASH", "2--HASH", "2--HASH", "author--HASH"]);
    // Latin letters, digits and symbols slugify cannot spell count as much as other scripts.
    for (const [a, b] of [
      ["Əli Həsənov", "Ɛli Hɛsɛnov"],
      ["Ɗanjuma", "Ɓanjuma"],
      ["Ƙano", "Ano"],
      ["Agent ٣", "Agent ٤"],
      ["C++ Weekly", "C# Weekly"],
      ["Canal+", "Canal"],
    ])
      expect([a, groupSlug("source", a!)]).not.toEqual([a, groupSlug("source", b!)]);
    expect(groupSlug("author", "Jean-Luc O'Neil, Jr.")).toBe("jean-luc-oneil-jr");
    expect(groupSlug("author", "ΕΛΈΝΗ ΠΑΠΑΔΟΠΟΎΛΟΥ")).toBe(groupSlug("author", "Ελένη Παπαδοπούλου"));
    const bureau = (desk: string) => groupSlug("source", `Staff of the Associated Press Washington Bureau and Contributors (${desk})`);
    expect(bureau("Politics")).not.toBe(bureau("Economy"));
    expect(bureau("Politics")).toMatch(/^staff-of-the-associated-press-washington-bureau-and--[0-9a-f]{8}$/);
    const fetch = await site();
    const res = await fetch(`/authors/${groupSlug("author", "李明")}/rss.xml`);
    expect(titles(await res.text())).toEqual(["Harbour reopens"]);
    for (const path of ["/authors/nobody/rss.xml", "/authors/nobody", "/sources/nobody/feed.json", "/sources/nobody", "/authors/ana-lima/other.xml"]) {
      const missing = await fetch(path);
      expect([path, missing.status]).toEqual([path, 404]);
      await missing.arrayBuffer();
    }
  });

  it("the page: heading, count, articles, its feeds offered for autodiscovery and listed; cached like a topic's", async () => {
    const fetch = await site();
    const res = await fetch("/authors/ana-lima");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=300, stale-while-revalidate=86400");
    const body = await res.text();
    expect(body).toContain("<title>ANA LIMA · Edge News</title>");
    expect(body).toContain('<link rel="canonical" href="https://news.example.org/authors/ana-lima"/>');
    expect(body).toContain('<meta name="description" content="The latest articles by ANA LIMA on Edge News."/>');
    expect(body).toContain('<h1>ANA LIMA</h1><p class="lede">2 articles by ANA LIMA, newest first.</p>');
    expect(body).toContain('<h2 id="subscribe">Subscribe to ANA LIMA</h2>');
    const links = [...body.matchAll(/<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)"\/>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(links.slice(3)).toEqual([
      ["application/rss+xml", "Edge News: ANA LIMA (RSS)", `${ORIGIN}/authors/ana-lima/rss.xml`],
      ["application/atom+xml", "Edge News: ANA LIMA (Atom)", `${ORIGIN}/authors/ana-lima/atom.xml`],
      ["application/feed+json", "Edge News: ANA LIMA (JSON Feed)", `${ORIGIN}/authors/ana-lima/feed.json`],
    ]);
    const source = await (await fetch("/sources/reuters")).text();
    expect(source).toContain('<h1>Reuters</h1><p class="lede">1 article from Reuters, newest first.</p>');
    // A 304 for the feed as for any other.
    const feed = await fetch("/sources/reuters/atom.xml");
    await feed.arrayBuffer();
    const again = await fetch("/sources/reuters/atom.xml", { headers: { "If-None-Match": feed.headers.get("ETag")! } });
    expect(again.status).toBe(304);
    const errors: string[] = [];
    parse(body, { onParseError: (e) => errors.push(e.code) });
    expect(errors).toEqual([]);
  });

  it("/authors and /sources list every byline with its count and feeds; the home page and each group's page link them", async () => {
    const fetch = await site();
    const res = await fetch("/authors");
    expect([res.status, res.headers.get("Content-Type")]).toEqual([200, "text/html; charset=utf-8"]);
    const body = await res.text();
    expect(body).toContain("<title>Authors · Edge News</title>");
    expect(body).toContain('<h1>Authors</h1><p class="lede">2 authors.');
    expect([...body.matchAll(/<h2><a href="([^"]+)"><bdi>([^<]+)<\/bdi><\/a><\/h2><p class="meta">([^<]+)<\/p>/g)].map((m) => [m[1], m[2], m[3]])).toEqual([
      ["/authors/ana-lima", "ANA LIMA", "2 articles"],
      [`/authors/${groupSlug("author", "李明")}`, "李明", "1 article"],
    ]);
    expect(body).toContain(`href="${ORIGIN}/authors/ana-lima/atom.xml"`);
    const sources = await (await fetch("/sources")).text();
    expect([...sources.matchAll(/<h2><a href="([^"]+)">/g)].map((m) => m[1])).toEqual(["/sources/ap", "/sources/reuters"]);
    const home = await (await fetch("/")).text();
    expect(home).toContain('<a href="/topics">Every topic, with its own feeds</a> · <a href="/authors">Every author</a> · <a href="/sources">Every source</a>');
    expect(await (await fetch("/authors/ana-lima")).text()).toContain('<a href="/authors">Every author, with its own feeds</a>');
  });

  it("pages back as a topic's feed does (RFC 5005), and the pages' sitemap lists the author and source pages", async () => {
    const fetch = await site({ FEED_ITEM_LIMIT: "1" });
    const walk = await walkFeed((path, init) => fetch(path, init), ORIGIN, "/authors/ana-lima/atom.xml");
    expect(walk.pages).toHaveLength(2);
    const bylined = (await content([ANA_1, ANA_2, NOBODY, CHINESE])).articles.filter((a) => a.author?.toLowerCase() === "ana lima");
    expect(walk.ids).toEqual(bylined.map((a) => a.guid));
    expect(bylined).toHaveLength(2);
    const sitemap = await (await fetch("/sitemap-pages.xml")).text();
    const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(locs.filter((l) => !l!.includes("/topics"))).toEqual([
      `${ORIGIN}/`,
      `${ORIGIN}/authors`,
      `${ORIGIN}/sources`,
      `${ORIGIN}/authors/ana-lima`,
      `${ORIGIN}/authors/${groupSlug("author", "李明")}`,
      `${ORIGIN}/sources/ap`,
      `${ORIGIN}/sources/reuters`,
    ]);
  });

  it("the build stores the feeds and pages of the 20 busiest authors and sources ahead; the others render on first request", async () => {
    // 25 authors of 1 to 3 articles each.
    const files = Array.from({ length: 25 }, (_, n) =>
      Array.from({ length: 1 + (n % 3) }, (_, i) =>
        file(
          `a${n}-${i}.txt`,
          `---\nauthor: Writer ${String(n).padStart(2, "0")}\ndate: 2021-01-01T${String(n % 24).padStart(2, "0")}:0${i}:00Z\n---\n${story(`Story ${n} ${i}`, "Text.")}`,
        ),
      ),
    ).flat();
    const c = await content(files);
    const paths = await buildPaths(packContent(c), {}, ORIGIN);
    const stored = paths.filter((p) => p.startsWith("/authors/") && p.endsWith("/rss.xml")).map((p) => p.split("/")[2]);
    // The busiest first (3 articles: n % 3 == 2, then 2), ties by slug.
    const expected = [...collectGroups(c.articles).authors].sort((a, b) => b.count - a.count || (a.slug < b.slug ? -1 : 1)).slice(0, 20);
    expect(stored.sort()).toEqual(expected.map((a) => a.slug).sort());
    expect(stored).toHaveLength(20);
    const fetch = worker(c, { SITE_URL: ORIGIN });
    const rest = collectGroups(c.articles).authors.find((a) => !stored.includes(a.slug))!;
    expect((await fetch(`/authors/${rest.slug}/rss.xml`)).status).toBe(200);
  });

  it("every feed path the site serves parses back to its scope, and only those", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("topic", "author", "source"),
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
        fc.constantFrom("rss.xml", "atom.xml", "feed.json"),
        (kind, slug, f) => {
          const base = { topic: "/topics", author: "/authors", source: "/sources" }[kind];
          const parsed = parseFeedPath(`${base}/${slug}/${f}`);
          expect(parsed === null ? null : scopeKey(parsed.scope)).toBe(`${kind}:${slug}`);
        },
      ),
    );
    for (const path of ["/authors/rss.xml", "/authors//rss.xml", "/writers/ana/rss.xml", "/authors/Ana/rss.xml", "/authors/ana/x/rss.xml"])
      expect([path, parseFeedPath(path)]).toEqual([path, null]);
  });
});

describe("author and source feeds, D1", () => {
  beforeEach(freshDatabase);

  it("the publishing API files an article by its author and source, moves it when the byline changes, and the old feed stays (empty)", async () => {
    const w = publishing();
    const byline = (author: string) => `---\nauthor: ${author}\nsource: Reuters\n---\n${story("Storm reaches the coast", "The storm reached the coast.")}`;
    expect((await w.put("s1", byline("Ana Lima"))).status).toBe(201);
    await w.settle();
    const feed = async (path: string) => {
      const res = await w.request(path);
      return [res.status, titles(await res.text())];
    };
    expect(await feed("/authors/ana-lima/rss.xml")).toEqual([200, ["Storm reaches the coast"]]);
    expect(await feed("/sources/reuters/rss.xml")).toEqual([200, ["Storm reaches the coast"]]);
    expect((await w.put("s1", byline("Bo Chen"))).status).toBe(200);
    await w.settle();
    expect(await feed("/authors/bo-chen/rss.xml")).toEqual([200, ["Storm reaches the coast"]]);
    // Its subscribers' URL keeps answering.
    expect(await feed("/authors/ana-lima/rss.xml")).toEqual([200, []]);
    const counts = await env.DB.prepare("SELECT kind, slug, name, article_count FROM bylines ORDER BY kind, slug").all();
    expect(counts.results).toEqual([
      { kind: "author", slug: "ana-lima", name: "Ana Lima", article_count: 0 },
      { kind: "author", slug: "bo-chen", name: "Bo Chen", article_count: 1 },
      { kind: "source", slug: "reuters", name: "Reuters", article_count: 1 },
    ]);
    // Named as the newest article names it, whichever was written last (the bundle's rule).
    const older = `---\nauthor: BO CHEN\ndate: 2020-01-01T00:00:00Z\n---\n${story("An older story", "Text.")}`;
    expect((await w.put("s0", older)).status).toBe(201);
    await w.settle();
    expect(await env.DB.prepare("SELECT name, article_count FROM bylines WHERE kind = 'author' AND slug = 'bo-chen'").first()).toEqual({
      name: "Bo Chen",
      article_count: 2,
    });
    expect((await w.api("/api/articles/s0", { method: "DELETE" })).status).toBe(200);
    await w.settle();
    // The page stored after the write links the byline.
    const page = await (await w.request("/articles/storm-reaches-the-coast")).text();
    expect(page).toContain('By <a href="/authors/bo-chen"><bdi>Bo Chen</bdi></a> · Source: <a href="/sources/reuters"><bdi>Reuters</bdi></a>');
    expect((await w.api("/api/articles/s1", { method: "DELETE" })).status).toBe(200);
    await w.settle();
    expect(await feed("/sources/reuters/rss.xml")).toEqual([200, []]);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM article_bylines").first("n")) as number).toBe(0);
  });

  it("a worker deployed before migration 0009 was applied serves on without author and source feeds, and says once what to run", async () => {
    await importPlanned((await compile([ANA_1, ANA_2, NOBODY])).content);
    await env.DB.batch([env.DB.prepare("DROP TABLE article_bylines"), env.DB.prepare("DROP TABLE bylines"), env.DB.prepare("DELETE FROM responses")]);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const w = publishing();
      const status = async (path: string) => {
        const res = await w.request(path);
        await res.arrayBuffer();
        return [path, res.status];
      };
      expect(await status("/rss.xml")).toEqual(["/rss.xml", 200]);
      expect(await status("/articles/storm-reaches-the-coast")).toEqual(["/articles/storm-reaches-the-coast", 200]);
      expect(await status("/authors/ana-lima/rss.xml")).toEqual(["/authors/ana-lima/rss.xml", 404]);
      expect(errors.mock.calls.map((c) => c[0])).toEqual([
        "D1: no table `bylines`: apply the migrations (npx wrangler d1 migrations apply DB --remote); until then there are no author and source feeds and publishing fails",
      ]);
    } finally {
      errors.mockRestore();
    }
  });

  it("an import files every article; after migration 0009 on a database with articles, the next import files those it did not change", async () => {
    const c = (await compile([ANA_1, ANA_2, NOBODY])).content;
    await importPlanned(c);
    const w = publishing();
    expect(titles(await (await w.request("/authors/ana-lima/rss.xml")).text())).toEqual(["Storm leaves the coast", "Storm reaches the coast"]);
    // As the migration leaves a database that held articles: nothing filed yet.
    await env.DB.batch([
      env.DB.prepare("DELETE FROM article_bylines"),
      env.DB.prepare("DELETE FROM bylines"),
      env.DB.prepare("UPDATE meta SET value = '0' WHERE key = 'bylines_filled'"),
      env.DB.prepare("DELETE FROM responses"),
      env.DB.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'"),
    ]);
    expect((await w.request("/authors/ana-lima/rss.xml")).status).toBe(404);
    // Until then the article page names its byline without a link to a page that is not there.
    expect(await (await w.request("/articles/storm-reaches-the-coast")).text()).toContain(" · By <bdi>Ana Lima</bdi> · Source: <bdi>Reuters</bdi>");
    const plan = await importPlanned(c);
    expect([plan.added, plan.updated, plan.staleScopes]).toEqual([[], [], "all"]);
    expect(titles(await (await publishing().request("/authors/ana-lima/rss.xml")).text())).toEqual(["Storm leaves the coast", "Storm reaches the coast"]);
    expect(await env.DB.prepare("SELECT value FROM meta WHERE key = 'bylines_filled'").first("value")).toBe("1");
    const counts = await env.DB.prepare("SELECT kind, slug, name, article_count FROM bylines ORDER BY kind, slug").all();
    expect(counts.results).toEqual([
      { kind: "author", slug: "ana-lima", name: "ANA LIMA", article_count: 2 },
      { kind: "source", slug: "ap", name: "AP", article_count: 1 },
      { kind: "source", slug: "reuters", name: "Reuters", article_count: 1 },
    ]);
    // And once filed, the same folder again changes nothing.
    const again = await importPlanned(c);
    expect(again.statements).toEqual([]);
  });
});
