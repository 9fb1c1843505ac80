/**
 * Pictures of articles: what an article may name, and how every feed, page and link
 * preview shows it. The build measures local files in Node (scripts/lib/images.ts); here
 * the folder's images arrive as the table it makes.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { FolderImages, LocalImage } from "../../src/compile/images";
import type { Content } from "../../src/content/types";
import { freshDatabase } from "./d1-fixtures";
import { bundle, compile, file, story, worker } from "./fixtures";
import { parseXml } from "./xml";

const ORIGIN = "https://news.example.org";
const JPEG: LocalImage = { path: "photos/harbour.jpg", type: "image/jpeg", width: 1200, height: 800, length: 15454, src: "/media/0123456789abcdef.jpg" };
const PNG: LocalImage = { path: "chart.png", type: "image/png", width: 320, height: 180, length: 6674, src: "/media/fedcba9876543210.png" };
const folder = (others: [string, string][] = []): FolderImages => ({ images: new Map([JPEG, PNG].map((i) => [i.path, i])), others: new Map(others) });

const wire = `---
image: photos/harbour.jpg
image_alt: Ships outside the harbour at dusk
image_caption: Ships wait to enter the harbour.
image_credit: Photo by Ayşe Demir
---
${story("Turkey reopens harbour", "Turkey reopened the harbour of Istanbul on Tuesday. [AP]")}`;
const remote = `---
image: https://images.example.org/storm.jpg?w=1600&h=900
image_width: 1600
image_height: 900
image_alt: Waves over the sea wall
image_caption: Waves break over the sea wall.
image_credit: Reuters
---
${story("Storm hits the coast", "A storm hit the coast of Japan.")}`;
const markdown = `# Oil prices rise\n\nOil rose.\n\n![Chart of oil prices](chart.png)\n\nTraders watched.\n\n![Map of oil routes](https://images.example.org/routes.png)\n`;

async function site(): Promise<Content> {
  return (
    await compile(
      [
        file("001_00000000000000c1.txt", wire, { added: Date.UTC(2021, 0, 3) }),
        file("002_00000000000000c2.txt", remote, { added: Date.UTC(2021, 0, 2) }),
        file("003_00000000000000c3.md", markdown, { added: Date.UTC(2021, 0, 1) }),
      ],
      {
        folder: folder(),
      },
    )
  ).content;
}

describe("an article's picture", () => {
  it("is read from front matter (local, measured; remote, as given) or the first Markdown image", async () => {
    const c = await site();
    const by = (id: string) => c.articles.find((a) => a.id === id)!.image;
    expect(by("00000000000000c1")).toEqual({
      src: JPEG.src,
      type: "image/jpeg",
      length: 15454,
      width: 1200,
      height: 800,
      alt: "Ships outside the harbour at dusk",
      caption: "Ships wait to enter the harbour.",
      credit: "Photo by Ayşe Demir",
      inBody: false,
    });
    expect(by("00000000000000c2")).toEqual({
      src: "https://images.example.org/storm.jpg?w=1600&h=900",
      type: "image/jpeg",
      length: null,
      width: 1600,
      height: 900,
      alt: "Waves over the sea wall",
      caption: "Waves break over the sea wall.",
      credit: "Reuters",
      inBody: false,
    });
    expect(by("00000000000000c3")).toEqual({
      src: PNG.src,
      type: "image/png",
      length: 6674,
      width: 320,
      height: 180,
      alt: "Chart of oil prices",
      caption: null,
      credit: null,
      inBody: true,
    });
    const body = c.articles.find((a) => a.id === "00000000000000c3")!.html;
    expect(body).toContain(`<img src="${PNG.src}" alt="Chart of oil prices" width="320" height="180">`);
    expect(body).toContain('<img src="https://images.example.org/routes.png" alt="Map of oil routes">');
  });

  it.each([
    ["a missing file", "image: photos/nope.jpg", 'image "photos/nope.jpg" is not in the articles folder'],
    ["a path outside the folder", "image: ../secret.jpg", 'image "../secret.jpg" is outside the articles folder'],
    ["an SVG", "image: drawing.svg", 'image "drawing.svg" is an SVG image (it can carry script): only JPEG, PNG, WebP, AVIF and GIF images are published'],
    ["a text file named .jpg", "image: fake.jpg", 'image "fake.jpg" is not an image: only JPEG, PNG, WebP, AVIF and GIF images are published'],
    ["an http: URL", "image: http://images.example.org/a.jpg", 'image "http://images.example.org/a.jpg" must be an https: URL (readers refuse mixed content)'],
    [
      "a size that is not a number",
      "image: https://images.example.org/a.jpg\nimage_width: wide\nimage_height: 10",
      'front matter image_width "wide" must be a whole number of pixels',
    ],
    ["alt text without an image", "image_alt: A photo", "front matter image_alt is set but there is no image"],
  ])("%s is refused with one line naming the article and the path", async (_, frontMatter, reason) => {
    const others: [string, string][] = [
      ["drawing.svg", "an SVG image (it can carry script)"],
      ["fake.jpg", "not an image"],
    ];
    const run = compile([file("story.txt", `---\n${frontMatter}\n---\n${story("Headline", "Text.")}`)], { folder: folder(others) });
    await expect(run).rejects.toThrow(`story.txt: ${reason}`);
  });

  it("without alt text (nor a caption) is published with a warning naming the file", async () => {
    const result = await compile([file("story.txt", `---\nimage: chart.png\n---\n${story("Headline", "Text.")}`)], { folder: folder() });
    expect(result.warnings).toEqual([
      { file: "story.txt", message: "image has no alt text (front matter image_alt) nor caption: a news photo is not decorative" },
    ]);
    expect(result.unreferenced.map((i) => i.path)).toEqual(["photos/harbour.jpg"]);
  });
});

describe("feeds show the picture", () => {
  const fetchAll = async () => {
    const fetch = worker(await site(), { SITE_URL: ORIGIN });
    const [rss, atom, json] = await Promise.all(["/rss.xml", "/atom.xml", "/feed.json"].map(async (p) => (await fetch(p)).text()));
    return [rss!, atom!, json!] as const;
  };

  it("RSS: Media RSS media:content with description and credit, an enclosure with the exact length for local images, the figure in content:encoded", async () => {
    const [rss] = await fetchAll();
    expect(rss).toContain('<rss xmlns:media="http://search.yahoo.com/mrss/" ');
    expect(rss).toContain(`<media:content url="${ORIGIN}${JPEG.src}" medium="image" type="image/jpeg" width="1200" height="800" fileSize="15454">`);
    expect(rss).toContain('<media:description type="plain">Ships outside the harbour at dusk</media:description>');
    expect(rss).toContain("<media:credit>Photo by Ayşe Demir</media:credit>");
    expect(rss).toContain(`<enclosure length="15454" type="image/jpeg" url="${ORIGIN}${JPEG.src}"/>`);
    expect(rss).toContain(
      '<media:content url="https://images.example.org/storm.jpg?w=1600&amp;h=900" medium="image" type="image/jpeg" width="1600" height="900">',
    );
    // A remote image has no known length: no enclosure for it.
    expect(rss.match(/<enclosure /g)).toHaveLength(2);
    expect(rss).toContain(
      `<figure><img src="${ORIGIN}${JPEG.src}" alt="Ships outside the harbour at dusk" width="1200" height="800"><figcaption>Ships wait to enter the harbour. <small>Photo by Ayşe Demir</small></figcaption></figure>`,
    );
    // The Markdown body's own image is made absolute, not repeated as a figure.
    expect(rss).toContain(`<img src="${ORIGIN}${PNG.src}" alt="Chart of oil prices" width="320" height="180">`);
    expect(rss.match(new RegExp(`<img src="${ORIGIN}${PNG.src}"`, "g"))).toHaveLength(1);
    expect(() => parseXml(rss)).not.toThrow();
  });

  it("Atom: link rel=enclosure with type and length when known, and the Media RSS elements", async () => {
    const [, atom] = await fetchAll();
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"');
    expect(atom).toContain(`<link rel="enclosure" type="image/jpeg" length="15454" href="${ORIGIN}${JPEG.src}"/>`);
    expect(atom).toContain('<link rel="enclosure" type="image/jpeg" href="https://images.example.org/storm.jpg?w=1600&amp;h=900"/>');
    expect(atom).toContain(
      `<media:content url="${ORIGIN}${PNG.src}" medium="image" type="image/png" width="320" height="180" fileSize="6674"><media:description type="plain">Chart of oil prices</media:description></media:content>`,
    );
    expect(() => parseXml(atom)).not.toThrow();
  });

  it("JSON Feed: item image, absolute", async () => {
    const [, , json] = await fetchAll();
    const items = (JSON.parse(json) as { items: { id: string; image?: string; content_html: string }[] }).items;
    expect(items.map((i) => i.image)).toEqual([`${ORIGIN}${JPEG.src}`, "https://images.example.org/storm.jpg?w=1600&h=900", `${ORIGIN}${PNG.src}`]);
    expect(items[0]!.content_html.startsWith("<figure>")).toBe(true);
  });

  it("feeds without pictures declare no Media RSS namespace", async () => {
    const fetch = worker((await compile([file("a.txt", story("Plain", "Text."))])).content, { SITE_URL: ORIGIN });
    for (const path of ["/rss.xml", "/atom.xml"]) expect(await (await fetch(path)).text()).not.toContain("mrss");
  });
});

describe("pages show the picture", () => {
  it("the article page: the figure first and not lazy, Open Graph and Twitter card tags, NewsArticle image", async () => {
    const fetch = worker(await site(), { SITE_URL: ORIGIN });
    const page = await (await fetch("/articles/turkey-reopens-harbour")).text();
    expect(page).toContain(
      `<figure><img src="${JPEG.src}" alt="Ships outside the harbour at dusk" width="1200" height="800" fetchpriority="high" decoding="async"><figcaption>`,
    );
    expect(page).toContain(`<meta property="og:image" content="${ORIGIN}${JPEG.src}"/>`);
    expect(page).toContain('<meta property="og:image:alt" content="Ships outside the harbour at dusk"/>');
    expect(page).toContain('<meta property="og:image:width" content="1200"/>');
    expect(page).toContain('<meta property="og:image:height" content="800"/>');
    expect(page).toContain('<meta name="twitter:card" content="summary_large_image"/>');
    expect(page).toContain(`"image":["${ORIGIN}${JPEG.src}"]`);
    const md = await (await fetch("/articles/oil-prices-rise")).text();
    expect(md).toContain(`<img fetchpriority="high" decoding="async" src="${PNG.src}"`);
    expect(md).toContain('<img loading="lazy" src="https://images.example.org/routes.png"');
    expect(md).not.toContain("<figure>");
  });

  it("listings show a thumbnail, sized by its attributes, hidden from screen readers", async () => {
    const fetch = worker(await site(), { SITE_URL: ORIGIN });
    const home = await (await fetch("/")).text();
    expect(home).toContain(`<img class="thumbnail" src="${JPEG.src}" alt="" width="1200" height="800" loading="lazy" decoding="async"/>`);
  });
});

describe("/media in the D1 mode", () => {
  it("serves an image from R2 with its type, a year of caching, an ETag from its name, and 304 without reading the bucket", async () => {
    await freshDatabase();
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    await env.MEDIA.put("media/0123456789abcdef.jpg", bytes, { httpMetadata: { contentType: "image/jpeg" } });
    const app = createApp(bundle({ articles: [], topics: [] }));
    const vars = { SITE_URL: ORIGIN, STORAGE: "d1", DB: env.DB, MEDIA: env.MEDIA } as never;
    const res = await app.request(`${ORIGIN}/media/0123456789abcdef.jpg`, {}, vars);
    expect([res.status, new Uint8Array(await res.arrayBuffer())]).toEqual([200, bytes]);
    expect(Object.fromEntries(res.headers)).toEqual({
      "cache-control": "public, max-age=31536000, immutable",
      "content-length": "7",
      "content-type": "image/jpeg",
      etag: '"0123456789abcdef"',
      "x-content-type-options": "nosniff",
    });
    const again = await app.request(`${ORIGIN}/media/0123456789abcdef.jpg`, { headers: { "If-None-Match": '"0123456789abcdef"' } }, vars);
    expect([again.status, await again.text(), again.headers.get("ETag")]).toEqual([304, "", '"0123456789abcdef"']);
    for (const path of ["/media/0123456789abcdee.jpg", "/media/not-a-hash.jpg", "/media/0123456789abcdef.svg"]) {
      const missing = await app.request(`${ORIGIN}${path}`, {}, vars);
      expect([path, missing.status]).toEqual([path, 404]);
      await missing.arrayBuffer();
    }
  });
});
