/**
 * The pages in a real browser: Debian's Chromium, headless, driven by playwright-core,
 * against the worker served by `wrangler dev` on 127.0.0.1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseOpml } from "feedsmith";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PackedStore } from "../../src/storage/bundle/packed-store";
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
if (!hasChromium && !process.env.CI) console.warn(`pages.browser.test.ts: no Chromium at ${CHROMIUM} (apt-get install chromium); browser tests skipped`);

/** The site served: the seed, and articles with pictures (test/fixtures/images). */
const ARTICLE_SLUG = "turkey-reopens-harbour-after-storm";
const TOPIC = "turkey";
const PAGES: [name: string, path: string, status: number][] = [
  ["home", "/", 200],
  ["topics", "/topics", 200],
  ["topic", `/topics/${TOPIC}`, 200],
  ["article", `/articles/${ARTICLE_SLUG}`, 200],
  ["not-found", "/no/such/page", 404],
];

let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium && !process.env.CI) return;
  server = await startDevServer({ articles: [join(ROOT, "test/fixtures/images")] });
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
  mkdirSync(join(OUT, "screenshots"), { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens a page and records every console error, page error, failed request and HTTP error. */
async function open(path: string, options: { width?: number; colorScheme?: "light" | "dark"; bypassCSP?: boolean } = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.colorScheme ?? "light",
    bypassCSP: options.bypassCSP ?? false,
  });
  // Remote pictures (https://images.example.org/…, in the fixtures) come from the fixture files: this machine has no Internet.
  await context.route("https://images.example.org/**", (route) =>
    route.fulfill({ body: readFileSync(join(ROOT, "test/fixtures/images/map.webp")), contentType: "image/webp" }),
  );
  const page = await context.newPage();
  const problems: string[] = [];
  const url = `${server.origin}${path}`;
  // The 404 page's own status is expected; the browser logs it as an error.
  page.on("console", (m) => m.type() === "error" && m.location().url !== url && problems.push(`console: ${m.text()} (${m.location().url})`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && r.url() !== url && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  const response = await page.goto(url, { waitUntil: "networkidle" });
  return { page, response, problems, close: () => context.close() };
}

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
    const { response, problems, close } = await open(path);
    expect(response?.status()).toBe(status);
    expect(problems).toEqual([]);
    await close();
  });

  it.each(PAGES)("%s: every autodiscovery and feed link answers 200 with its type", async (_name, path) => {
    const { page, close } = await open(path);
    const links = await page.$$eval('link[rel="alternate"], a[type]', (els) => els.map((el) => [el.getAttribute("href")!, el.getAttribute("type")!] as const));
    await close();
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
      for (const colorScheme of ["light", "dark"] as const) {
        // axe is injected as a script, which the pages' CSP forbids; this context lifts it.
        const { page, close } = await open(path, { colorScheme, bypassCSP: true });
        const result = await runAxe(page);
        await close();
        report[`${name}-${colorScheme}`] = result;
        expect([name, colorScheme, result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")]).toEqual([name, colorScheme, []]);
      }
    }
    writeFileSync(join(OUT, "axe-report.json"), `${JSON.stringify(report, null, 2)}\n`);
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
    const thumbnails = await home.page.$$eval("img.thumbnail", (imgs) =>
      imgs.map((img) => (img as HTMLImageElement).naturalWidth > 0 && img.getBoundingClientRect().width <= 130),
    );
    expect(thumbnails.length).toBeGreaterThanOrEqual(2);
    expect(thumbnails.every(Boolean)).toBe(true);
    await home.close();
  });

  it("fits a phone and a desktop without horizontal scrolling; screenshots of each page type", async () => {
    for (const [name, path] of PAGES) {
      for (const width of [390, 1280]) {
        const { page, close } = await open(path, { width });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect([name, width, overflow]).toEqual([name, width, 0]);
        await page.screenshot({ path: join(OUT, "screenshots", `${name}-${width}.png`), fullPage: true });
        await close();
      }
      const dark = await open(path, { width: 390, colorScheme: "dark" });
      await dark.page.screenshot({ path: join(OUT, "screenshots", `${name}-390-dark.png`), fullPage: true });
      await dark.close();
    }
  });
});
