import { exports as workerExports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { content } from "../../src/generated/content";
import { SEED_HEADLINE, SEED_SLUG } from "./fixtures";

/** The main module's default export, as the runtime serves it. */
const worker = (workerExports as unknown as { default: Fetcher }).default;

/** The deployed worker as wrangler builds it: src/index.ts with the compiled seeds/ folder. */
describe("the worker built from seeds/", () => {
  it("publishes the seed in every feed and on its page", async () => {
    expect(content.articles.map((a) => a.title)).toContain(SEED_HEADLINE);
    for (const path of ["/rss.xml", "/atom.xml", "/feed.json", "/topics/turkey/rss.xml", `/articles/${SEED_SLUG}`, "/", "/topics"]) {
      const res = await worker.fetch(`https://example.com${path}`);
      const body = await res.text();
      expect([path, res.status]).toEqual([path, 200]);
      expect(body).toContain(path === "/topics" ? ">Turkey</a>" : SEED_HEADLINE);
    }
  });

  it("reads no files at run time: the content is the compiled module", async () => {
    const res = await worker.fetch("https://example.com/feed.json");
    const json = (await res.json()) as { items: { id: string }[] };
    expect(json.items.map((i) => i.id)).toEqual(content.articles.slice(0, 50).map((a) => a.guid));
  });
});
