/**
 * The site's logo and icons in every feed format, on the pages and at /favicon.ico, as the
 * build bundles them (src/generated/site-images.bin; the images themselves are made and
 * checked in test/node/site-images.test.ts and test/node/build-cli.test.ts).
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { SiteImages } from "../../src/config/site-images";
import { packContent } from "../../src/storage/bundle/content-pack";
import { packSiteImages, readSiteImages } from "../../src/storage/bundle/site-images-pack";
import { applyPlan, readExisting } from "../../src/storage/d1/apply";
import { planImport } from "../../src/storage/d1/import-plan";
import { freshDatabase } from "./d1-fixtures";
import { content, seedFile, shippedTopics } from "./fixtures";

const ORIGIN = "https://news.example.org";
const png = (name: string, width: number, height: number) => ({ src: `/media/${name}.png`, type: "image/png", width, height });
/** Not a real icon: the worker serves the bytes as the build made them. */
const ICO = new Uint8Array([0, 0, 1, 0, 3, 0, ...Array.from({ length: 42 }, (_, i) => i)]);
const IMAGES: SiteImages = {
  rss: png("aaaaaaaaaaaaaaa1", 144, 144),
  atomIcon: png("aaaaaaaaaaaaaaa2", 192, 192),
  atomLogo: png("aaaaaaaaaaaaaaa3", 400, 200),
  jsonIcon: png("aaaaaaaaaaaaaaa4", 512, 512),
  jsonFavicon: png("aaaaaaaaaaaaaaa5", 64, 64),
  appleTouchIcon: png("aaaaaaaaaaaaaaa6", 180, 180),
  favicon: ICO,
};

async function site(images: SiteImages | null) {
  const app = createApp({
    content: packContent(await content([seedFile()]), shippedTopics()),
    responses: null,
    images: images === null ? null : packSiteImages(images),
  });
  return (path: string, init: RequestInit = {}) => app.request(`${ORIGIN}${path}`, init, { SITE_URL: ORIGIN });
}

describe("the site's logo and icons", () => {
  it("survive the bundle's pack as they went in", () => {
    expect(readSiteImages(packSiteImages(IMAGES))).toEqual(IMAGES);
  });

  it("RSS names the logo as <image> with the channel's title and link and its size; Atom an icon and a logo; JSON Feed an icon and a favicon", async () => {
    const fetch = await site(IMAGES);
    for (const [path, title, home] of [
      ["/rss.xml", "Edge News", `${ORIGIN}/`],
      ["/authors/x/rss.xml", null, null],
      ["/topics/turkey/rss.xml", "Edge News: Turkey", `${ORIGIN}/topics/turkey`],
    ] as const) {
      const res = await fetch(path);
      if (title === null) {
        expect(res.status).toBe(404);
        await res.arrayBuffer();
        continue;
      }
      const rss = await res.text();
      expect(rss).toContain(
        [
          "        <sy:updateFrequency>12</sy:updateFrequency>",
          "        <image>",
          `            <url>${ORIGIN}/media/aaaaaaaaaaaaaaa1.png</url>`,
          `            <title>${title}</title>`,
          `            <link>${home}</link>`,
          "            <width>144</width>",
          "            <height>144</height>",
          "        </image>",
        ].join("\n"),
      );
      expect(rss.match(/<image>/g)).toHaveLength(1);
    }
    const atom = await (await fetch("/atom.xml")).text();
    expect(atom).toContain(`    <logo>${ORIGIN}/media/aaaaaaaaaaaaaaa3.png</logo>\n    <icon>${ORIGIN}/media/aaaaaaaaaaaaaaa2.png</icon>\n`);
    const json = (await (await fetch("/feed.json")).json()) as Record<string, unknown>;
    expect([json.icon, json.favicon]).toEqual([`${ORIGIN}/media/aaaaaaaaaaaaaaa4.png`, `${ORIGIN}/media/aaaaaaaaaaaaaaa5.png`]);
  });

  it("/favicon.ico is the icon file, cached for a day, with a 304; the pages name the apple-touch-icon", async () => {
    const fetch = await site(IMAGES);
    const res = await fetch("/favicon.ico");
    expect([res.status, res.headers.get("Content-Type"), res.headers.get("Cache-Control"), res.headers.get("Content-Encoding")]).toEqual([
      200,
      "image/x-icon",
      "public, max-age=86400",
      null,
    ]);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(ICO);
    const again = await fetch("/favicon.ico", { headers: { "If-None-Match": res.headers.get("ETag")!, "Accept-Encoding": "gzip, br" } });
    expect(again.status).toBe(304);
    const home = await (await fetch("/")).text();
    expect(home).toContain('<link rel="apple-touch-icon" href="/media/aaaaaaaaaaaaaaa6.png" sizes="180x180"/>');
  });

  it("without them (a bundle from before), feeds name none and /favicon.ico is the SVG icon", async () => {
    const fetch = await site(null);
    expect(await (await fetch("/rss.xml")).text()).not.toContain("<image>");
    const atom = await (await fetch("/atom.xml")).text();
    expect([atom.includes("<icon>"), atom.includes("<logo>")]).toEqual([false, false]);
    const json = (await (await fetch("/feed.json")).json()) as Record<string, unknown>;
    expect([json.icon, json.favicon]).toEqual([undefined, undefined]);
    const icon = await fetch("/favicon.ico");
    expect(icon.headers.get("Content-Type")).toBe("image/svg+xml");
    await icon.arrayBuffer();
    expect(await (await fetch("/")).text()).not.toContain("apple-touch-icon");
  });
});

describe("the D1 import and the logo", () => {
  beforeEach(freshDatabase);

  it("renders every stored response again when the logo changed, and records the one it rendered with", async () => {
    const c = await content([seedFile()]);
    const plan = async (siteImages: string) => {
      const planned = await planImport(c, await readExisting(env.DB), { deleteMissing: false, siteImages });
      await applyPlan(env.DB, planned);
      return planned;
    };
    expect((await plan("logo-a")).staleScopes).toEqual("all");
    expect(await env.DB.prepare("SELECT value FROM meta WHERE key = 'site_images'").first("value")).toBe("logo-a");
    // The same folder with the same logo: nothing to write.
    expect((await plan("logo-a")).statements).toEqual([]);
    const changed = await plan("logo-b");
    expect([changed.added, changed.updated, changed.staleScopes]).toEqual([[], [], "all"]);
    expect(await env.DB.prepare("SELECT value FROM meta WHERE key = 'site_images'").first("value")).toBe("logo-b");
  });
});
