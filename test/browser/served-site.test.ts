/**
 * The site as `npm start` serves it (the content built with responses stored for the origin
 * wrangler dev serves, which then answers from them; the articles' images as static assets),
 * and its pages in a real browser: Debian's Chromium, headless, driven by playwright-core.
 * One server for both: starting one costs seconds of CPU.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseOpml } from "feedsmith";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PackedStore } from "../../src/storage/bundle/packed-store";
import { PackedResponses } from "../../src/storage/bundle/response-pack";
import { type DevServer, startDevServer } from "./server";

const ROOT = resolve(import.meta.dirname, "../..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const OUT = join(ROOT, "test-results");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const hasChromium = existsSync(CHROMIUM);
// CI installs Chromium (.ci/run); elsewhere these tests run when it is there.
// The tests open pages of their own in one browser, side by side: much of their time is the
// wait for the network to go idle.
const describeBrowser = hasChromium || process.env.CI ? describe.concurrent : describe.skip;
if (!hasChromium && !process.env.CI) console.warn(`served-site.test.ts: no Chromium at ${CHROMIUM} (apt-get install chromium); browser tests skipped`);

/** The site served: the seed, and articles with pictures (test/fixtures/images). */
const ARTICLE_SLUG = "turkey-reopens-harbour-after-storm";
const TOPIC = "turkey";
const PAGES: [name: string, path: string, status: number][] = [
  ["home", "/", 200],
  ["topics", "/topics", 200],
  ["topic", `/topics/${TOPIC}`, 200],
  ["author", "/authors/ayse-demir", 200],
  ["authors", "/authors", 200],
  ["source", "/sources/ap", 200],
  ["article", `/articles/${ARTICLE_SLUG}`, 200],
  ["not-found", "/no/such/page", 404],
];

/** The stats page's token (.dev.vars of the served copy). */
const STATS_TOKEN = "browser-stats-token";
const DAY_MS = 86_400_000;

/**
 * 90 days of reader counts, as the isolates and the cron would have written them, ending
 * today: the main RSS feed (Feedly, Inoreader, Miniflux, a crawler) and the Atom feed.
 */
function readerHistory(now: number): string {
  const rows: string[] = [];
  const today = new Date(now).toISOString().slice(0, 10);
  for (let i = 89; i >= 0; i--) {
    const day = new Date(now - i * DAY_MS).toISOString().slice(0, 10);
    const feedly = 300 + (89 - i) * 2 + (i % 5);
    const polls = 400 + (i % 11);
    rows.push(
      `INSERT INTO reader_polls VALUES ('${day}', '/rss.xml', ${polls}, ${Math.floor(polls * 0.8)});`,
      `INSERT INTO reader_polls VALUES ('${day}', '/atom.xml', 120, 90);`,
      `INSERT INTO reader_sources VALUES ('${day}', '/rss.xml', 'aggregator', 'Feedly', '', ${feedly}, 288);`,
      `INSERT INTO reader_sources VALUES ('${day}', '/rss.xml', 'aggregator', 'Inoreader', '', ${100 + (i % 9)}, 96);`,
      `INSERT INTO reader_sources VALUES ('${day}', '/rss.xml', 'crawler', 'Googlebot', '', 0, 12);`,
      `INSERT INTO reader_sources VALUES ('${day}', '/atom.xml', 'aggregator', 'Feedbin', '1234', ${40 + (i % 4)}, 96);`,
      `INSERT INTO reader_sources VALUES ('${day}', '/rss.xml', 'reader', 'Miniflux', '', ${day === today ? 0 : 20 + (i % 7)}, 30);`,
    );
  }
  // Today is open: its other readers are hashes (these stand in for the day's HMACs) under today's key.
  rows.push(`INSERT INTO reader_keys VALUES ('${today}', '${"0".repeat(64)}');`);
  for (let k = 0; k < 23; k++) rows.push(`INSERT INTO reader_clients VALUES ('${today}', '/rss.xml', 'Miniflux', '${k.toString(16).padStart(32, "0")}');`);
  return `${rows.join("\n")}\n`;
}

let server: DevServer;
let browser: Browser;
/** The browser's two profiles: one as a reader's; one whose pages accept injected scripts (axe), which their CSP forbids. */
let reader: BrowserContext;
let inspector: BrowserContext;

beforeAll(async () => {
  // The bundled mode with a D1 database bound: it holds the reader counts (README, Readers).
  server = await startDevServer({
    articles: [join(ROOT, "test/fixtures/images")],
    database: { sql: readerHistory(Date.now()), devVars: `STATS_TOKEN=${STATS_TOKEN}\n` },
  });
  if (!hasChromium && !process.env.CI) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // A profile (context) costs Chromium about a second of CPU to make, twice what a page in
  // one costs: the tests share two, and change a page's width and colour scheme in place
  // (CSS media queries apply again as they change) rather than open it again.
  [reader, inspector] = await Promise.all([browser.newContext(), browser.newContext({ bypassCSP: true })]);
  // Remote pictures (https://images.example.org/…, in the fixtures) come from the fixture files: this machine has no Internet.
  const fixture = readFileSync(join(ROOT, "test/fixtures/images/map.webp"));
  for (const context of [reader, inspector])
    await context.route("https://images.example.org/**", (route) => route.fulfill({ body: fixture, contentType: "image/webp" }));
  mkdirSync(join(OUT, "screenshots"), { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens a page and records every console error, page error, failed request and HTTP error. */
async function open(path: string, options: { width?: number; inspect?: boolean; headers?: Record<string, string> } = {}) {
  const page = await (options.inspect ? inspector : reader).newPage();
  if (options.headers !== undefined) await page.setExtraHTTPHeaders(options.headers);
  await page.setViewportSize({ width: options.width ?? 1280, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });
  const problems: string[] = [];
  const url = `${server.origin}${path}`;
  // The 404 page's own status is expected; the browser logs it as an error.
  page.on("console", (m) => m.type() === "error" && m.location().url !== url && problems.push(`console: ${m.text()} (${m.location().url})`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && r.url() !== url && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  // The pages run no script: everything they load (styles, pictures) is loaded by their load event.
  const response = await page.goto(url, { waitUntil: "load" });
  return { page, response, problems, close: () => page.close() };
}

/** Each page as a reader first opens it, once, for the tests that look at it. */
const visits = new Map<string, ReturnType<typeof visit>>();
async function visit(path: string) {
  const { page, response, problems, close } = await open(path);
  const links = await page.$$eval('link[rel="alternate"], a[type]', (els) => els.map((el) => [el.getAttribute("href")!, el.getAttribute("type")!] as const));
  await close();
  return { status: response?.status(), problems, links };
}
const visited = (path: string) => visits.get(path) ?? visits.set(path, visit(path)).get(path)!;

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

async function runAxe(page: Page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const results = await (
      window as unknown as {
        axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[]; passes: unknown[] }> };
      }
    ).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return { violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })), passes: results.passes.length };
  });
}

describeBrowser("pages in Chromium", () => {
  it.each(PAGES)("%s (%s) loads with no console errors and no failed requests", async (_name, path, status) => {
    const { status: answered, problems } = await visited(path);
    expect([answered, problems]).toEqual([status, []]);
  });

  it.each(PAGES)("%s: every autodiscovery and feed link answers 200 with its type", async (_name, path) => {
    const { links } = await visited(path);
    expect(links.length).toBeGreaterThanOrEqual(3);
    for (const [href, type] of links) {
      const res = await fetch(new URL(href, server.origin));
      await res.arrayBuffer();
      expect([href, res.status, res.headers.get("Content-Type")]).toEqual([href, 200, `${type}; charset=utf-8`]);
    }
  });

  it("the OPML parses and lists every topic feed, each answering 200", async () => {
    const res = await fetch(`${server.origin}/opml.xml`);
    const opml = parseOpml(await res.text());
    const outlines = opml.body!.outlines!;
    const topicFolder = outlines.find((o) => o.outlines)!;
    const urls = [outlines[0]!.xmlUrl!, ...topicFolder.outlines!.map((o) => o.xmlUrl!)];
    const served = new PackedStore(new Uint8Array(readFileSync(join(server.project.dir, "src/generated/content.bin"))));
    const inUse = (await served.snapshot()).topics.filter((t) => t.count > 0).map((t) => t.topic.slug);
    expect(
      urls
        .slice(1)
        .map((u) => new URL(u).pathname)
        .sort(),
    ).toEqual(inUse.map((t) => `/topics/${t}/rss.xml`).sort());
    for (const url of urls) {
      const feed = await fetch(url);
      await feed.arrayBuffer();
      expect([url, feed.status, feed.headers.get("Content-Type")]).toEqual([url, 200, "application/rss+xml; charset=utf-8"]);
    }
  });

  it("no serious or critical accessibility violations (axe-core), in light and dark", async () => {
    const report: Record<string, unknown> = {};
    for (const [name, path] of PAGES) {
      const { page, close } = await open(path, { inspect: true });
      for (const colorScheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme });
        const result = await runAxe(page);
        report[`${name}-${colorScheme}`] = result;
        expect([name, colorScheme, result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")]).toEqual([name, colorScheme, []]);
      }
      await close();
    }
    writeFileSync(join(OUT, "axe-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  });

  it("the stats page, with 90 days of counts: a chart per feed with its table, no failed request, axe clean in light and dark; screenshots", async () => {
    const { page, response, problems, close } = await open("/stats", { inspect: true, headers: { Authorization: `Bearer ${STATS_TOKEN}` } });
    expect([response?.status(), problems]).toEqual([200, []]);
    const charts = await page.$$eval("svg.chart", (svgs) =>
      svgs.map((svg) => ({
        name: svg.querySelector("title")?.textContent,
        label: svg.getAttribute("aria-labelledby"),
        bars: svg.querySelectorAll("rect.bar").length,
        drawn: svg.getBoundingClientRect().height > 100,
      })),
    );
    expect(charts).toEqual([
      { name: "Readers of /rss.xml per day", label: "feed-0-title feed-0-desc", bars: 90, drawn: true },
      { name: "Readers of /atom.xml per day", label: "feed-1-title feed-1-desc", bars: 90, drawn: true },
    ]);
    // Today's readers of /rss.xml: Feedly 478 + Inoreader 100 + 23 Miniflux clients, and the other tests' own
    // fetches of the feed, which this site counts too (they run beside this one): at least 23 others.
    const summary = await page.$eval("table tbody tr", (row) => Array.from(row.querySelectorAll("th, td"), (c) => c.textContent!));
    const [feed, readers, aggregators, hub, others, polls] = [summary[0], ...summary.slice(1, 6).map((n) => Number(n!.replace(/,/g, "")))];
    expect([feed, aggregators, hub, readers === aggregators! + hub! + others!, others! >= 23, polls! >= 400]).toEqual(["/rss.xml", 578, 0, true, true, true]);
    const lastRow = await page.$eval("section details table tbody tr", (row) => Array.from(row.querySelectorAll("th, td"), (c) => c.textContent));
    expect(lastRow).toEqual([new Date().toISOString().slice(0, 10), summary[1]]);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      const result = await runAxe(page);
      expect([colorScheme, result.violations]).toEqual([colorScheme, []]);
      await page.screenshot({ path: join(OUT, "screenshots", `stats-${colorScheme}-1280.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 390, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await close();
    const refused = await fetch(`${server.origin}/stats`);
    expect([refused.status, refused.headers.get("WWW-Authenticate")]).toEqual([401, 'Basic realm="stats", charset="UTF-8", Bearer realm="stats"']);
    await refused.arrayBuffer();
    // A browser answers the Basic challenge with what the publisher types in (here, given up front to the profile).
    const withPassword = await browser.newContext({ httpCredentials: { username: "publisher", password: STATS_TOKEN } });
    const prompted = await (await withPassword.newPage()).goto(`${server.origin}/stats`);
    expect([prompted?.status(), (await prompted?.text())?.includes("Readers per day, the last 90 days (UTC).")]).toEqual([200, true]);
    await withPassword.close();
  });

  it("the keyboard reaches a visible skip link first, and it leads to the content", async () => {
    const { page, close } = await open("/");
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLAnchorElement;
      const box = el.getBoundingClientRect();
      return { text: el.textContent, href: el.getAttribute("href"), visible: box.left >= 0 && box.width > 0 };
    });
    expect(focused).toEqual({ text: "Skip to content", href: "#content", visible: true });
    await close();
  });

  it("an article's picture shows above its text, loaded, with its caption; the list shows thumbnails", async () => {
    const { page, problems, close } = await open(`/articles/${ARTICLE_SLUG}`);
    const figure = await page.$eval("article figure img", (img) => {
      const image = img as HTMLImageElement;
      const box = image.getBoundingClientRect();
      return {
        loaded: image.complete && image.naturalWidth > 0,
        natural: [image.naturalWidth, image.naturalHeight],
        shown: box.width > 0 && box.height > 0,
        beforeText: !!image.closest("figure")!.nextElementSibling?.matches(".article-body"),
      };
    });
    expect(figure).toEqual({ loaded: true, natural: [1200, 800], shown: true, beforeText: true });
    expect(await page.$eval("article figcaption", (el) => el.textContent)).toBe("Ships wait to enter the harbour of Istanbul. Photo by Ayşe Demir / Edge News");
    await page.screenshot({ path: join(OUT, "screenshots", "article-picture-1280.png"), fullPage: true });
    expect(problems).toEqual([]);
    await close();
    const home = await open("/");
    // Thumbnails load lazily and do not hold up the page's load event: each is brought into
    // view, as a reader scrolling would, and waited for.
    const thumbnails = await home.page.$$eval("img.thumbnail", (imgs) =>
      Promise.all(
        (imgs as HTMLImageElement[]).map(async (img) => {
          img.scrollIntoView();
          if (!img.complete) {
            await new Promise((settled) => {
              img.addEventListener("load", settled, { once: true });
              img.addEventListener("error", settled, { once: true });
            });
          }
          return img.naturalWidth > 0 && img.getBoundingClientRect().width <= 130;
        }),
      ),
    );
    expect(thumbnails.length).toBeGreaterThanOrEqual(2);
    expect(thumbnails.every(Boolean)).toBe(true);
    await home.close();
  });

  it("fits a phone and a desktop without horizontal scrolling; screenshots of each page type", async () => {
    for (const [name, path] of PAGES) {
      // Opened at a phone's width, then widened: the layout is CSS alone, laid out again for each width.
      const { page, close } = await open(path, { width: 390 });
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect([name, width, overflow]).toEqual([name, width, 0]);
        await page.screenshot({ path: join(OUT, "screenshots", `${name}-${width}.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 390, height: 900 });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.screenshot({ path: join(OUT, "screenshots", `${name}-390-dark.png`), fullPage: true });
      await close();
    }
  });
});
