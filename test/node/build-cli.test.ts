import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { imageSize } from "image-size";
import { afterAll, describe, expect, it } from "vitest";
import type { SiteImageFile } from "../../src/config/site-images";
import { PackedStore } from "../../src/storage/bundle/packed-store";
import { PackedResponses } from "../../src/storage/bundle/response-pack";
import { readSiteImages } from "../../src/storage/bundle/site-images-pack";
import { run } from "./run";

const ROOT = resolve(import.meta.dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const SEED = readFileSync(join(ROOT, "seeds/000_aa4f927da06b7f0b.txt"));

/** The names of the logo and icon files the build in `out` published. */
function logoFiles(out: string): string[] {
  const { favicon: _ico, ...images } = readSiteImages(new Uint8Array(readFileSync(join(out, "site-images.bin"))));
  return Object.values(images).map((image) => image.src.slice("/media/".length));
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A temporary folder of a test's own (seeds/ in, generated/ out), so that the tests, each
 * a run or two of the build, run side by side.
 */
function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "build-cli-"));
  dirs.push(dir);
  const seeds = join(dir, "seeds");
  const out = join(dir, "generated");
  mkdirSync(seeds);

  /** Runs the build as `npm run content` does, in the temporary folder. */
  const build = (env: Record<string, string> = {}, args: string[] = []) =>
    run(TSX, [join(ROOT, "scripts/build-content.ts"), ...args], {
      cwd: dir,
      env: { ...process.env, SEEDS_DIR: seeds, GENERATED_DIR: out, SITE_URL: "", ...env },
    });

  /** The articles the build wrote, read back from the data module, newest first. */
  const builtContent = async () => {
    const store = new PackedStore(new Uint8Array(readFileSync(join(out, "content.bin"))));
    return { articles: (await store.listing({}, 1000, null))!.articles };
  };

  const git = (...args: string[]) =>
    execFileSync("git", ["-C", dir, "-c", "user.name=Test", "-c", "user.email=test@example.org", ...args], { stdio: "ignore" });

  const commit = (message: string, date: string) => {
    git("add", "-A");
    execFileSync("git", ["-C", dir, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-qm", message], {
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
  };

  return { dir, seeds, out, build, builtContent, git, commit };
}

describe.concurrent("npm run content", { timeout: 300_000 }, () => {
  it("compiles the seed into data modules, and twice gives identical bytes", async () => {
    const { seeds, out, build, builtContent } = workspace();
    writeFileSync(join(seeds, "000_aa4f927da06b7f0b.txt"), SEED);
    const first = await build();
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(
      "build-content: 1 article(s) in 7 topic(s) from seeds/ -> generated/content.bin (16 KiB)\n" +
        "build-content: no responses stored: SITE_URL is not set, so each response renders on its first request in each isolate (set SITE_URL in wrangler.toml [vars] before deploying)\n" +
        "build-content: logo and icons (6 PNGs, favicon.ico) from the shipped icon (src/views/style.ts)\n",
    );
    const bytes = readFileSync(join(out, "content.bin"));
    expect(new PackedResponses(new Uint8Array(readFileSync(join(out, "responses.bin")))).paths()).toEqual([]);
    expect((await build()).status).toBe(0);
    expect(readFileSync(join(out, "content.bin")).equals(bytes)).toBe(true);
    expect((await builtContent()).articles[0]!.title).toBe("Turkey, US in talks to discuss sanctions imposed over S-400s");
  });

  it("stores responses for SITE_URL, or for the origin it is given when SITE_URL is empty, saying which", async () => {
    const { seeds, out, build } = workspace();
    writeFileSync(join(seeds, "000_aa4f927da06b7f0b.txt"), SEED);
    const withSite = await build({ SITE_URL: "https://news.example.org" });
    expect(withSite.stdout.split("\n")[1]).toMatch(/^build-content: stored 273 responses \((\d+ KiB|1\.\d MiB)\) for https:\/\/news\.example\.org$/);
    const responses = () => new PackedResponses(new Uint8Array(readFileSync(join(out, "responses.bin"))));
    expect([responses().origin, responses().paths()]).toEqual(["https://news.example.org", expect.arrayContaining(["/rss.xml", "/"])]);
    const local = await build({}, ["--origin", "http://127.0.0.1:8790"]);
    expect(local.stdout.split("\n")[1]).toMatch(/^build-content: stored 273 responses \((\d+ KiB|1\.\d MiB)\) for http:\/\/127\.0\.0\.1:8790$/);
    expect(responses().origin).toBe("http://127.0.0.1:8790");
  });

  it("stops before the worker would exceed Cloudflare's size limit, saying what to do", async () => {
    const { seeds, build } = workspace();
    writeFileSync(join(seeds, "000_aa4f927da06b7f0b.txt"), SEED);
    const run = await build({ SITE_URL: "https://news.example.org", WORKER_LIMIT_MIB: "1" });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `build-content: 1 articles make a worker of about 2.0 MiB, over Cloudflare's 1.0 MiB limit: serve an archive this size from D1 (README, "Archives beyond one bundle")\n`,
    );
  });

  it("dates articles by the commits that added and last changed them", async () => {
    const { seeds, build, builtContent, git, commit } = workspace();
    git("init", "-q");
    writeFileSync(join(seeds, "000_aa4f927da06b7f0b.txt"), SEED);
    commit("add", "2021-01-05T10:00:00Z");
    writeFileSync(join(seeds, "000_aa4f927da06b7f0b.txt"), Buffer.concat([SEED, Buffer.from("\n")]));
    commit("edit", "2021-02-07T11:30:00+01:00");
    writeFileSync(join(seeds, "new.txt"), "Uncommitted story\n\nText.");
    utimesSync(join(seeds, "new.txt"), new Date("2022-03-04T05:06:07Z"), new Date("2022-03-04T05:06:07Z"));
    expect((await build()).status).toBe(0);
    const [newer, seed] = (await builtContent()).articles as unknown as [{ published: string; updated: string }, { published: string; updated: string }];
    expect([seed.published, seed.updated]).toEqual(["2021-01-05T10:00:00Z", "2021-02-07T10:30:00Z"]);
    expect([newer.published, newer.updated]).toEqual(["2022-03-04T05:06:07Z", "2022-03-04T05:06:07Z"]);
  });

  it.each([
    ["empty.txt", "", "file is empty"],
    ["nul.txt", "Head\0line\n\nText.", "binary data, not text (NUL byte at offset 4)"],
    ["latin1.txt", Buffer.from([0x43, 0x61, 0x66, 0xe9]), "not valid UTF-8 (bad byte 0xe9 at offset 3)"],
    ["yaml.md", "---\ntitle: [\n---\nText.", /front matter is not valid YAML: .+/],
    ["date.txt", "---\ndate: 31/12/2020\n---\nH\n\nT.", 'front matter date "31/12/2020" is not a date (use e.g. 2020-12-30 or 2020-12-30T14:05:00Z)'],
    ["keys.md", `---\n${Array.from({ length: 150 }, (_, i) => `k${i}: 1`).join("\n")}\n---\nH\n\nT.`, "front matter has more than 100 keys"],
    [
      "id.txt",
      '---\nid: "javascript:alert(1)"\n---\nH\n\nT.',
      "front matter id: an id is 1 to 200 characters: letters, digits and - _ . ~ :, or an absolute https:, http:, urn: or tag: URI (no spaces or control characters) (not javascript:)",
    ],
    [
      "photo.jpg",
      "x",
      "not an article: only .txt and .md files and JPEG, PNG, WebP, AVIF or GIF images are published (it is not an image; rename it or move it out)",
    ],
  ])("%s stops the build with one line naming it", async (name, bytes, reason) => {
    const { seeds, out, build } = workspace();
    writeFileSync(join(seeds, "000_aa4f927da06b7f0b.txt"), SEED);
    writeFileSync(join(seeds, name), bytes);
    const run = await build();
    expect(run.status).toBe(1);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const prefix = `build-content: seeds/${name}: `;
    expect(lines[0]!.startsWith(prefix)).toBe(true);
    const rest = lines[0]!.slice(prefix.length);
    if (typeof reason === "string") expect(rest).toBe(reason);
    else expect(rest).toMatch(reason);
    expect(() => readFileSync(join(out, "content.bin"))).toThrow();
  });

  it("publishes the folder's images as static assets under hashed names, warning of missing alt text and reporting images no article names", async () => {
    const { seeds, out, build, builtContent } = workspace();
    cpSync(join(ROOT, "test/fixtures/images"), seeds, { recursive: true });
    writeFileSync(join(seeds, "004_1a1a1a1a1a1a1a04.txt"), `---\nimage: chart.png\n---\n${"Chart without words\n\nA chart.\n"}`);
    const run = await build();
    expect(run.status).toBe(0);
    expect(run.stderr.split("\n")).toEqual([
      "build-content: seeds/004_1a1a1a1a1a1a1a04.txt: image has no alt text (front matter image_alt) nor caption: a news photo is not decorative",
      "build-content: 1 image(s) no article names, published anyway: seeds/map.webp",
      "",
    ]);
    expect(run.stdout).toContain("build-content: 3 image(s) -> generated/assets/media/, served by Cloudflare as static assets\n");
    // Beside the site's logo and icons (the test below).
    const logos = new Set(logoFiles(out));
    const media = readdirSync(join(out, "assets/media"))
      .filter((m) => !logos.has(m))
      .sort();
    expect(media).toHaveLength(3);
    expect(media.map((m) => m.replace(/^[0-9a-f]{16}/, "HASH"))).toEqual(["HASH.jpg", "HASH.png", "HASH.webp"]);
    const jpeg = media.find((m) => m.endsWith(".jpg"))!;
    expect(readFileSync(join(out, "assets/media", jpeg)).equals(readFileSync(join(ROOT, "test/fixtures/images/harbour.jpg")))).toBe(true);
    expect(readFileSync(join(out, "assets/_headers"), "utf8")).toBe(
      "/media/*\n  Cache-Control: public, max-age=31536000, immutable\n  X-Content-Type-Options: nosniff\n",
    );
    const harbour = (await builtContent()).articles.find((a) => a.slug === "turkey-reopens-harbour-after-storm")!;
    expect(harbour.image).toEqual({
      src: `/media/${jpeg}`,
      type: "image/jpeg",
      length: 15454,
      width: 1200,
      height: 800,
      alt: "Container ships waiting outside the harbour of Istanbul at dusk",
      caption: "Ships wait to enter the harbour of Istanbul.",
      credit: "Photo by Ayşe Demir / Edge News",
      inBody: false,
    });
    // The same bytes, the same name: a second build changes nothing; an image taken away goes.
    rmSync(join(seeds, "map.webp"));
    expect((await build()).status).toBe(0);
    expect(readdirSync(join(out, "assets/media")).sort()).toEqual([...media.filter((m) => !m.endsWith(".webp")), ...logos].sort());
  });

  it("makes the site's logo and icons from SITE_LOGO (the shipped icon by default): every size, published under hashed names, named by the stored feeds; a bad logo stops the build with one line", async () => {
    const { seeds, out, build } = workspace();
    writeFileSync(join(seeds, "000_aa4f927da06b7f0b.txt"), SEED);
    const shipped = await build({ SITE_URL: "https://news.example.org" });
    expect([shipped.status, shipped.stdout.split("\n").at(-2)]).toEqual([
      0,
      "build-content: logo and icons (6 PNGs, favicon.ico) from the shipped icon (src/views/style.ts)",
    ]);
    const defaults = readSiteImages(new Uint8Array(readFileSync(join(out, "site-images.bin"))));
    // A photo as the logo: a JPEG (the fixture's harbour, 1200 × 800), contained in each size.
    const custom = await build({ SITE_URL: "https://news.example.org" }, ["--var", "SITE_LOGO:test/fixtures/images/harbour.jpg"]);
    expect([custom.status, custom.stdout.split("\n").at(-2)]).toEqual([
      0,
      "build-content: logo and icons (6 PNGs, favicon.ico) from test/fixtures/images/harbour.jpg",
    ]);
    const images = readSiteImages(new Uint8Array(readFileSync(join(out, "site-images.bin"))));
    const sizes = Object.fromEntries(
      Object.entries(images)
        .filter(([role]) => role !== "favicon")
        .map(([role, file]) => {
          const { src, width, height, type } = file as SiteImageFile;
          const bytes = readFileSync(join(out, "assets", src));
          const measured = imageSize(bytes);
          return [
            role,
            [src === (defaults[role as keyof typeof defaults] as SiteImageFile).src, type, width, height, measured.type, measured.width, measured.height],
          ];
        }),
    );
    expect(sizes).toEqual({
      rss: [false, "image/png", 144, 144, "png", 144, 144],
      atomIcon: [false, "image/png", 192, 192, "png", 192, 192],
      atomLogo: [false, "image/png", 400, 200, "png", 400, 200],
      jsonIcon: [false, "image/png", 512, 512, "png", 512, 512],
      jsonFavicon: [false, "image/png", 64, 64, "png", 64, 64],
      appleTouchIcon: [false, "image/png", 180, 180, "png", 180, 180],
    });
    // The shipped icon's files are gone with it; the stored feeds name the new ones.
    expect(readdirSync(join(out, "assets/media")).sort()).toEqual(logoFiles(out).sort());
    const responses = new PackedResponses(new Uint8Array(readFileSync(join(out, "responses.bin"))));
    const rss = new TextDecoder().decode(responses.get("/rss.xml")!.identity.body);
    expect(rss).toContain(`<url>https://news.example.org${images.rss.src}</url>`);
    // favicon.ico: an ICO directory of three PNGs, 16, 32 and 48 pixels (ICONDIR: reserved 0, type 1, count 3).
    const ico = Buffer.from(responses.get("/favicon.ico")!.identity.body);
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4), ico[6], ico[22], ico[38]]).toEqual([0, 1, 3, 16, 32, 48]);
    expect(Buffer.from(ico).equals(Buffer.from(images.favicon))).toBe(true);

    for (const [logo, reason] of [
      ["test/fixtures/images/nothing-here.png", 'SITE_LOGO "test/fixtures/images/nothing-here.png": no such file'],
      ["test/fixtures/images/001_1a1a1a1a1a1a1a01.txt", "test/fixtures/images/001_1a1a1a1a1a1a1a01.txt: not a PNG, JPEG, GIF or SVG image"],
    ]) {
      const bad = await build({}, ["--var", `SITE_LOGO:${logo}`]);
      expect([bad.status, bad.stderr.startsWith(`build-content: ${reason}`), bad.stderr.split("\n").length]).toEqual([1, true, 2]);
    }
  });

  it.each([
    ["a missing file", "image: photos/gone.jpg", 'image "photos/gone.jpg" is not in the articles folder'],
    ["an SVG", "image: drawing.svg", 'image "drawing.svg" is an SVG image (it can carry script): only JPEG, PNG, WebP, AVIF and GIF images are published'],
    ["a path out of the folder", "image: ../outside.jpg", 'image "../outside.jpg" is outside the articles folder'],
    ["an http: URL", "image: http://images.example.org/a.jpg", 'image "http://images.example.org/a.jpg" must be an https: URL (readers refuse mixed content)'],
    ["a text file named .jpg", "image: notes.jpg", 'image "notes.jpg" is not an image: only JPEG, PNG, WebP, AVIF and GIF images are published'],
  ])("an article naming %s stops the build with one line naming the article and the path", async (_, frontMatter, reason) => {
    const { dir, seeds, out, build } = workspace();
    writeFileSync(join(seeds, "drawing.svg"), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
    writeFileSync(join(seeds, "notes.jpg"), "not a picture");
    writeFileSync(join(dir, "outside.jpg"), readFileSync(join(ROOT, "test/fixtures/images/harbour.jpg")));
    writeFileSync(join(seeds, "story.txt"), `---\n${frontMatter}\n---\nHeadline\n\nText.\n`);
    const run = await build();
    expect(run.status).toBe(1);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toContain(`build-content: seeds/story.txt: ${reason}`);
    expect(() => readFileSync(join(out, "content.bin"))).toThrow();
  });

  it("two files with one id stop the build naming both", async () => {
    const { seeds, build } = workspace();
    writeFileSync(join(seeds, "1_00000000000000aa.txt"), "One\n\nText one.");
    writeFileSync(join(seeds, "2_00000000000000aa.txt"), "Two\n\nText two.");
    const run = await build();
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'build-content: seeds/1_00000000000000aa.txt, seeds/2_00000000000000aa.txt: files share the id "00000000000000aa" (set a distinct front matter id)\n',
    );
  });

  it("holds back an article dated after the build, saying so", async () => {
    const { seeds, build, builtContent } = workspace();
    writeFileSync(join(seeds, "000_aa4f927da06b7f0b.txt"), SEED);
    writeFileSync(join(seeds, "later.txt"), "---\ndate: 2031-01-01T08:00:00Z\n---\nLater\n\nText.");
    const run = await build({ BUILD_TIME: "2030-12-31T00:00:00Z" });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      "build-content: held back seeds/later.txt: dated 2031-01-01T08:00:00Z, after this build; the first build after that date publishes it\n",
    );
    expect((await builtContent()).articles).toHaveLength(1);
    expect((await build({ BUILD_TIME: "2031-01-01T08:00:00Z" })).stderr).toBe("");
    expect((await builtContent()).articles).toHaveLength(2);
  });

  it("an empty folder or a missing one is an error, not an empty site", async () => {
    const { dir, build } = workspace();
    expect((await build()).stderr).toBe("build-content: seeds: no articles (.txt or .md files) to publish\n");
    const missing = await build({ SEEDS_DIR: join(dir, "nope") });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`build-content: ${join(dir, "nope")}: not a folder (check SEEDS_DIR)\n`);
  });
});
