/**
 * `npm start` as a user runs it: the content is built with responses stored for the origin
 * wrangler dev serves, which then answers from them; the articles' images are served as
 * static assets, cached for a year.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PackedResponses } from "../../src/storage/bundle/response-pack";
import { type DevServer, startDevServer } from "../browser/server";
import { ROOT } from "./project-copy";

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ articles: [join(ROOT, "test/fixtures/images")] });
}, 300_000);
afterAll(async () => server?.stop());

describe("npm start", () => {
  it("stores responses for its own origin, says so, and serves them byte for byte", async () => {
    const { origin } = server;
    expect(server.output()).toMatch(new RegExp(`build-content: stored \\d+ responses \\([\\d.]+ (KiB|MiB)\\) for ${origin.replace(/[.]/g, "\\.")}\\n`));
    const stored = new PackedResponses(new Uint8Array(readFileSync(join(server.project.dir, "src/generated/responses.bin"))));
    expect(stored.origin).toBe(origin);
    for (const path of ["/rss.xml", "/", "/topics/turkey/atom.xml", "/opml.xml", "/articles/turkey-reopens-harbour-after-storm"]) {
      const res = await fetch(`${origin}${path}`, { headers: { "Accept-Encoding": "identity" } });
      const rep = stored.get(path)!;
      expect([path, res.status, new Uint8Array(await res.arrayBuffer())]).toEqual([path, 200, rep.identity.body]);
      expect(res.headers.get("ETag")).toBe(rep.identity.etag);
    }
  });

  it("prints no warning or error (offline, only wrangler's note that it cannot fetch Request.cf)", () => {
    const offlineNote = /Unable to fetch the `Request\.cf` object|getaddrinfo|^\s+at /;
    const alarming = server
      .output()
      .split("\n")
      .filter((line) => /warn|error|✘|▲/i.test(line) && !offlineNote.test(line));
    expect(alarming).toEqual([]);
  });

  it("serves another origin too, rendering for it", async () => {
    const other = server.origin.replace("127.0.0.1", "localhost");
    const body = await (await fetch(`${other}/rss.xml`)).text();
    expect(body).toContain(`<atom:link href="${other}/rss.xml" rel="self"`);
  });

  it("serves an article's image as a static asset: its type, a year of caching, nosniff, and 304 for its ETag", async () => {
    const page = await (await fetch(`${server.origin}/articles/turkey-reopens-harbour-after-storm`)).text();
    const src = /<figure><img src="(\/media\/[0-9a-f]{16}\.jpg)"/.exec(page)![1]!;
    const res = await fetch(`${server.origin}${src}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes).toEqual(new Uint8Array(readFileSync(join(ROOT, "test/fixtures/images/harbour.jpg"))));
    expect([res.status, res.headers.get("Content-Type"), res.headers.get("Cache-Control"), res.headers.get("X-Content-Type-Options")]).toEqual([
      200,
      "image/jpeg",
      "public, max-age=31536000, immutable",
      "nosniff",
    ]);
    const etag = res.headers.get("ETag")!;
    expect(etag).toBeTruthy();
    const again = await fetch(`${server.origin}${src}`, { headers: { "If-None-Match": etag } });
    expect([again.status, (await again.arrayBuffer()).byteLength]).toEqual([304, 0]);
    expect(server.output()).toContain("build-content: 1 image(s) no article names, published anyway: seeds/map.webp");
  });
});
