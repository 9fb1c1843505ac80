import { parseFeed as rowanParse } from "@rowanmanning/feed-parser";
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import { describe, expect, it, vi } from "vitest";
import { content, file, SEED_HEADLINE, SEED_SLUG, seedFile, story, worker } from "./fixtures";
import { child, children, parseXml } from "./xml";

const ORIGIN = "http://localhost";
const SEED_URL = `${ORIGIN}/articles/${SEED_SLUG}`;
const SEED_TOPICS = ["Politics", "Diplomacy", "Sanctions", "Defense and security", "United States", "Turkey", "Russia"];

async function seedWorker(env = {}) {
  return worker(await content([seedFile()]), env);
}

describe("RSS 2.0", () => {
  it("serves the seed with every item field and a self link", async () => {
    const res = await (await seedWorker())("/rss.xml");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/rss+xml; charset=utf-8");
    const rss = parseXml(await res.text());
    expect(rss.name).toBe("rss");
    expect(rss.attributes.version).toBe("2.0");
    const channel = child(rss, "channel");
    expect(child(channel, "title").text).toBe("Edge News");
    expect(child(channel, "link").text).toBe(`${ORIGIN}/`);
    expect(child(channel, "description").text).toBe("The latest articles, as RSS, Atom and JSON Feed.");
    expect(child(channel, "language").text).toBe("en");
    expect(child(channel, "lastBuildDate").text).toBe("Wed, 30 Dec 2020 12:00:00 GMT");
    expect(child(channel, "atom:link").attributes).toEqual({ href: `${ORIGIN}/rss.xml`, rel: "self", type: "application/rss+xml" });

    const [item, ...rest] = children(channel, "item");
    expect(rest).toHaveLength(0);
    expect(child(item!, "title").text).toBe(SEED_HEADLINE);
    expect(child(item!, "link").text).toBe(SEED_URL);
    expect(child(item!, "guid").attributes).toEqual({ isPermaLink: "false" });
    expect(child(item!, "guid").text).toMatch(/^urn:uuid:/);
    expect(child(item!, "pubDate").text).toBe("Wed, 30 Dec 2020 12:00:00 GMT");
    expect(child(item!, "description").text).toMatch(/^Turkey and the United States have formed a joint working group/);
    expect(child(item!, "content:encoded").text).toMatch(/^<p>Turkey and the United States/);
    expect(child(item!, "dc:creator").text).toBe("AP");
    expect(children(item!, "category").map((c) => c.text)).toEqual(SEED_TOPICS);
    expect(children(item!, "author")).toEqual([]);
  });

  it("writes item titles as escaped text, which every parser reads the same, even one that looks like markup", async () => {
    const title = "Ceasefire <!-- holds --> & talks ]]> resume <b>";
    const fetch = worker(await content([file("a.txt", story(title, "Word."))]));
    const body = await (await fetch("/rss.xml")).text();
    expect(body).toContain("<title>Ceasefire &lt;!-- holds --&gt; &amp; talks ]]&gt; resume &lt;b&gt;</title>");
    expect(child(children(child(parseXml(body), "channel"), "item")[0]!, "title").text).toBe(title);
    expect(parseRssFeed(body).items![0]!.title).toBe(title);
    expect(rowanParse(body).items[0]!.title).toBe(title);
  });
});

describe("Atom 1.0", () => {
  it("serves the seed with ids, dates, author, content and categories", async () => {
    const res = await (await seedWorker())("/atom.xml");
    expect(res.headers.get("Content-Type")).toBe("application/atom+xml; charset=utf-8");
    const feed = parseXml(await res.text());
    expect(feed.attributes).toEqual({ xmlns: "http://www.w3.org/2005/Atom", "xml:lang": "en" });
    expect(child(feed, "id").text).toMatch(/^urn:uuid:/);
    expect(child(feed, "updated").text).toBe("2020-12-30T12:00:00.000Z");
    expect(child(child(feed, "author"), "name").text).toBe("Edge News");
    expect(children(feed, "link").map((l) => l.attributes)).toEqual([
      { rel: "alternate", href: `${ORIGIN}/` },
      { rel: "self", href: `${ORIGIN}/atom.xml` },
      // The site's own WebSub hub (W3C WebSub §4).
      { rel: "hub", href: `${ORIGIN}/websub` },
    ]);
    const [entry] = children(feed, "entry");
    expect(child(entry!, "title").attributes.type).toBe("html");
    expect(child(entry!, "title").text).toBe(SEED_HEADLINE);
    expect(child(entry!, "link").attributes).toEqual({ href: SEED_URL });
    expect(child(entry!, "published").text).toBe("2020-12-30T12:00:00.000Z");
    expect(child(entry!, "updated").text).toBe("2020-12-30T12:00:00.000Z");
    expect(child(entry!, "content").attributes.type).toBe("html");
    expect(child(child(entry!, "author"), "name").text).toBe("AP");
    expect(children(entry!, "category").map((c) => c.attributes.label)).toEqual(SEED_TOPICS);
    expect(children(entry!, "category")[0]!.attributes).toEqual({ term: "politics", label: "Politics", scheme: `${ORIGIN}/topics` });
  });
});

describe("JSON Feed 1.1", () => {
  it("is version 1.1 with authors, language and every item field", async () => {
    const res = await (await seedWorker())("/feed.json");
    expect(res.headers.get("Content-Type")).toBe("application/feed+json; charset=utf-8");
    const json = JSON.parse(await res.text());
    expect(Object.keys(json)).toEqual(["version", "title", "home_page_url", "feed_url", "description", "language", "authors", "hubs", "items"]);
    expect(json).toMatchObject({
      version: "https://jsonfeed.org/version/1.1",
      title: "Edge News",
      home_page_url: `${ORIGIN}/`,
      feed_url: `${ORIGIN}/feed.json`,
      language: "en",
      authors: [{ name: "Edge News" }],
    });
    expect(json.author).toBeUndefined();
    const [item] = json.items;
    expect(item).toMatchObject({
      url: SEED_URL,
      title: SEED_HEADLINE,
      date_published: "2020-12-30T12:00:00Z",
      date_modified: "2020-12-30T12:00:00Z",
      authors: [{ name: "AP" }],
      tags: SEED_TOPICS,
    });
    expect(item.id).toMatch(/^urn:uuid:/);
    expect(item.summary).toMatch(/^Turkey and the United States have formed/);
    expect(item.content_html).toMatch(/^<p>Turkey and the United States/);
    expect(item.author).toBeUndefined();
  });
});

describe("every feed, read back by independent parsers", () => {
  it.each(["/rss.xml", "/atom.xml", "/topics/turkey/rss.xml", "/topics/turkey/atom.xml"])(
    "%s gives the seed's headline, link, id, date and topics",
    async (path) => {
      const body = await (await (await seedWorker())(path)).text();
      const json = JSON.parse(await (await (await seedWorker())("/feed.json")).text());
      const guid = json.items[0].id;

      const rowan = rowanParse(body);
      expect(rowan.items).toHaveLength(1);
      expect(rowan.items[0]!.title).toBe(SEED_HEADLINE);
      expect(rowan.items[0]!.url).toBe(SEED_URL);
      expect(rowan.items[0]!.id).toBe(guid);
      expect(rowan.items[0]!.published?.toISOString()).toBe("2020-12-30T12:00:00.000Z");
      expect(rowan.items[0]!.categories.map((c) => c.label)).toEqual(SEED_TOPICS);
      expect(rowan.self).toBe(`${ORIGIN}${path}`);

      if (path.endsWith("rss.xml")) {
        const rss = parseRssFeed(body);
        const item = rss.items![0]!;
        expect(item.title).toBe(SEED_HEADLINE);
        expect(item.link).toBe(SEED_URL);
        expect(item.guid?.value).toBe(guid);
        expect(item.pubDate).toBe("Wed, 30 Dec 2020 12:00:00 GMT");
        expect(item.categories?.map((c) => c.name)).toEqual(SEED_TOPICS);
      } else {
        const atom = parseAtomFeed(body);
        const entry = atom.entries![0]!;
        expect(entry.title).toEqual({ type: "html", value: SEED_HEADLINE });
        expect(entry.links?.[0]?.href).toBe(SEED_URL);
        expect(entry.id).toBe(guid);
        expect(entry.published).toBe("2020-12-30T12:00:00.000Z");
        expect(entry.categories?.map((c) => c.label)).toEqual(SEED_TOPICS);
      }
    },
  );

  it("/feed.json reads back the same with feedsmith", async () => {
    const body = await (await (await seedWorker())("/feed.json")).text();
    const feed = parseJsonFeed(body);
    const item = feed.items![0]!;
    expect(item.title).toBe(SEED_HEADLINE);
    expect(item.url).toBe(SEED_URL);
    expect(item.date_published).toBe("2020-12-30T12:00:00Z");
    expect(item.tags).toEqual(SEED_TOPICS);
  });
});

describe("feed scope and limits", () => {
  async function archive(count: number) {
    const files = Array.from({ length: count }, (_, i) =>
      file(
        `${String(i).padStart(3, "0")}_${(0x1000 + i).toString(16).padStart(16, "0")}.txt`,
        story(`Oil story number ${i}`, "Oil prices moved again today."),
        {
          added: Date.UTC(2021, 0, 1) + i * 60_000,
          changed: Date.UTC(2021, 0, 1) + i * 60_000,
        },
      ),
    );
    return content([...files, seedFile()]);
  }

  it("carries the newest FEED_ITEM_LIMIT items, newest first, dated by the newest item", async () => {
    const fetch = worker(await archive(7), { FEED_ITEM_LIMIT: "3" });
    const json = JSON.parse(await (await fetch("/feed.json")).text());
    expect(json.items.map((i: { title: string }) => i.title)).toEqual(["Oil story number 6", "Oil story number 5", "Oil story number 4"]);
    const rss = child(parseXml(await (await fetch("/rss.xml")).text()), "channel");
    expect(child(rss, "lastBuildDate").text).toBe("Fri, 01 Jan 2021 00:06:00 GMT");
    expect(children(rss, "item")).toHaveLength(3);
  });

  it("defaults to 50 items", async () => {
    const fetch = worker(await archive(55));
    const json = JSON.parse(await (await fetch("/feed.json")).text());
    expect(json.items).toHaveLength(50);
  });

  it("a topic feed holds only that topic's articles, with its own title and self link", async () => {
    const fetch = worker(await archive(2));
    const json = JSON.parse(await (await fetch("/topics/energy/feed.json")).text());
    expect(json.title).toBe("Edge News: Energy");
    expect(json.feed_url).toBe(`${ORIGIN}/topics/energy/feed.json`);
    expect(json.home_page_url).toBe(`${ORIGIN}/topics/energy`);
    expect(json.items.map((i: { title: string }) => i.title)).toEqual(["Oil story number 1", "Oil story number 0"]);
    const turkey = JSON.parse(await (await fetch("/topics/turkey/feed.json")).text());
    expect(turkey.items.map((i: { title: string }) => i.title)).toEqual([SEED_HEADLINE]);
  });

  it("a configured topic with no articles yet still answers, with an empty feed", async () => {
    const fetch = await seedWorker();
    const res = await fetch("/topics/weather/atom.xml");
    expect(res.status).toBe(200);
    const feed = parseXml(await res.text());
    expect(children(feed, "entry")).toHaveLength(0);
    expect(child(feed, "updated").text).toBe("2020-12-30T12:00:00.000Z");
  });
});

describe("settings", () => {
  it("SITE_URL, SITE_TITLE, SITE_DESCRIPTION and SITE_LANGUAGE reach every format", async () => {
    const env = { SITE_URL: "https://news.example.org/", SITE_TITLE: "Wire & Co", SITE_DESCRIPTION: "All <the> news", SITE_LANGUAGE: "tr" };
    const fetch = await seedWorker(env);
    const rss = child(parseXml(await (await fetch("/rss.xml")).text()), "channel");
    expect(child(rss, "title").text).toBe("Wire & Co");
    expect(child(rss, "description").text).toBe("All <the> news");
    expect(child(rss, "language").text).toBe("tr");
    expect(child(rss, "atom:link").attributes.href).toBe("https://news.example.org/rss.xml");
    expect(child(children(rss, "item")[0]!, "link").text).toBe(`https://news.example.org/articles/${SEED_SLUG}`);
    const atom = parseXml(await (await fetch("/atom.xml")).text());
    expect(atom.attributes["xml:lang"]).toBe("tr");
    const json = JSON.parse(await (await fetch("/feed.json")).text());
    expect([json.title, json.language, json.feed_url]).toEqual(["Wire & Co", "tr", "https://news.example.org/feed.json"]);
  });

  it("without SITE_URL, links follow the request's origin", async () => {
    const fetch = await seedWorker();
    const json = JSON.parse(await (await fetch("http://127.0.0.1:9000/feed.json")).text());
    expect(json.feed_url).toBe("http://127.0.0.1:9000/feed.json");
  });

  it("a bad setting answers 500 naming it, and only the log shows its value and the rule", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await (await seedWorker({ FEED_ITEM_LIMIT: "lots" }))("/rss.xml");
      expect(res.status).toBe(500);
      expect(await res.text()).toBe(
        "Configuration error: the setting FEED_ITEM_LIMIT is not valid (the worker's log says why). Fix it in wrangler.toml [vars].\n",
      );
      expect(logged.mock.calls).toEqual([['configuration error: FEED_ITEM_LIMIT must be a whole number from 1 to 1000, got "lots"']]);
    } finally {
      logged.mockRestore();
    }
  });

  it("a hub URL with a password is refused, and no response or log line shows the password", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await (await seedWorker({ WEBSUB_HUB: "https://user:s3cret@hub-pass@hub.example.org/" }))("/rss.xml");
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(body).toBe("Configuration error: the setting WEBSUB_HUB is not valid (the worker's log says why). Fix it in wrangler.toml [vars].\n");
      expect(logged.mock.calls).toEqual([
        ['configuration error: WEBSUB_HUB must not carry a user name or password (every feed names its hubs), got "https://***@hub.example.org/"'],
      ]);
      expect(JSON.stringify(logged.mock.calls) + body).not.toMatch(/s3cret|hub-pass/);
      // Nor when the value is not a URL at all.
      await (await seedWorker({ WEBSUB_HUB: "user:s3cret@hub-pass@hub.example.org" }))("/rss.xml");
      expect(logged.mock.calls[1]).toEqual(['configuration error: WEBSUB_HUB must be one or more http(s) URLs separated by commas, got "***@hub.example.org"']);
    } finally {
      logged.mockRestore();
    }
  });
});

describe("determinism", () => {
  it("two builds of the same folder serve identical bytes and ETags", async () => {
    const files = () => [seedFile(), file("b.md", "# Second\n\nMore about **oil** and oil.")];
    for (const path of ["/rss.xml", "/atom.xml", "/feed.json", "/topics/energy/rss.xml", "/", `/articles/${SEED_SLUG}`]) {
      const a = await worker(await content(files()))(path);
      const b = await worker(await content(files()))(path);
      expect(await b.text()).toBe(await a.text());
      expect(b.headers.get("ETag")).toBe(a.headers.get("ETag"));
    }
  });
});
