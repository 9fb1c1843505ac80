import { describe, expect, it } from "vitest";
import { content, file, SEED_HEADLINE, SEED_SLUG, seedFile, story, worker } from "./fixtures";

async function page(path: string, env = {}) {
  const res = await worker(await content([seedFile(), file("b.txt", story("Storm floods <coast> & towns", "Flood waters rose. The storm hit."))]), env)(path);
  return { res, body: await res.text() };
}

describe("HTML pages", () => {
  it("/ lists the latest articles, every main feed URL, and autodiscovery for the three main feeds", async () => {
    const { res, body } = await page("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(body.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
    expect(body).toContain('<link rel="alternate" type="application/rss+xml" title="Edge News (RSS)" href="http://localhost/rss.xml"/>');
    expect(body).toContain('<link rel="alternate" type="application/atom+xml" title="Edge News (Atom)" href="http://localhost/atom.xml"/>');
    expect(body).toContain('<link rel="alternate" type="application/feed+json" title="Edge News (JSON Feed)" href="http://localhost/feed.json"/>');
    expect(body).toContain(`<a href="/articles/${SEED_SLUG}">${SEED_HEADLINE}</a>`);
    expect(body).toContain("<code>http://localhost/rss.xml</code>");
    expect(body).toContain("Storm floods &lt;coast&gt; &amp; towns");
  });

  it("/topics lists topics with article counts and feed URLs", async () => {
    const { body } = await page("/topics");
    expect(body).toContain('<a href="/topics/turkey">Turkey</a></h2><p>1 article</p>');
    expect(body).toContain("<code>http://localhost/topics/turkey/atom.xml</code>");
    expect(body).toContain('<a href="/topics/weather">Weather and disasters</a>');
    expect(body).not.toContain('href="/topics/economy"');
  });

  it("/topics/{topic} lists that topic's articles and offers its feeds", async () => {
    const { body } = await page("/topics/weather");
    expect(body).toContain("Storm floods &lt;coast&gt; &amp; towns");
    expect(body).not.toContain(SEED_HEADLINE);
    expect(body).toContain('href="http://localhost/topics/weather/rss.xml"');
    expect(body).toContain('<link rel="canonical" href="http://localhost/topics/weather"/>');
  });

  it("/articles/{slug} shows the article, its dateline, source and topics", async () => {
    const { res, body } = await page(`/articles/${SEED_SLUG}`);
    expect(res.status).toBe(200);
    expect(body).toContain(`<h1>${SEED_HEADLINE}</h1>`);
    expect(body).toContain('Published <time datetime="2020-12-30T12:00:00Z">30 December 2020</time>');
    expect(body).toContain("Source: AP");
    expect(body).toContain('<a href="/topics/sanctions">Sanctions</a>');
    expect(body).toContain("<p>Earlier this month, Cavusoglu had said Turkey was considering possible steps to reciprocate against the sanctions.</p>");
    expect(body).toContain('href="http://localhost/topics/turkey/feed.json"');
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
