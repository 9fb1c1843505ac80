/**
 * robots.txt and the sitemaps (sitemaps.org 0.9), in both modes: exact documents, the
 * feeds' caching (ETag, 304, Cache-Control), a new sitemap every 50,000 articles with the
 * older ones unchanged, and the D1 mode's sitemaps following its writes.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { newsLanguage } from "../../src/sitemaps/news";
import { articleSitemapNumber } from "../../src/sitemaps/sitemap";
import { freshDatabase, generated } from "./d1-fixtures";
import { bundle, compile, file, story, worker } from "./fixtures";
import { ORIGIN, publishing } from "./publishing";

const dated = (path: string, headline: string, date: string) => file(path, `---\ndate: ${date}\n---\n${story(headline, `${headline}, the text.`)}`);

async function site() {
  const { content } = await compile([
    dated("001_00000000000000a1.txt", "Oldest story", "2026-11-01T08:00:00Z"),
    dated("002_00000000000000a2.txt", "Newer story", "2026-11-02T09:30:00Z"),
  ]);
  return { content, get: worker(content, { SITE_URL: ORIGIN }) };
}

describe("robots.txt and the sitemaps (bundled)", () => {
  it("robots.txt lets every crawler read the site and its feeds, not the API, the reader counts or the hub, and names the sitemap", async () => {
    const { get } = await site();
    const res = await get(`${ORIGIN}/robots.txt`);
    expect([res.status, res.headers.get("Content-Type"), res.headers.get("Cache-Control")]).toEqual([
      200,
      "text/plain; charset=utf-8",
      "public, max-age=300, stale-while-revalidate=86400",
    ]);
    expect(await res.text()).toBe(
      [
        "User-agent: *",
        "Allow: /",
        "Disallow: /api/",
        "Disallow: /stats",
        "Disallow: /websub",
        "",
        `Sitemap: ${ORIGIN}/sitemap.xml`,
        `Sitemap: ${ORIGIN}/news-sitemap.xml`,
        "",
      ].join("\n"),
    );
  });

  it("the index names the pages' sitemap and the articles' sitemap; each lists its URLs with lastmod, articles oldest first", async () => {
    const { get } = await site();
    const index = await get(`${ORIGIN}/sitemap.xml`);
    expect([index.status, index.headers.get("Content-Type")]).toEqual([200, "application/xml; charset=utf-8"]);
    expect(await index.text()).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        "  <sitemap>",
        `    <loc>${ORIGIN}/sitemap-pages.xml</loc>`,
        "    <lastmod>2026-11-02T09:30:00Z</lastmod>",
        "  </sitemap>",
        "  <sitemap>",
        `    <loc>${ORIGIN}/sitemap-articles-1.xml</loc>`,
        "  </sitemap>",
        "</sitemapindex>",
        "",
      ].join("\n"),
    );
    const articles = await (await get(`${ORIGIN}/sitemap-articles-1.xml`)).text();
    expect(articles).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        "  <url>",
        `    <loc>${ORIGIN}/articles/oldest-story</loc>`,
        "    <lastmod>2026-11-01T08:00:00Z</lastmod>",
        "  </url>",
        "  <url>",
        `    <loc>${ORIGIN}/articles/newer-story</loc>`,
        "    <lastmod>2026-11-02T09:30:00Z</lastmod>",
        "  </url>",
        "</urlset>",
        "",
      ].join("\n"),
    );
    const pages = await (await get(`${ORIGIN}/sitemap-pages.xml`)).text();
    expect(pages).toContain(`<loc>${ORIGIN}/</loc>\n    <lastmod>2026-11-02T09:30:00Z</lastmod>`);
    expect(pages).toContain(`<loc>${ORIGIN}/topics</loc>`);
  });

  it("is cached as the feeds are: a strong ETag, 304 for it, br when asked; paths that name no sitemap are 404", async () => {
    const { content } = await compile(generated(30));
    const get = worker(content, { SITE_URL: ORIGIN });
    const path = `${ORIGIN}/sitemap-articles-1.xml`;
    const first = await get(path, { headers: { "Accept-Encoding": "br" } });
    expect([first.status, first.headers.get("Content-Encoding"), first.headers.get("Vary")]).toEqual([200, "br", "Accept-Encoding"]);
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await get(path, { headers: { "Accept-Encoding": "br", "If-None-Match": etag } });
    expect([again.status, await again.text()]).toEqual([304, ""]);
    for (const path of ["/sitemap-articles-2.xml", "/sitemap-articles-01.xml", "/sitemap-articles-0.xml", "/sitemap-other.xml"])
      expect([path, (await get(`${ORIGIN}${path}`)).status]).toEqual([path, 404]);
  });

  it("article sitemap paths: one number from 1, no leading zero, bounded", () => {
    expect(
      [
        "/sitemap-articles-1.xml",
        "/sitemap-articles-12.xml",
        "/sitemap-articles-0.xml",
        "/sitemap-articles-01.xml",
        "/sitemap-articles-1.xml.gz",
        "/sitemap-articles-99999999.xml",
      ].map(articleSitemapNumber),
    ).toEqual([1, 12, null, null, null, null]);
  });
});

describe("the news sitemap", () => {
  const NOW = Date.parse("2026-12-01T12:02:00Z");
  const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");

  it("lists the articles of the last 48 hours, newest first, with the publication, date and title; an article leaves at 48 hours without a publish", async () => {
    const { content } = await compile([
      dated("001_00000000000000b1.txt", "Three days old", hoursAgo(72)),
      dated("002_00000000000000b2.txt", "Nearly two days old", hoursAgo(47.75)),
      dated("003_00000000000000b3.txt", "An hour old & <fresh>", hoursAgo(1)),
    ]);
    const clock = { now: NOW };
    const app = createApp(bundle(content), { clock: () => clock.now });
    const env = { SITE_URL: ORIGIN, SITE_TITLE: "Edge News", SITE_LANGUAGE: "pt-BR" } as never;
    const get = async (headers: Record<string, string> = {}) => app.request(`${ORIGIN}/news-sitemap.xml`, { headers }, env);
    const res = await get();
    expect([res.status, res.headers.get("Content-Type"), res.headers.get("Cache-Control")]).toEqual([
      200,
      "application/xml; charset=utf-8",
      "public, max-age=300",
    ]);
    const entry = (slug: string, title: string, published: string) =>
      [
        "  <url>",
        `    <loc>${ORIGIN}/articles/${slug}</loc>`,
        "    <news:news>",
        "      <news:publication>",
        "        <news:name>Edge News</news:name>",
        "        <news:language>pt</news:language>",
        "      </news:publication>",
        `      <news:publication_date>${published}</news:publication_date>`,
        `      <news:title>${title}</news:title>`,
        "    </news:news>",
        "  </url>",
      ].join("\n");
    const head =
      '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">';
    expect(await res.text()).toBe(
      [
        head,
        entry("an-hour-old-fresh", "An hour old &amp; &lt;fresh&gt;", hoursAgo(1)),
        entry("nearly-two-days-old", "Nearly two days old", hoursAgo(47.75)),
        "</urlset>",
        "",
      ].join("\n"),
    );
    const etag = res.headers.get("ETag")!;
    expect((await get({ "If-None-Match": etag })).status).toBe(304);
    // Two five-minute slices before it turns two days old (a cache may keep a rendering one slice), it is left out, though nothing was published.
    clock.now += 8 * 60_000;
    const later = await get({ "If-None-Match": etag });
    expect(later.status).toBe(200);
    expect(await later.text()).toBe([head, entry("an-hour-old-fresh", "An hour old &amp; &lt;fresh&gt;", hoursAgo(1)), "</urlset>", ""].join("\n"));
  });

  it("with no story in two days there is none to list: 404 (a sitemap lists at least one URL)", async () => {
    const { content } = await compile([dated("001_00000000000000b1.txt", "Three days old", hoursAgo(72))]);
    const app = createApp(bundle(content), { clock: () => NOW });
    expect((await app.request(`${ORIGIN}/news-sitemap.xml`, {}, { SITE_URL: ORIGIN } as never)).status).toBe(404);
  });

  it("at most 1,000 articles, the newest (D1 mode)", async () => {
    await freshDatabase();
    await env.DB.batch([
      env.DB.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1001)
         INSERT INTO articles (id, guid, slug, title, summary, html, published, updated, topics, file, content_hash)
         SELECT printf('%016x', i), 'urn:x:' || i, 'story-' || i, 'Story ' || i, '', '<p>x</p>',
                strftime('%Y-%m-%dT%H:%M:%SZ', ?1 + i, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%SZ', ?1 + i, 'unixepoch'), '[]', 'f' || i, 'h'
         FROM n`,
      ).bind(Math.floor(Date.now() / 1000) - 7200),
      env.DB.prepare("UPDATE meta SET value = '1001' WHERE key = 'article_count'"),
      env.DB.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'"),
    ]);
    const w = publishing();
    const xml = await (await w.request("/news-sitemap.xml")).text();
    const locs = xml.match(/<loc>[^<]*<\/loc>/g)!;
    expect([locs.length, locs[0], locs.at(-1)]).toEqual([1000, `<loc>${ORIGIN}/articles/story-1001</loc>`, `<loc>${ORIGIN}/articles/story-2</loc>`]);
  });

  it("says the language as Google News takes it", () => {
    expect(["en", "pt-BR", "zh-Hans", "zh-TW", "zh-Hant-HK", "FR"].map(newsLanguage)).toEqual(["en", "pt", "zh-cn", "zh-tw", "zh-tw", "fr"]);
  });
});

describe("the sitemaps in the D1 mode", () => {
  beforeEach(freshDatabase);

  it("follow the writes: a published story is on the articles' sitemap, with its date", async () => {
    const w = publishing();
    expect((await w.put("a", story("First in D1", "Text."))).status).toBe(201);
    await w.settle();
    const before = await (await w.request("/sitemap-articles-1.xml")).text();
    expect(before).toContain(`<loc>${ORIGIN}/articles/first-in-d1</loc>`);
    expect((await w.put("b", story("Second in D1", "Text."))).status).toBe(201);
    await w.settle();
    const after = await (await w.request("/sitemap-articles-1.xml")).text();
    expect(after.indexOf("first-in-d1")).toBeLessThan(after.indexOf("second-in-d1"));
    expect(after.indexOf("first-in-d1")).toBeGreaterThan(0);
  });

  it("past 50,000 articles a second sitemap takes the newest; the first keeps its 50,000", async () => {
    // 50,001 articles written straight into the tables (the import's shape), oldest first by date.
    await env.DB.batch([
      env.DB.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50001)
         INSERT INTO articles (id, guid, slug, title, summary, html, published, updated, topics, file, content_hash)
         SELECT printf('%016x', i), 'urn:x:' || i, 'story-' || i, 'Story ' || i, '', '<p>x</p>',
                strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i * 60, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i * 60, 'unixepoch'), '[]', 'f' || i, 'h'
         FROM n`,
      ),
      env.DB.prepare("UPDATE meta SET value = '50001' WHERE key = 'article_count'"),
      env.DB.prepare("UPDATE meta SET value = (SELECT MAX(updated) FROM articles) WHERE key = 'newest_updated'"),
      env.DB.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'"),
    ]);
    const w = publishing();
    const index = await (await w.request("/sitemap.xml")).text();
    expect(index.match(/<loc>[^<]*<\/loc>/g)).toEqual([
      `<loc>${ORIGIN}/sitemap-pages.xml</loc>`,
      `<loc>${ORIGIN}/sitemap-articles-1.xml</loc>`,
      `<loc>${ORIGIN}/sitemap-articles-2.xml</loc>`,
    ]);
    const first = await (await w.request("/sitemap-articles-1.xml")).text();
    const urls = first.match(/<url>/g)!.length;
    expect([urls, first.includes("/articles/story-1<"), first.includes("/articles/story-50000<"), first.includes("/articles/story-50001<")]).toEqual([
      50_000,
      true,
      true,
      false,
    ]);
    const second = await (await w.request("/sitemap-articles-2.xml")).text();
    expect(second.match(/<loc>[^<]*<\/loc>/g)).toEqual([`<loc>${ORIGIN}/articles/story-50001</loc>`]);
    expect((await w.request("/sitemap-articles-3.xml")).status).toBe(404);
  });
});
