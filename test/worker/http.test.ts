import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { chooseEncoding } from "../../src/http/accept-encoding";
import { notModifiedVariant, parseEntityTags } from "../../src/http/conditional";
import { parseHttpDate } from "../../src/http/http-date";
import { bundle, content, SEED_SLUG, seedFile, worker } from "./fixtures";

const FEEDS = ["/rss.xml", "/atom.xml", "/feed.json", "/topics/turkey/rss.xml", "/topics/turkey/atom.xml", "/topics/turkey/feed.json"];
const PAGES = ["/", "/topics", "/topics/turkey", `/articles/${SEED_SLUG}`];
const LAST_MODIFIED = "Wed, 30 Dec 2020 12:00:00 GMT";

async function seedWorker(env = {}) {
  return worker(await content([seedFile()]), env);
}

describe("caching headers", () => {
  it("a feed carries exactly its type, a strong ETag, Last-Modified, Cache-Control and Vary", async () => {
    const res = await (await seedWorker())("/rss.xml");
    const body = await res.text();
    expect(Object.fromEntries(res.headers)).toEqual({
      "access-control-allow-origin": "*",
      "access-control-expose-headers": "ETag, Last-Modified",
      "cache-control": "public, max-age=300, stale-while-revalidate=86400",
      "content-length": String(new TextEncoder().encode(body).byteLength),
      "content-type": "application/rss+xml; charset=utf-8",
      etag: res.headers.get("ETag"),
      "last-modified": LAST_MODIFIED,
      // WebSub §4: the hub and the topic's own URL.
      link: '<http://localhost/websub>; rel="hub", <http://localhost/rss.xml>; rel="self"',
      vary: "Accept-Encoding",
      "x-content-type-options": "nosniff",
    });
    expect(res.headers.get("ETag")).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it("CACHE_MAX_AGE sets max-age", async () => {
    const res = await (await seedWorker({ CACHE_MAX_AGE: "60" }))("/atom.xml");
    await res.text();
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=60, stale-while-revalidate=86400");
  });

  it.each([...FEEDS, ...PAGES])("%s: the ETag is the hash of the bytes, the same in a fresh isolate", async (path) => {
    const a = await (await seedWorker())(path);
    const b = await (await seedWorker())(path);
    const body = new Uint8Array(await a.arrayBuffer());
    await b.arrayBuffer();
    const hash = [...new Uint8Array(await crypto.subtle.digest("SHA-256", body))].map((x) => x.toString(16).padStart(2, "0")).join("");
    expect(a.headers.get("ETag")).toBe(`"${hash.slice(0, 32)}"`);
    expect(b.headers.get("ETag")).toBe(a.headers.get("ETag"));
    expect(a.headers.get("Last-Modified")).toBe(LAST_MODIFIED);
  });
});

describe("conditional GET (RFC 9110 §13)", () => {
  async function etagOf(fetch: Awaited<ReturnType<typeof seedWorker>>, path: string) {
    const res = await fetch(path);
    await res.text();
    return res.headers.get("ETag")!;
  }

  it.each([...FEEDS, ...PAGES])("%s: If-None-Match with its ETag gives 304 with validators and no body", async (path) => {
    const fetch = await seedWorker();
    const etag = await etagOf(fetch, path);
    const res = await fetch(path, { headers: { "If-None-Match": etag } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe("");
    expect(res.headers.get("ETag")).toBe(etag);
    expect(res.headers.get("Last-Modified")).toBe(LAST_MODIFIED);
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=300, stale-while-revalidate=86400");
    expect(res.headers.get("Vary")).toBe("Accept-Encoding");
    expect(res.headers.get("Content-Type")).toBeNull();
  });

  it("matches weakly, in a list, and with *", async () => {
    const fetch = await seedWorker();
    const etag = await etagOf(fetch, "/feed.json");
    for (const header of [`W/${etag}`, `"nope", ${etag}`, `"a",W/"b",  ${etag} `, "*"]) {
      const res = await fetch("/feed.json", { headers: { "If-None-Match": header } });
      await res.text();
      expect([header, res.status]).toEqual([header, 304]);
    }
  });

  it("a different or malformed tag gives the full 200", async () => {
    const fetch = await seedWorker();
    const etag = await etagOf(fetch, "/feed.json");
    for (const header of ['"other"', etag.slice(1, -1), "W/", `${etag.slice(0, -2)}"`, ""]) {
      const res = await fetch("/feed.json", { headers: { "If-None-Match": header } });
      expect((await res.text()).length).toBeGreaterThan(0);
      expect([header, res.status]).toEqual([header, 200]);
    }
  });

  it("If-Modified-Since gives 304 when the feed has not changed since that date", async () => {
    const fetch = await seedWorker();
    for (const [since, status] of [
      [LAST_MODIFIED, 304],
      ["Thu, 31 Dec 2020 00:00:00 GMT", 304],
      ["Wednesday, 30-Dec-20 12:00:00 GMT", 304],
      ["Wed Dec 30 12:00:00 2020", 304],
      ["Wed, 30 Dec 2020 11:59:59 GMT", 200],
      ["2020-12-31", 200],
      ["not a date", 200],
      ["Wed, 30 Dec 2020 12:00:00 GMT, Thu, 31 Dec 2020 00:00:00 GMT", 200],
    ] as const) {
      const res = await fetch("/rss.xml", { headers: { "If-Modified-Since": since } });
      await res.text();
      expect([since, res.status]).toEqual([since, status]);
    }
  });

  it("If-Modified-Since is ignored when If-None-Match is present", async () => {
    const fetch = await seedWorker();
    const res = await fetch("/rss.xml", { headers: { "If-None-Match": '"other"', "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT" } });
    await res.text();
    expect(res.status).toBe(200);
  });
});

describe("HEAD", () => {
  it.each([...FEEDS, ...PAGES])("%s: HEAD has the GET headers and no body", async (path) => {
    const fetch = await seedWorker();
    const get = await fetch(path);
    await get.text();
    const head = await fetch(path, { method: "HEAD" });
    expect(await head.text()).toBe("");
    expect(head.status).toBe(200);
    expect(Object.fromEntries(head.headers)).toEqual(Object.fromEntries(get.headers));
  });

  it("a conditional HEAD gives 304", async () => {
    const fetch = await seedWorker();
    const res = await fetch("/atom.xml", { method: "HEAD", headers: { "If-Modified-Since": LAST_MODIFIED } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe("");
  });
});

describe("errors", () => {
  it.each(["/nope", "/topics/no-such-topic", "/topics/no-such-topic/rss.xml", "/articles/no-such-article", "/rss.xml/", "/topics/turkey/", "/RSS.XML"])(
    "%s is a 404 page",
    async (path) => {
      const res = await (await seedWorker())(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
      const body = await res.text();
      expect(body).toContain("<h1>Page not found</h1>");
      expect(body).toContain('<a href="/">latest articles</a>');
    },
  );

  it.each(["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])("%s answers 405 with Allow", async (method) => {
    const fetch = await seedWorker();
    for (const path of ["/rss.xml", "/", "/nope"]) {
      const res = await fetch(path, { method, body: method === "OPTIONS" ? undefined : "x" });
      expect(res.status).toBe(405);
      expect(res.headers.get("Allow")).toBe("GET, HEAD");
      expect(await res.text()).toBe("Method not allowed: this site is read-only (GET and HEAD).\n");
    }
  });
});

describe("header parsing", () => {
  it("reads entity tag lists", () => {
    expect(parseEntityTags('"a", W/"b" ,"c"')).toEqual(["a", "b", "c"]);
    expect(parseEntityTags(" * ")).toBe("*");
    expect(parseEntityTags("a, b")).toEqual([]);
  });

  it("reads the three HTTP-date forms and nothing else", () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(t);
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT")).toBe(t);
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994")).toBe(t);
    expect(parseHttpDate("Sun, 31 Feb 1994 08:49:37 GMT")).toBeNull();
    expect(parseHttpDate("1994-11-06T08:49:37Z")).toBeNull();
    expect(parseHttpDate("0")).toBeNull();
  });

  it("a representation without Last-Modified ignores If-Modified-Since", () => {
    const headers = new Headers({ "If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT" });
    expect(notModifiedVariant(headers, { etags: new Map([["x", "v"]]), lastModified: null }, "v")).toBeNull();
  });

  it("chooses br, then gzip, then identity, by q-value (RFC 9110 §12.5.3)", () => {
    const both = ["br", "gzip"] as const;
    expect(chooseEncoding(null, both)).toBe("identity");
    expect(chooseEncoding("gzip, deflate, br", both)).toBe("br");
    expect(chooseEncoding("gzip, br;q=0.5", both)).toBe("gzip");
    expect(chooseEncoding("br;q=0, gzip;q=0.1", both)).toBe("gzip");
    expect(chooseEncoding("*", both)).toBe("br");
    expect(chooseEncoding("identity;q=0, gzip;q=0", both)).toBe("identity");
    expect(chooseEncoding("deflate", both)).toBe("identity");
    expect(chooseEncoding("x-gzip", both)).toBe("gzip");
    expect(chooseEncoding("br, gzip", [])).toBe("identity");
    expect(chooseEncoding("GZIP;Q=1", both)).toBe("gzip");
  });
});

describe("compression", () => {
  it.each([...FEEDS, ...PAGES])("%s: br and gzip bytes are made once, decode to the same body, and carry their own strong ETag", async (path) => {
    const fetch = await seedWorker();
    const plain = await fetch(path);
    const text = await plain.text();
    const gz = await fetch(path, { headers: { "Accept-Encoding": "gzip" } });
    const br = await fetch(path, { headers: { "Accept-Encoding": "gzip, deflate, br" } });
    const gzBytes = new Uint8Array(await gz.arrayBuffer());
    const brBytes = new Uint8Array(await br.arrayBuffer());
    expect(gz.headers.get("Content-Encoding")).toBe("gzip");
    expect(br.headers.get("Content-Encoding")).toBe("br");
    expect(plain.headers.get("Content-Encoding")).toBeNull();
    expect(new TextDecoder().decode(gunzipSync(gzBytes))).toBe(text);
    expect(new TextDecoder().decode(brotliDecompressSync(brBytes))).toBe(text);
    expect(gz.headers.get("Content-Length")).toBe(String(gzBytes.byteLength));
    expect(br.headers.get("Content-Length")).toBe(String(brBytes.byteLength));
    expect(brBytes.byteLength).toBeLessThan(new TextEncoder().encode(text).byteLength);
    const tag = plain.headers.get("ETag")!;
    expect(gz.headers.get("ETag")).toBe(`${tag.slice(0, -1)}-gzip"`);
    expect(br.headers.get("ETag")).toBe(`${tag.slice(0, -1)}-br"`);
    for (const res of [plain, gz, br]) expect(res.headers.get("Vary")).toBe("Accept-Encoding");
  });

  it("a 304 answers any coding's tag, and repeats the tag it matched", async () => {
    const fetch = await seedWorker();
    const br = await fetch("/atom.xml", { headers: { "Accept-Encoding": "br" } });
    await br.arrayBuffer();
    const again = await fetch("/atom.xml", { headers: { "Accept-Encoding": "br", "If-None-Match": br.headers.get("ETag")! } });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(br.headers.get("ETag"));
    expect(again.headers.get("Content-Encoding")).toBeNull();
    await again.text();
    const other = await fetch("/atom.xml", { headers: { "Accept-Encoding": "gzip", "If-None-Match": br.headers.get("ETag")! } });
    expect(other.status).toBe(304);
    await other.text();
  });

  it("HEAD with br has the GET headers: the br length and coding", async () => {
    const fetch = await seedWorker();
    const get = await fetch("/feed.json", { headers: { "Accept-Encoding": "br" } });
    await get.arrayBuffer();
    const head = await fetch("/feed.json", { method: "HEAD", headers: { "Accept-Encoding": "br" } });
    expect(await head.text()).toBe("");
    expect(Object.fromEntries(head.headers)).toEqual(Object.fromEntries(get.headers));
  });

  it("bodies under 512 bytes are not compressed", async () => {
    const fetch = await seedWorker();
    const res = await fetch("/favicon.ico", { headers: { "Accept-Encoding": "br, gzip" } });
    await res.arrayBuffer();
    expect(res.headers.get("Content-Encoding")).toBeNull();
    expect(res.headers.get("Content-Type")).toBe("image/svg+xml");
  });
});

describe("/healthz", () => {
  it("answers ok, uncached, for GET and HEAD", async () => {
    const fetch = await seedWorker();
    const res = await fetch("/healthz");
    expect(await res.text()).toBe("ok");
    expect(Object.fromEntries(res.headers)).toEqual({ "cache-control": "no-store", "content-type": "text/plain; charset=utf-8" });
    const head = await fetch("/healthz", { method: "HEAD" });
    expect(await head.text()).toBe("");
    expect(head.status).toBe(200);
  });
});

describe("compression behind the Workers runtime", () => {
  it("chooses by the client's own Accept-Encoding (request.cf.clientAcceptEncoding), not the runtime's rewrite", async () => {
    const app = (await import("../../src/app")).createApp(bundle(await content([seedFile()])));
    for (const [client, coding] of [
      ["identity", null],
      ["gzip", "gzip"],
      ["gzip, deflate, br", "br"],
    ] as const) {
      const req = new Request("http://localhost/rss.xml", { headers: { "Accept-Encoding": "br, gzip" }, cf: { clientAcceptEncoding: client } });
      const res = await app.request(req, undefined, {});
      await res.arrayBuffer();
      expect([client, res.headers.get("Content-Encoding")]).toEqual([client, coding]);
    }
  });
});

describe("stored responses", () => {
  it("the second request is answered from the stored bytes; query strings and percent-encoding reach the same ones", async () => {
    const fetch = await seedWorker();
    const first = await fetch("/rss.xml");
    const body = await first.text();
    for (const path of ["/rss.xml", "/rss.xml?utm_source=reader", "/rss%2Exml", "/%72ss.xml"]) {
      const res = await fetch(path);
      expect([path, await res.text()]).toEqual([path, body]);
      expect(res.headers.get("ETag")).toBe(first.headers.get("ETag"));
    }
  });

  it("settings that differ get responses of their own", async () => {
    const c = await content([seedFile()]);
    const { createApp } = await import("../../src/app");
    const app = createApp(bundle(c));
    const a = await (await app.request("http://localhost/feed.json", {}, { SITE_TITLE: "A" })).json();
    const b = await (await app.request("http://localhost/feed.json", {}, { SITE_TITLE: "B" })).json();
    expect([(a as { title: string }).title, (b as { title: string }).title]).toEqual(["A", "B"]);
  });
});
