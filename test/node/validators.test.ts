/**
 * Every feed checked by the validators readers are judged by: the RFC 4287 RELAX NG grammar
 * (xmllint, from Debian's libxml2-utils) for Atom, XML well-formedness for RSS, and the JSON
 * Feed 1.1 schema (ajv). These tools do not run inside workerd, so this file renders the
 * same app in Node.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSeedsFolder } from "../../scripts/lib/seeds-folder";
import { siteLogo } from "../../scripts/lib/site-logo";
import { createApp } from "../../src/app";
import { compileContent } from "../../src/compile/compile";
import { parseTopicFile } from "../../src/compile/topics";
import { collectGroups } from "../../src/content/groups";
import type { Content } from "../../src/content/types";
import { packContent } from "../../src/storage/bundle/content-pack";
import { article, frontMatterArticle } from "../worker/generators";

const ROOT = resolve(import.meta.dirname, "../..");
const ATOM_RNG = join(ROOT, "test/schemas/atom.rng");
/** sitemaps.org's own schemas for a sitemap and a sitemap index. */
const SITEMAP_XSD = join(ROOT, "test/schemas/sitemap.xsd");
const SITEINDEX_XSD = join(ROOT, "test/schemas/siteindex.xsd");
const JSON_FEED_SCHEMA = JSON.parse(readFileSync(join(ROOT, "node_modules/jsonfeed-schema/schema-v1.1.json"), "utf8"));
const TOPICS = parseTopicFile(readFileSync(join(ROOT, "src/content/topics.yaml"), "utf8"));
const NOW = Date.UTC(2030, 0, 1);

const hasXmllint = spawnSync("xmllint", ["--version"]).status === 0;
// CI installs xmllint (.ci/run); a machine without it skips these checks, and says so.
const describeXml = hasXmllint || process.env.CI ? describe : describe.skip;
if (!hasXmllint && !process.env.CI) console.warn("validators.test.ts: xmllint not installed (apt-get install libxml2-utils); RELAX NG checks skipped");

/** The shipped logo and icons, made once: the feeds name them as a deployed site's do. */
const SHIPPED_LOGO = siteLogo(undefined).then((logo) => logo.pack);

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateJsonFeed = ajv.compile(JSON_FEED_SCHEMA);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "validators-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every feed URL of a site: the main three and three per topic, author and source. */
function feedPaths(content: Content): string[] {
  const { authors, sources } = collectGroups(content.articles);
  const scopes = [
    "",
    ...content.topics.map((t) => `/topics/${t.slug}`),
    ...authors.map((a) => `/authors/${a.slug}`),
    ...sources.map((s) => `/sources/${s.slug}`),
  ];
  return scopes.flatMap((s) => [`${s}/rss.xml`, `${s}/atom.xml`, `${s}/feed.json`]);
}

async function fetchAll(content: Content) {
  const app = createApp({ content: packContent(content), responses: null, images: await SHIPPED_LOGO });
  const env = { SITE_URL: "https://news.example.org" };
  const feeds = new Map<string, string>();
  for (const path of feedPaths(content)) {
    const res = await app.request(`https://news.example.org${path}`, {}, env);
    expect([path, res.status]).toEqual([path, 200]);
    feeds.set(path, await res.text());
  }
  return feeds;
}

/** Runs xmllint over many files at once; returns its complaints (empty when all pass). */
function xmllint(files: string[], ...args: string[]): string {
  const run = spawnSync("xmllint", ["--noout", ...args, ...files], { encoding: "utf8", maxBuffer: 1 << 26 });
  return run.stderr
    .split("\n")
    .filter((line) => line !== "" && !line.endsWith(" validates"))
    .join("\n");
}

async function checkSite(name: string, content: Content) {
  const feeds = await fetchAll(content);
  const atoms: string[] = [];
  const rss: string[] = [];
  let n = 0;
  for (const [path, body] of feeds) {
    const file = join(dir, `${name}-${n++}${path.endsWith(".json") ? ".json" : ".xml"}`);
    writeFileSync(file, body);
    if (path.endsWith("atom.xml")) atoms.push(file);
    if (path.endsWith("rss.xml")) rss.push(file);
    if (path.endsWith("feed.json")) {
      const json = JSON.parse(body);
      const valid = validateJsonFeed(json);
      expect([path, valid ? [] : validateJsonFeed.errors]).toEqual([path, []]);
      expect(json.feed_url).toBe(`https://news.example.org${path}`);
      const ids = json.items.map((i: { id: string }) => i.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const item of json.items) expect(Date.parse(item.date_modified)).toBeLessThanOrEqual(NOW);
    }
  }
  expect(xmllint(atoms, "--relaxng", ATOM_RNG)).toBe("");
  expect(xmllint(rss)).toBe("");
  await checkSitemaps(name, content);
}

/** The sitemap index and every sitemap it names, against sitemaps.org's schemas. */
async function checkSitemaps(name: string, content: Content) {
  const app = createApp({ content: packContent(content), responses: null, images: await SHIPPED_LOGO });
  const env = { SITE_URL: "https://news.example.org" };
  const get = async (url: string) => {
    const res = await app.request(url, {}, env);
    expect([url, res.status]).toEqual([url, 200]);
    return res.text();
  };
  const index = await get("https://news.example.org/sitemap.xml");
  const indexFile = join(dir, `${name}-sitemap-index.xml`);
  writeFileSync(indexFile, index);
  expect(xmllint([indexFile], "--schema", SITEINDEX_XSD)).toBe("");
  const named = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
  expect(named.length).toBe(content.articles.length === 0 ? 1 : 2);
  const files: string[] = [];
  for (const [i, url] of named.entries()) {
    const file = join(dir, `${name}-sitemap-${i}.xml`);
    writeFileSync(file, await get(url));
    files.push(file);
  }
  expect(xmllint(files, "--schema", SITEMAP_XSD)).toBe("");
}

async function compileFolder(folder: string): Promise<Content> {
  const { files, folder: images } = readSeedsFolder(folder);
  return (await compileContent(files, { topics: TOPICS, now: NOW, folder: images })).content;
}

describeXml("feeds pass the validators", () => {
  it("the seeds: every feed, main and per topic", async () => {
    await checkSite("seeds", await compileFolder(join(ROOT, "seeds")));
  });

  it("the hard fixtures: control bytes, ]]>, entities, markup, RTL, emoji, 50 KB stories, odd front matter", async () => {
    const content = await compileFolder(join(ROOT, "test/fixtures/hard"));
    expect(content.articles).toHaveLength(12);
    await checkSite("hard", content);
  });

  it("articles with pictures: a local JPEG, a remote image with caption and credit, a Markdown story with two images", async () => {
    const content = await compileFolder(join(ROOT, "test/fixtures/images"));
    expect(content.articles.filter((a) => a.image !== null)).toHaveLength(3);
    await checkSite("images", content);
  });

  it("generated articles, with odd front matter", async () => {
    const files = [
      ...fc.sample(article, { numRuns: 60, seed: 42 }).map((a) => a.text),
      ...fc.sample(frontMatterArticle, { numRuns: 60, seed: 43 }).map((a) => a.text),
    ].map((text, i) => ({
      path: `${i}.txt`,
      bytes: new TextEncoder().encode(text),
      added: Date.UTC(2021, 0, 1, 0, i),
      changed: Date.UTC(2021, 0, 1, 0, i),
      modified: 0,
    }));
    const { content } = await compileContent(files, { topics: TOPICS, now: NOW });
    expect(content.articles).toHaveLength(120);
    await checkSite("generated", content);
  });

  it("xmllint and the grammar catch what they should (the check itself can fail)", () => {
    const bad = join(dir, "bad.xml");
    writeFileSync(bad, '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>no id, no updated</title></feed>');
    expect(xmllint([bad], "--relaxng", ATOM_RNG)).toMatch(/fails to validate/);
    writeFileSync(bad, "<rss><title>a \u0001 b</title></rss>");
    expect(xmllint([bad])).not.toBe("");
    expect(validateJsonFeed({ version: "https://jsonfeed.org/version/1.1", title: "t", items: [{ url: "x" }] })).toBe(false);
    writeFileSync(
      bad,
      '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/x</loc><lastmod>yesterday</lastmod></url></urlset>',
    );
    expect(xmllint([bad], "--schema", SITEMAP_XSD)).toMatch(/fails to validate/);
  });
});
