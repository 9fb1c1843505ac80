/**
 * Responses rendered at build time (src/ahead/build.ts) and served from the bundle:
 * which paths are stored, that serving them renders nothing, and that they are served only
 * to the origin and settings they were made for.
 */
import { describe, expect, it } from "vitest";
import { generateArticle } from "../../scripts/lib/archive";
import { buildPaths, buildResponses } from "../../src/ahead/build";
import { aheadRenderer, createApp } from "../../src/app";
import type { Article, Content } from "../../src/content/types";
import { NOT_FOUND_KEY } from "../../src/serve/representations";
import { packContent } from "../../src/storage/bundle/content-pack";
import { PackedResponses } from "../../src/storage/bundle/response-pack";
import { compile, content, file, SEED_SLUG, seedFile } from "./fixtures";

const ORIGIN = "https://news.example.org";
const EMPTY = packContent({ articles: [], topics: [] });

async function built(c: Content, env: Record<string, string> = { SITE_URL: ORIGIN }) {
  const packed = packContent(c);
  const { bytes, count } = await buildResponses(packed, env, ORIGIN, aheadRenderer(packed));
  return { packed, responses: bytes, count };
}

describe("the responses the build stores", () => {
  it("are every feed's first page, the listings, OPML, the not-found page, the sitemaps, the assets, and every listed article", async () => {
    const c = (
      await compile(Array.from({ length: 300 }, (_, i) => file(generateArticle(i).name, generateArticle(i).text, { added: Date.UTC(2021, 0, 1) + i * 60_000 })))
    ).content;
    // Feeds of 10: the pages list more (20), so those decide which articles are listed.
    const paths = await buildPaths(packContent(c), { FEED_ITEM_LIMIT: "10" }, ORIGIN);
    const topics = c.topics.map((t) => t.slug);
    // The generated articles credit three agencies and no author.
    const sources = ["afp", "ap", "reuters"];
    expect([...new Set(c.articles.map((a) => a.source))].sort()).toEqual(["AFP", "AP", "Reuters"]);
    expect(c.articles.filter((a) => a.author !== null)).toEqual([]);
    const listed = new Set<string>();
    const scopes = [null, ...topics.map((t) => (a: Article) => a.topics.includes(t)), ...sources.map((s) => (a: Article) => a.source?.toLowerCase() === s)];
    for (const inScope of scopes) {
      for (const a of c.articles.filter((a) => inScope === null || inScope(a)).slice(0, 20)) listed.add(`/articles/${a.slug}`);
    }
    expect(paths.filter((p) => p.startsWith("/articles/")).sort()).toEqual([...listed].sort());
    expect(listed.size).toBeLessThan(c.articles.length);
    const others = paths.filter((p) => !p.startsWith("/articles/"));
    expect(others.filter((p) => p.startsWith("/assets/")).map((p) => p.replace(/\.[0-9a-f]{12}\./, ".HASH."))).toEqual([
      "/assets/style.HASH.css",
      "/assets/icon.HASH.svg",
    ]);
    expect(others.filter((p) => !p.startsWith("/assets/")).sort()).toEqual(
      [
        "/",
        "/topics",
        "/authors",
        "/sources",
        "/opml.xml",
        "/favicon.ico",
        NOT_FOUND_KEY,
        "/rss.xml",
        "/atom.xml",
        "/feed.json",
        // The search engines' documents: rendering a sitemap reads every article it lists.
        "/robots.txt",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-articles-1.xml",
        ...topics.flatMap((t) => [`/topics/${t}`, `/topics/${t}/rss.xml`, `/topics/${t}/atom.xml`, `/topics/${t}/feed.json`]),
        ...sources.flatMap((s) => [`/sources/${s}`, `/sources/${s}/rss.xml`, `/sources/${s}/atom.xml`, `/sources/${s}/feed.json`]),
      ].sort(),
    );
  });

  it("are served without rendering: from no articles at all, every stored path answers as the content's renderer does", async () => {
    const c = await content([seedFile()]);
    const { packed, responses, count } = await built(c);
    expect(count).toBe(new PackedResponses(responses).paths().length);
    const served = createApp({ content: EMPTY, responses });
    const rendered = createApp({ content: packed, responses: null });
    const env = { SITE_URL: ORIGIN };
    for (const path of [
      "/",
      "/rss.xml",
      "/atom.xml",
      "/feed.json",
      "/topics",
      "/topics/turkey",
      "/topics/turkey/rss.xml",
      `/articles/${SEED_SLUG}`,
      "/opml.xml",
      "/favicon.ico",
      "/missing",
    ]) {
      for (const init of [{}, { method: "HEAD" }, { headers: { "Accept-Encoding": "gzip" } }, { headers: { "Accept-Encoding": "br" } }]) {
        const a = await served.request(`${ORIGIN}${path}`, init, env);
        const b = await rendered.request(`${ORIGIN}${path}`, init, env);
        expect([path, a.status, [...a.headers], new Uint8Array(await a.arrayBuffer())]).toEqual([
          path,
          b.status,
          [...b.headers],
          new Uint8Array(await b.arrayBuffer()),
        ]);
      }
    }
  });

  it("answer conditional requests with 304 from the stored validators", async () => {
    const { responses } = await built(await content([seedFile()]));
    const served = createApp({ content: EMPTY, responses });
    const first = await served.request(`${ORIGIN}/rss.xml`, {}, { SITE_URL: ORIGIN });
    await first.text();
    const again = await served.request(`${ORIGIN}/rss.xml`, { headers: { "If-None-Match": first.headers.get("ETag")! } }, { SITE_URL: ORIGIN });
    expect([again.status, await again.text(), again.headers.get("ETag"), again.headers.get("Last-Modified")]).toEqual([
      304,
      "",
      first.headers.get("ETag"),
      first.headers.get("Last-Modified"),
    ]);
  });

  it("are not served to another origin, nor under other settings: those render", async () => {
    const c = await content([seedFile()]);
    const { packed, responses } = await built(c, {});
    const app = createApp({ content: packed, responses });
    const elsewhere = await (await app.request("https://other.example/rss.xml", {}, {})).text();
    expect(elsewhere).toContain('<atom:link href="https://other.example/rss.xml" rel="self"');
    const retitled = await (await app.request(`${ORIGIN}/feed.json`, {}, { SITE_TITLE: "Another title" })).json();
    expect((retitled as { title: string }).title).toBe("Another title");
    // From no articles, only a stored response can show the seed.
    const stored = createApp({ content: EMPTY, responses });
    expect(await (await stored.request(`${ORIGIN}/feed.json`, {}, {})).text()).toContain(SEED_SLUG);
    const missed = await stored.request(`${ORIGIN}/feed.json`, {}, { FEED_ITEM_LIMIT: "10" });
    expect(await missed.text()).not.toContain(SEED_SLUG);
  });
});

describe("error responses", () => {
  it("carry no validators: 404 (stored or rendered), 400, 405 and 500", async () => {
    const c = await content([seedFile()]);
    const { packed, responses } = await built(c);
    for (const app of [createApp({ content: packed, responses }), createApp({ content: packed, responses: null })]) {
      for (const [path, init, env, status] of [
        ["/no/such/page", {}, { SITE_URL: ORIGIN }, 404],
        ["/rss.xml?before=no-such-article", {}, { SITE_URL: ORIGIN }, 404],
        ["/rss.xml?before=Not%20A%20Slug", {}, { SITE_URL: ORIGIN }, 400],
        ["/rss.xml", { method: "POST" }, { SITE_URL: ORIGIN }, 405],
        ["/rss.xml", {}, { SITE_URL: ORIGIN, FEED_ITEM_LIMIT: "lots" }, 500],
      ] as const) {
        const res = await app.request(`${ORIGIN}${path}`, init, env);
        await res.arrayBuffer();
        expect([path, res.status, res.headers.get("ETag"), res.headers.get("Last-Modified")]).toEqual([path, status, null, null]);
        if (status === 404) {
          const conditional = await app.request(`${ORIGIN}${path}`, { headers: { "If-None-Match": "*" } }, env);
          expect([conditional.status, (await conditional.text()).includes("Page not found")]).toEqual([404, true]);
        }
      }
    }
  });
});
