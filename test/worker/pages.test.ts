import { type DefaultTreeAdapterMap, parse } from "parse5";
import { describe, expect, it } from "vitest";
import { content, file, SEED_HEADLINE, SEED_SLUG, seedFile, story, worker } from "./fixtures";

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

function elements(node: Node): Element[] {
  const own = "tagName" in node ? [node as Element] : [];
  const kids = "childNodes" in node ? (node.childNodes as Node[]) : [];
  return [...own, ...kids.flatMap(elements)];
}
const textOf = (node: Node): string =>
  node.nodeName === "#text" ? (node as DefaultTreeAdapterMap["textNode"]).value : "childNodes" in node ? (node.childNodes as Node[]).map(textOf).join("") : "";
const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;

async function site(env = {}) {
  const c = await content([
    seedFile(),
    file(
      "b.txt",
      `---\nauthor: Ana Lima\nupdated: 2021-01-02\n---\n${story("Storm floods <coast> & towns", "Flood waters rose in the storm.", "The storm hit. [Reuters]")}`,
    ),
  ]);
  return worker(c, env);
}

async function page(path: string, env = {}) {
  const res = await (await site(env))(path);
  const body = await res.text();
  const errors: string[] = [];
  const doc = parse(body, { onParseError: (e) => errors.push(e.code) });
  const all = elements(doc);
  const head = (selector: (el: Element) => boolean) => all.filter(selector);
  return { res, body, errors, all, head };
}

const alternatesOf = (all: Element[]) =>
  all.filter((el) => el.tagName === "link" && attr(el, "rel") === "alternate").map((el) => [attr(el, "type"), attr(el, "title"), attr(el, "href")]);

const MAIN_ALTERNATES = [
  ["application/rss+xml", "Edge News (RSS)", "http://localhost/rss.xml"],
  ["application/atom+xml", "Edge News (Atom)", "http://localhost/atom.xml"],
  ["application/feed+json", "Edge News (JSON Feed)", "http://localhost/feed.json"],
];

describe("every page", () => {
  it.each(["/", "/topics", "/topics/turkey", `/articles/${SEED_SLUG}`, "/nope"])(
    "%s: valid HTML with lang, title, description, stylesheet, landmarks, ordered headings",
    async (path) => {
      const { all, errors } = await page(path);
      expect(errors).toEqual([]);
      expect(attr(all.find((e) => e.tagName === "html")!, "lang")).toBe("en");
      expect(all.filter((e) => e.tagName === "title").map(textOf)[0]).toMatch(/Edge News$/);
      expect(attr(all.find((e) => e.tagName === "meta" && attr(e, "name") === "description")!, "content")).not.toBe("");
      expect(all.filter((e) => e.tagName === "link" && attr(e, "rel") === "stylesheet").map((e) => attr(e, "href"))).toEqual([
        expect.stringMatching(/^\/assets\/style\.[0-9a-f]{12}\.css$/),
      ]);
      expect(all.filter((e) => e.tagName === "link" && attr(e, "rel") === "icon").map((e) => attr(e, "href"))).toEqual([
        expect.stringMatching(/^\/assets\/icon\.[0-9a-f]{12}\.svg$/),
      ]);
      const body = all.find((e) => e.tagName === "body")!;
      const landmarks = (body.childNodes as Node[]).filter((n) => "tagName" in n).map((n) => (n as Element).tagName);
      expect(landmarks).toEqual(["a", "header", "main", "footer"]);
      expect(all.filter((e) => e.tagName === "nav").map((e) => attr(e, "aria-label"))).toEqual(["Main"]);
      expect(attr(all.find((e) => e.tagName === "a")!, "href")).toBe("#content");
      const levels = all.filter((e) => /^h[1-6]$/.test(e.tagName)).map((e) => Number(e.tagName[1]));
      expect(levels[0]).toBe(1);
      expect(levels.filter((l) => l === 1)).toHaveLength(1);
      for (const [i, l] of levels.entries()) if (i > 0) expect(l).toBeLessThanOrEqual(levels[i - 1]! + 1);
      expect(alternatesOf(all).slice(0, 3)).toEqual(MAIN_ALTERNATES);
      expect(all.filter((e) => e.tagName === "script" && attr(e, "type") !== "application/ld+json")).toEqual([]);
    },
  );

  it.each(["/", "/topics", "/topics/turkey", `/articles/${SEED_SLUG}`])("%s: canonical link and Open Graph tags", async (path) => {
    const { all } = await page(path, { SITE_URL: "https://news.example.org" });
    const og = Object.fromEntries(
      all.filter((e) => e.tagName === "meta" && attr(e, "property")?.startsWith("og:")).map((e) => [attr(e, "property"), attr(e, "content")]),
    );
    expect(attr(all.find((e) => e.tagName === "link" && attr(e, "rel") === "canonical")!, "href")).toBe(`https://news.example.org${path}`);
    expect(og["og:url"]).toBe(`https://news.example.org${path}`);
    expect(og["og:site_name"]).toBe("Edge News");
    expect(Object.keys(og).sort()).toEqual(["og:description", "og:locale", "og:site_name", "og:title", "og:type", "og:url"]);
  });
});

describe("pages", () => {
  it("/ lists the latest articles with date, source, topics and lead, the topics, and how to subscribe", async () => {
    const { body, res } = await page("/");
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(body).toContain(
      `<h3><a href="/articles/${SEED_SLUG}">${SEED_HEADLINE}</a></h3><p class="meta"><time datetime="2020-12-30T12:00:00Z">30 December 2020</time> · AP</p>`,
    );
    expect(body).toContain("<p>Turkey and the United States have formed a joint working group");
    expect(body).toContain('<a href="/topics/weather">Weather and disasters (1 article)</a>');
    expect(body).toContain('<h2 id="subscribe">Subscribe</h2>');
    expect(body).toContain(
      '<a href="http://localhost/rss.xml" type="application/rss+xml"><span class="visually-hidden">All articles: </span>RSS<span class="visually-hidden"> feed</span></a><code class="feed-url">http://localhost/rss.xml</code>',
    );
    expect(body).toContain('<a href="/opml.xml">Download all feeds as an OPML file</a>');
    expect(body).toContain("Storm floods &lt;coast&gt; &amp; towns");
  });

  it("/topics lists every topic with its article count and its three feeds", async () => {
    const { body } = await page("/topics");
    expect(body).toContain('<h2><a href="/topics/turkey">Turkey</a></h2><p class="meta">1 article</p>');
    for (const url of ["topics/turkey/rss.xml", "topics/turkey/atom.xml", "topics/turkey/feed.json"])
      expect(body).toContain(`<code class="feed-url">http://localhost/${url}</code>`);
    expect(body).not.toContain('href="/topics/economy"');
  });

  it("/topics/{topic} lists the topic's articles newest first, offers its feeds and autodiscovers them", async () => {
    const { body, all } = await page("/topics/weather");
    expect(body).toContain("Storm floods &lt;coast&gt; &amp; towns");
    expect(body).not.toContain(SEED_HEADLINE);
    expect(alternatesOf(all).slice(3)).toEqual([
      ["application/rss+xml", "Edge News: Weather and disasters (RSS)", "http://localhost/topics/weather/rss.xml"],
      ["application/atom+xml", "Edge News: Weather and disasters (Atom)", "http://localhost/topics/weather/atom.xml"],
      ["application/feed+json", "Edge News: Weather and disasters (JSON Feed)", "http://localhost/topics/weather/feed.json"],
    ]);
    expect(body).toContain(
      '<a href="http://localhost/topics/weather/atom.xml" type="application/atom+xml"><span class="visually-hidden">Weather and disasters: </span>Atom<span class="visually-hidden"> feed</span></a><code class="feed-url">http://localhost/topics/weather/atom.xml</code>',
    );
  });

  it("/articles/{slug}: headline, dateline with the update, byline, source, topics, body and the feeds it is in", async () => {
    const { body, all } = await page("/articles/storm-floods-coast-towns");
    expect(body).toContain("<h1>Storm floods &lt;coast&gt; &amp; towns</h1>");
    expect(body).toContain(
      'Published <time datetime="2020-12-30T12:00:00Z">30 December 2020</time> · Updated <time datetime="2021-01-02T00:00:00Z">2 January 2021</time> · By <a href="/authors/ana-lima"><bdi>Ana Lima</bdi></a> · Source: <a href="/sources/reuters"><bdi>Reuters</bdi></a>',
    );
    expect(body).toContain('<div class="article-body"><p>Flood waters rose in the storm.</p>\n<p>The storm hit.</p></div>');
    expect(body).toContain('<li><a href="/topics/weather">Weather and disasters</a></li>');
    expect(body).toContain(
      '<li><a href="/topics/weather">Weather and disasters</a>: <a href="http://localhost/topics/weather/rss.xml" type="application/rss+xml"><span class="visually-hidden">Weather and disasters: </span>RSS<span class="visually-hidden"> feed</span></a> · <a href="http://localhost/topics/weather/atom.xml"',
    );
    expect(body).toContain('<li><a href="/">All articles</a>: <a href="http://localhost/rss.xml" type="application/rss+xml">');
    expect(alternatesOf(all).map((a) => a[2])).toContain("http://localhost/topics/weather/feed.json");
    // Its author's and its source's feeds: followed from the page, and found by autodiscovery.
    expect(alternatesOf(all).slice(-6)).toEqual([
      ["application/rss+xml", "Edge News: Ana Lima (RSS)", "http://localhost/authors/ana-lima/rss.xml"],
      ["application/atom+xml", "Edge News: Ana Lima (Atom)", "http://localhost/authors/ana-lima/atom.xml"],
      ["application/feed+json", "Edge News: Ana Lima (JSON Feed)", "http://localhost/authors/ana-lima/feed.json"],
      ["application/rss+xml", "Edge News: Reuters (RSS)", "http://localhost/sources/reuters/rss.xml"],
      ["application/atom+xml", "Edge News: Reuters (Atom)", "http://localhost/sources/reuters/atom.xml"],
      ["application/feed+json", "Edge News: Reuters (JSON Feed)", "http://localhost/sources/reuters/feed.json"],
    ]);
    expect(body).toContain(
      '<li><a href="/authors/ana-lima">Ana Lima</a>: <a href="http://localhost/authors/ana-lima/rss.xml" type="application/rss+xml"><span class="visually-hidden">Ana Lima: </span>RSS',
    );
    expect(body).toContain(
      '<li><a href="/sources/reuters">Reuters</a>: <a href="http://localhost/sources/reuters/rss.xml" type="application/rss+xml"><span class="visually-hidden">Reuters: </span>RSS',
    );
  });

  it("an article page carries schema.org NewsArticle data", async () => {
    const { all } = await page(`/articles/${SEED_SLUG}`);
    const ld = JSON.parse(textOf(all.find((e) => e.tagName === "script" && attr(e, "type") === "application/ld+json")!));
    expect(ld).toEqual({
      "@context": "https://schema.org",
      "@type": "NewsArticle",
      headline: SEED_HEADLINE,
      description: expect.stringMatching(/^Turkey and the United States have formed/),
      datePublished: "2020-12-30T12:00:00Z",
      dateModified: "2020-12-30T12:00:00Z",
      inLanguage: "en",
      url: `http://localhost/articles/${SEED_SLUG}`,
      mainEntityOfPage: `http://localhost/articles/${SEED_SLUG}`,
      author: [{ "@type": "Organization", name: "AP" }],
      sourceOrganization: { "@type": "Organization", name: "AP" },
      publisher: { "@type": "Organization", name: "Edge News", url: "http://localhost/" },
      articleSection: ["Politics", "Diplomacy", "Sanctions", "Defense and security", "United States", "Turkey", "Russia"],
    });
  });

  it("the 404 page is in the site's design and points the way", async () => {
    const { res, body, all } = await page("/no/such/page");
    expect(res.status).toBe(404);
    expect(body).toContain("<h1>Page not found</h1>");
    expect(body).toContain('<a href="/">latest articles</a>');
    expect(body).toContain(`<a href="/articles/${SEED_SLUG}">`);
    expect(all.find((e) => e.tagName === "link" && attr(e, "rel") === "canonical")).toBeUndefined();
  });

  it("pages carry security headers", async () => {
    const { res } = await page("/");
    expect(res.headers.get("Content-Security-Policy")).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self' https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
  });
});

describe("the stylesheet", () => {
  it("is served at its hashed path for a year, and a stale path is a 404", async () => {
    const fetch = await site();
    const home = await (await fetch("/")).text();
    const href = /<link rel="stylesheet" href="([^"]+)"/.exec(home)![1]!;
    const res = await fetch(href);
    const css = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/css; charset=utf-8");
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(css).toContain("prefers-color-scheme: dark");
    expect(new TextEncoder().encode(css).byteLength).toBeLessThan(8 * 1024);
    const again = await fetch(href, { headers: { "If-None-Match": res.headers.get("ETag")! } });
    expect(again.status).toBe(304);
    await again.text();
    const stale = await fetch("/assets/style.000000000000.css");
    expect(stale.status).toBe(404);
    await stale.text();
  });
});

describe("OPML", () => {
  it("lists the main feed, and every topic's, author's and source's feed in a folder of each", async () => {
    const res = await (await site({ SITE_URL: "https://news.example.org" }))("/opml.xml");
    expect(res.headers.get("Content-Type")).toBe("text/x-opml; charset=utf-8");
    expect(res.headers.get("ETag")).toMatch(/^"[0-9a-f]{32}"$/);
    const body = await res.text();
    expect(body.split("\n").slice(0, 9)).toEqual([
      '<?xml version="1.0" encoding="utf-8"?>',
      '<opml version="2.0">',
      "  <head>",
      "    <title>Edge News: all feeds</title>",
      "    <dateModified>Sat, 02 Jan 2021 00:00:00 GMT</dateModified>",
      "    <docs>http://opml.org/spec2.opml</docs>",
      "  </head>",
      "  <body>",
      '    <outline type="rss" text="Edge News" title="Edge News" xmlUrl="https://news.example.org/rss.xml" htmlUrl="https://news.example.org/"/>',
    ]);
    expect(body).toContain(
      '      <outline type="rss" text="Edge News: Weather and disasters" title="Edge News: Weather and disasters" xmlUrl="https://news.example.org/topics/weather/rss.xml" htmlUrl="https://news.example.org/topics/weather"/>',
    );
    expect(body.match(/xmlUrl=/g)).toHaveLength(1 + 8 + 1 + 2);
    expect(body.split("\n").slice(-10)).toEqual([
      '    <outline text="Edge News authors" title="Edge News authors">',
      '      <outline type="rss" text="Edge News: Ana Lima" title="Edge News: Ana Lima" xmlUrl="https://news.example.org/authors/ana-lima/rss.xml" htmlUrl="https://news.example.org/authors/ana-lima"/>',
      "    </outline>",
      '    <outline text="Edge News sources" title="Edge News sources">',
      '      <outline type="rss" text="Edge News: AP" title="Edge News: AP" xmlUrl="https://news.example.org/sources/ap/rss.xml" htmlUrl="https://news.example.org/sources/ap"/>',
      '      <outline type="rss" text="Edge News: Reuters" title="Edge News: Reuters" xmlUrl="https://news.example.org/sources/reuters/rss.xml" htmlUrl="https://news.example.org/sources/reuters"/>',
      "    </outline>",
      "  </body>",
      "</opml>",
      "",
    ]);
  });
});
