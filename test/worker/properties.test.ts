import { extractFromJson, extractFromXml } from "@extractus/feed-extractor";
import { parseFeed as rowanParse } from "@rowanmanning/feed-parser";
import { decodeHTML } from "entities";
import fc from "fast-check";
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import { type DefaultTreeAdapterMap, parseFragment, parse as parseHtml } from "parse5";
import RssParser from "rss-parser";
import { describe, expect, it } from "vitest";
import type { Content } from "../../src/content/types";
import { compile, file, worker } from "./fixtures";
import { article, frontMatterArticle, type GeneratedArticle } from "./generators";
import { assertWellFormed } from "./xml";

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

/** Runs per property; a few hundred more were run by hand while writing these. */
const RUNS = 100;

/** Elements the page templates write; anything else would have come from an article. */
const TEMPLATE_ELEMENTS = new Set([
  "html",
  "head",
  "body",
  "meta",
  "title",
  "link",
  "header",
  "nav",
  "a",
  "main",
  "footer",
  "p",
  "h1",
  "h2",
  "h3",
  "article",
  "div",
  "ul",
  "ol",
  "li",
  "time",
  "code",
  "section",
  "script",
  "span",
]);

function elements(node: Node): Element[] {
  const own = "tagName" in node ? [node as Element] : [];
  const kids = "childNodes" in node ? (node.childNodes as Node[]) : [];
  return [...own, ...kids.flatMap(elements)];
}

function textOf(node: Node): string {
  if (node.nodeName === "#text") return (node as DefaultTreeAdapterMap["textNode"]).value;
  return "childNodes" in node ? (node.childNodes as Node[]).map(textOf).join("") : "";
}

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

/** Builds a site of generated articles, one minute apart, newest last in the input. */
async function site(articles: GeneratedArticle[]): Promise<{ content: Content; fetch: ReturnType<typeof worker> }> {
  const files = articles.map((a, i) => file(`${i}.txt`, a.text, { added: Date.UTC(2021, 0, 1, 0, i), changed: Date.UTC(2021, 0, 1, 0, i) }));
  const { content } = await compile(files, { topics: [] });
  return { content, fetch: worker(content) };
}

/** The expected items, newest first as every feed lists them. */
function expectedItems(articles: GeneratedArticle[], content: Content) {
  return articles.map((a, i) => ({ ...a, article: content.articles.find((c) => c.file === `${i}.txt`)! })).reverse();
}

/** Paragraph texts of an HTML fragment made of <p> elements only. */
function paragraphsOf(html: string): string[] {
  const fragment = parseFragment(html);
  const kids = fragment.childNodes.filter((n) => !(n.nodeName === "#text" && textOf(n).trim() === ""));
  expect(kids.every((n) => n.nodeName === "p")).toBe(true);
  return kids.map(textOf);
}

describe("any article gives feeds that every parser reads back", () => {
  it("RSS: well-formed; feedsmith and rss-parser get titles, ids, links, dates and the full text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(article, { minLength: 1, maxLength: 3 }), async (articles) => {
        const { content, fetch } = await site(articles);
        const xml = await (await fetch("/rss.xml")).text();
        assertWellFormed(xml);
        const expected = expectedItems(articles, content);
        const smith = parseRssFeed(xml).items!;
        const rss = (await new RssParser({ customFields: { item: [["content:encoded", "encoded"]] } }).parseString(xml)).items;
        const rowan = rowanParse(xml).items;
        expect(smith).toHaveLength(expected.length);
        expected.forEach((e, i) => {
          const url = `http://localhost/articles/${e.article.slug}`;
          expect(smith[i]!.title).toBe(e.title);
          expect(rss[i]!.title).toBe(e.title);
          expect([smith[i]!.guid?.value, rss[i]!.guid, rowan[i]!.id]).toEqual([e.article.guid, e.article.guid, e.article.guid]);
          expect([smith[i]!.link, rss[i]!.link, rowan[i]!.url]).toEqual([url, url, url]);
          expect(new Date(rss[i]!.isoDate!).getTime()).toBe(Date.parse(e.article.published));
          expect(rowan[i]!.published?.getTime()).toBe(Date.parse(e.article.published));
          expect(paragraphsOf(smith[i]!.content!.encoded!)).toEqual(e.paragraphs);
          expect(paragraphsOf((rss[i] as unknown as { encoded: string }).encoded)).toEqual(e.paragraphs);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("Atom: well-formed; @rowanmanning/feed-parser and feedsmith get the same titles, ids, links and dates", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(article, { minLength: 1, maxLength: 3 }), async (articles) => {
        const { content, fetch } = await site(articles);
        const xml = await (await fetch("/atom.xml")).text();
        assertWellFormed(xml);
        const expected = expectedItems(articles, content);
        const rowan = rowanParse(xml).items;
        const extractus = extractFromXml(xml, { normalization: true }).entries!;
        const smith = parseAtomFeed(xml).entries!;
        expect(rowan).toHaveLength(expected.length);
        expected.forEach((e, i) => {
          const url = `http://localhost/articles/${e.article.slug}`;
          // Titles are type="html" (RFC 4287 §3.1.1.2): rowan decodes them to text; feedsmith
          // hands back the HTML, decoded here once. (feed-extractor decodes numeric
          // references twice, so its titles are not compared.)
          expect(rowan[i]!.title).toBe(e.title);
          expect(smith[i]!.title).toEqual({ type: "html", value: expect.any(String) });
          expect(decodeHTML((smith[i]!.title as { value: string }).value)).toBe(e.title);
          expect([rowan[i]!.id, extractus[i]!.id, smith[i]!.id]).toEqual([e.article.guid, e.article.guid, e.article.guid]);
          expect([rowan[i]!.url, extractus[i]!.link]).toEqual([url, url]);
          expect(rowan[i]!.updated?.getTime()).toBe(Date.parse(e.article.updated));
          expect(Date.parse(extractus[i]!.published!)).toBe(Date.parse(e.article.published));
          expect(paragraphsOf(smith[i]!.content!.value!)).toEqual(e.paragraphs);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("JSON Feed: valid JSON; feedsmith and feed-extractor get the same titles, ids, links and dates", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(article, { minLength: 1, maxLength: 3 }), async (articles) => {
        const { content, fetch } = await site(articles);
        const body = await (await fetch("/feed.json")).text();
        const json = JSON.parse(body);
        const expected = expectedItems(articles, content);
        const smith = parseJsonFeed(body).items!;
        const extractus = extractFromJson(json, { normalization: true }).entries!;
        expected.forEach((e, i) => {
          const url = `http://localhost/articles/${e.article.slug}`;
          expect([smith[i]!.title, extractus[i]!.title, json.items[i].title]).toEqual([e.title, e.title, e.title]);
          expect([smith[i]!.id, extractus[i]!.id]).toEqual([e.article.guid, e.article.guid]);
          expect([smith[i]!.url, extractus[i]!.link]).toEqual([url, url]);
          expect(smith[i]!.date_published).toBe(e.article.published);
          expect(Date.parse(extractus[i]!.published!)).toBe(Date.parse(e.article.published));
          expect(paragraphsOf(smith[i]!.content_html!)).toEqual(e.paragraphs);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("the article page is well-formed HTML that shows the text and carries no markup from it", async () => {
    await fc.assert(
      fc.asyncProperty(article, async (generated) => {
        const { content, fetch } = await site([generated]);
        const html = await (await fetch(`/articles/${content.articles[0]!.slug}`)).text();
        const errors: string[] = [];
        const doc = parseHtml(html, { onParseError: (e) => errors.push(e.code) });
        expect(errors).toEqual([]);
        const all = elements(doc);
        expect(all.filter((el) => !TEMPLATE_ELEMENTS.has(el.tagName)).map((el) => el.tagName)).toEqual([]);
        expect(all.filter((el) => el.tagName === "script" && attr(el, "type") !== "application/ld+json")).toEqual([]);
        expect(all.flatMap((el) => el.attrs.map((a) => a.name)).filter((n) => n.startsWith("on"))).toEqual([]);
        for (const el of all) {
          const href = attr(el, "href") ?? attr(el, "src");
          if (href !== undefined) expect(href).toMatch(/^(\/|#content$|http:\/\/localhost\/|https:\/\/)/);
        }
        const h1 = all.filter((el) => el.tagName === "h1");
        expect(h1.map(textOf)).toEqual([generated.title]);
        const body = all.find((el) => el.tagName === "div" && attr(el, "class") === "article-body")!;
        const paragraphs = body.childNodes.filter((n) => n.nodeName !== "#text");
        expect(paragraphs.map((n) => n.nodeName)).toEqual(generated.paragraphs.map(() => "p"));
        expect(paragraphs.map(textOf)).toEqual(generated.paragraphs);
        // The structured data is JSON that cannot end its <script> early.
        const ld = all.find((el) => el.tagName === "script" && attr(el, "type") === "application/ld+json")!;
        expect(JSON.parse(textOf(ld)).headline).toBe(generated.title);
      }),
      { numRuns: RUNS },
    );
  });

  it("ids are unique within every feed", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(article, { minLength: 2, maxLength: 6 }), async (articles) => {
        const { fetch } = await site(articles);
        const json = JSON.parse(await (await fetch("/feed.json")).text());
        const ids = json.items.map((i: { id: string }) => i.id);
        expect(new Set(ids).size).toBe(articles.length);
        const urls = json.items.map((i: { url: string }) => i.url);
        expect(new Set(urls).size).toBe(articles.length);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("odd front matter values", () => {
  it("reach every format intact and the page as text", async () => {
    await fc.assert(
      fc.asyncProperty(frontMatterArticle, async (generated) => {
        const { content } = await compile([file("fm.txt", generated.text)], { topics: [] });
        const fetch = worker(content);
        const a = content.articles[0]!;
        expect(a.title).toBe(generated.title.expected);
        expect(a.author).toBe(generated.author.expected || null);
        expect(a.source).toBe(generated.source.expected || null);

        const rssXml = await (await fetch("/rss.xml")).text();
        const atomXml = await (await fetch("/atom.xml")).text();
        assertWellFormed(rssXml);
        assertWellFormed(atomXml);
        const rss = parseRssFeed(rssXml).items![0]!;
        expect(rss.title).toBe(a.title);
        expect(rss.dc?.creators ?? []).toEqual([a.author, a.source].filter((c) => c !== null));
        expect((rss.categories ?? []).map((c) => c.name)).toEqual(a.topics.map((slug) => content.topics.find((t) => t.slug === slug)!.name));
        const atom = parseAtomFeed(atomXml).entries![0]!;
        expect((atom.authors ?? []).map((p) => p.name)).toEqual([a.author, a.source].filter((c) => c !== null));
        expect((atom.categories ?? []).map((c) => c.label)).toEqual(a.topics.map((slug) => content.topics.find((t) => t.slug === slug)!.name));
        const json = JSON.parse(await (await fetch("/feed.json")).text());
        expect(json.items[0].summary).toBe(a.summary);

        for (const path of [`/articles/${a.slug}`, "/topics", ...a.topics.map((t) => `/topics/${t}`)]) {
          const res = await fetch(path);
          const errors: string[] = [];
          parseHtml(await res.text(), { onParseError: (e) => errors.push(e.code) });
          expect([path, res.status, errors]).toEqual([path, 200, []]);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
