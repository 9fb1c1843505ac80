import { describe, expect, it } from "vitest";
import { compile, file, story, worker } from "./fixtures";
import { walkFeed } from "./paging";

/** An archive of `count` articles, one minute apart, all about oil (the energy topic), some also about storms. */
async function archive(count: number) {
  const files = Array.from({ length: count }, (_, i) =>
    file(
      `${String(i).padStart(4, "0")}_${(0x5000 + i).toString(16).padStart(16, "0")}.txt`,
      story(`Oil story ${i}`, i % 3 === 0 ? "Oil and a storm." : "Oil prices moved."),
      {
        added: Date.UTC(2021, 0, 1) + i * 60_000,
        changed: Date.UTC(2021, 0, 1) + i * 60_000,
      },
    ),
  );
  // Two articles in the same second: the order between them is by id, the same in every mode.
  files.push(file("tie_00000000000000ff.txt", story("Tie story", "Oil again."), { added: Date.UTC(2021, 0, 1) + 5 * 60_000 }));
  return (await compile(files)).content;
}

describe("paged feeds (RFC 5005)", () => {
  it.each([
    ["/rss.xml", 7],
    ["/atom.xml", 7],
    ["/feed.json", 7],
    ["/topics/energy/rss.xml", 7],
    ["/topics/weather/atom.xml", 3],
    ["/rss.xml", 200],
  ])("walking %s with %i items a page visits every article once, newest first", async (path, limit) => {
    const content = await archive(23);
    const fetch = worker(content, { FEED_ITEM_LIMIT: String(limit) });
    const walk = await walkFeed(fetch, "http://localhost", path);
    const topic = /topics\/([^/]+)/.exec(path)?.[1];
    const expected = content.articles.filter((a) => topic === undefined || a.topics.includes(topic)).map((a) => a.guid);
    expect(walk.ids).toEqual(expected);
    expect(walk.pages).toHaveLength(Math.max(1, Math.ceil(expected.length / limit)));
  });

  it("page URLs name the same articles when newer ones arrive", async () => {
    const before = await archive(20);
    const after = await archive(26);
    const page = async (c: typeof before) => {
      const first = JSON.parse(await (await worker(c, { FEED_ITEM_LIMIT: "5" })("/feed.json")).text());
      return first.next_url as string;
    };
    const url = `http://localhost/feed.json?before=${before.articles[9]!.slug}`;
    const a = JSON.parse(await (await worker(before, { FEED_ITEM_LIMIT: "5" })(url)).text());
    const b = JSON.parse(await (await worker(after, { FEED_ITEM_LIMIT: "5" })(url)).text());
    expect(b.items.map((i: { id: string }) => i.id)).toEqual(a.items.map((i: { id: string }) => i.id));
    expect(await page(before)).toBe(`http://localhost/feed.json?before=${before.articles[4]!.slug}`);
  });

  it("a feed that fits one page has no paging links", async () => {
    const fetch = worker(await archive(3));
    const body = await (await fetch("/rss.xml")).text();
    expect(body).not.toMatch(/rel="(first|next|previous|last)"/);
    expect(JSON.parse(await (await fetch("/feed.json")).text()).next_url).toBeUndefined();
  });

  it("a cursor that is no article is a 404; one that is not a slug is a 400", async () => {
    const fetch = worker(await archive(5), { FEED_ITEM_LIMIT: "2" });
    const unknown = await fetch("/rss.xml?before=no-such-article");
    expect(unknown.status).toBe(404);
    await unknown.text();
    const outside = await fetch(`/topics/weather/rss.xml?before=${(await archive(5)).articles.find((a) => !a.topics.includes("weather"))!.slug}`);
    expect(outside.status).toBe(404);
    await outside.text();
    const bad = await fetch("/rss.xml?before=%3Cscript%3E");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe("Bad request: before must be the slug of an article (lowercase letters, digits and hyphens).\n");
  });
});

describe("paged HTML pages", () => {
  it("the home page and topic pages page back 20 at a time, with rel=next/prev", async () => {
    const content = await archive(45);
    const fetch = worker(content);
    const seen: string[] = [];
    let path: string | null = "/";
    while (path !== null) {
      const body = await (await fetch(path)).text();
      seen.push(...[...body.matchAll(/<h3><a href="\/articles\/([^"]+)">/g)].map((m) => m[1]!));
      path = /<a href="([^"]+)" rel="next">Older articles/.exec(body)?.[1]?.replace(/&amp;/g, "&") ?? null;
      if (path !== null) expect(body).toContain(`<link rel="next" href="http://localhost${path}"/>`);
    }
    expect(seen).toEqual(content.articles.map((a) => a.slug));
    const second = await (await fetch(`/topics/energy?before=${content.articles[19]!.slug}`)).text();
    expect(second).toContain('<a href="/topics/energy" rel="prev">← Newer articles</a>');
    expect(second).toContain(`<link rel="canonical" href="http://localhost/topics/energy?before=${content.articles[19]!.slug}"/>`);
  });
});
