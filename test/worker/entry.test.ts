import { exports as workerExports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import contentData from "../../src/generated/content.bin";
import responsesData from "../../src/generated/responses.bin";
import { PackedStore } from "../../src/storage/bundle/packed-store";
import { PackedResponses } from "../../src/storage/bundle/response-pack";
import { SEED_HEADLINE, SEED_SLUG } from "./fixtures";

/** The main module's default export, as the runtime serves it. */
const worker = (workerExports as unknown as { default: Fetcher }).default;

/**
 * The deployed worker as wrangler builds it: src/index.ts with the data modules that
 * `npm test` builds first from seeds/, storing responses for https://example.com.
 */
describe("the worker built from seeds/", () => {
  it("publishes the seed in every feed and on its page", async () => {
    for (const path of ["/rss.xml", "/atom.xml", "/feed.json", "/topics/turkey/rss.xml", `/articles/${SEED_SLUG}`, "/", "/topics"]) {
      for (const origin of ["https://example.com", "https://another.example"]) {
        const res = await worker.fetch(`${origin}${path}`);
        const body = await res.text();
        expect([path, res.status]).toEqual([path, 200]);
        expect(body).toContain(path === "/topics" ? ">Turkey</a>" : SEED_HEADLINE);
        if (path === "/rss.xml") expect(body).toContain(`<atom:link href="${origin}/rss.xml" rel="self"`);
      }
    }
  });

  it("reads no files at run time: the content is the bundled data module", async () => {
    const res = await worker.fetch("https://example.com/feed.json");
    const json = (await res.json()) as { items: { id: string }[] };
    const listing = await new PackedStore(contentData).listing({}, 50, null);
    expect(json.items.map((i) => i.id)).toEqual(listing!.articles.map((a) => a.guid));
  });

  it("answers the build's stored paths with the stored bytes and headers", { timeout: 60_000 }, async () => {
    const stored = new PackedResponses(responsesData);
    expect(stored.origin).toBe("https://example.com");
    const paths = stored.paths().filter((p) => p.startsWith("/"));
    expect(paths).toEqual(expect.arrayContaining(["/", "/rss.xml", "/atom.xml", "/feed.json", "/topics", "/opml.xml", `/articles/${SEED_SLUG}`]));
    for (const path of paths) {
      const rep = stored.get(path)!;
      const res = await worker.fetch(`https://example.com${path}`, { headers: { "Accept-Encoding": "identity" } });
      expect([path, new Uint8Array(await res.arrayBuffer())]).toEqual([path, rep.identity.body]);
      expect([...res.headers]).toEqual([...rep.identity.headers]);
    }
  });
});
