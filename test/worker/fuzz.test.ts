import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { content, SEED_SLUG, seedFile, worker } from "./fixtures";

/** Request paths built from pieces that break naive routers and decoders. */
const segment = fc.oneof(
  fc.constantFrom(
    "topics",
    "articles",
    "rss.xml",
    "atom.xml",
    "feed.json",
    "turkey",
    SEED_SLUG,
    "..",
    ".",
    "",
    "%00",
    "%2F",
    "%2e%2e",
    "%C0%AF",
    "%E0%80%AF",
    "%ff",
    "%",
    "%zz",
    "%u002e",
    "%252F",
    "<script>",
    "\"'><img src=x onerror=alert(1)>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "~",
    ";",
    "@",
    "\u00e9",
    "%F0%9F%98%80",
    "a".repeat(300),
  ),
  fc.string({ unit: "grapheme-ascii", maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: "binary", maxLength: 6 }).map(encodeURIComponent),
);
const path = fc
  .tuple(fc.array(segment, { minLength: 0, maxLength: 5 }), fc.option(fc.string({ unit: "grapheme-ascii", maxLength: 20 }).map((q) => q.replace(/[#\s]/g, ""))))
  .map(([parts, query]) => `/${parts.join("/")}${query === null ? "" : `?${query}`}`);

/** Header values a client (or an attacker) might send. */
const headerValue = fc.oneof(
  fc.constantFrom(
    "*",
    "W/",
    '"',
    '""',
    'W/"x"',
    ",,,,",
    'W/"", *',
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sun, 31 Feb 1994 08:49:37 GMT",
    "0",
    "-1",
    "99999999999999999999",
    "text/html",
    "*/*;q=0",
    "application/rss+xml;q=1.1",
    "<script>",
    "gzip, br, deflate;q=0",
  ),
  fc.string({ unit: "grapheme-ascii", maxLength: 40 }).map((s) => s.replace(/[\r\n\0]/g, "")),
  fc.string({ unit: "grapheme-ascii", minLength: 4000, maxLength: 9000 }).map((s) => s.replace(/[\r\n\0]/g, "")),
);

// Methods the runtime can carry; it refuses others (e.g. BREW) before the worker runs.
const method = fc.constantFrom(
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "TRACE",
  "PROPFIND",
  "PURGE",
  "COPY",
  "MKCOL",
  "SEARCH",
  "REPORT",
  "QUERY",
  "get",
  "head",
);

describe("request fuzzing", () => {
  it("never answers 5xx, never reflects input unescaped, and HEAD agrees with GET", async () => {
    const fetch = worker(await content([seedFile()]));
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        fc.record(
          { "If-None-Match": headerValue, "If-Modified-Since": headerValue, Accept: headerValue, "Accept-Encoding": headerValue },
          { requiredKeys: [] },
        ),
        async (m, p, headers) => {
          const res = await fetch(p, { method: m, headers });
          const body = await res.text();
          expect(res.status).toBeLessThan(500);
          expect([200, 304, 404, 405]).toContain(res.status);
          if (res.status === 405) expect(res.headers.get("Allow")).toBe("GET, HEAD");
          // Nothing the client sent comes back as markup.
          expect(body).not.toMatch(/<script>|onerror=|<img src=x/i);
          if (m === "GET" && res.status !== 405) {
            const head = await fetch(p, { method: "HEAD", headers });
            expect(await head.text()).toBe("");
            expect(head.status).toBe(res.status);
            expect(Object.fromEntries(head.headers)).toEqual(Object.fromEntries(res.headers));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("safe by default", () => {
  it("with SITE_URL set, no request header changes any URL in any response", async () => {
    const c = await content([seedFile()]);
    const env = { SITE_URL: "https://news.example.org" };
    const paths = ["/", "/topics", "/topics/turkey", `/articles/${SEED_SLUG}`, "/rss.xml", "/atom.xml", "/feed.json", "/topics/turkey/atom.xml", "/nope"];
    const hostile = {
      Host: "evil.example",
      "X-Forwarded-Host": "evil.example",
      "X-Forwarded-Proto": "http",
      Forwarded: "host=evil.example;proto=http",
      "X-Original-URL": "/evil",
      "X-Rewrite-URL": "/evil",
    };
    for (const p of paths) {
      const plain = await worker(c, env)(`https://news.example.org${p}`);
      const attacked = await worker(c, env)(`http://evil.example${p}`, { headers: hostile });
      const body = await attacked.text();
      expect(body).toBe(await plain.text());
      expect(body).not.toContain("evil");
      expect(attacked.headers.get("ETag")).toBe(plain.headers.get("ETag"));
    }
  });

  it("feeds: nosniff, open CORS, no cookies; pages: a CSP that runs no script and cannot be framed", async () => {
    const fetch = worker(await content([seedFile()]));
    for (const p of ["/rss.xml", "/atom.xml", "/feed.json", "/topics/turkey/feed.json"]) {
      const res = await fetch(p);
      await res.text();
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(res.headers.get("Set-Cookie")).toBeNull();
    }
    for (const p of ["/", "/topics", "/topics/turkey", `/articles/${SEED_SLUG}`, "/nope"]) {
      const res = await fetch(p);
      await res.text();
      const csp = res.headers.get("Content-Security-Policy")!;
      expect(csp).toMatch(/^default-src 'none';/);
      expect(csp).not.toMatch(/script-src/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Set-Cookie")).toBeNull();
    }
  });
});
