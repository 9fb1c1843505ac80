import { describe, expect, it } from "vitest";
import { ContentErrors } from "../../src/compile/errors";
import { compile, file, SEED_SLUG, SEED_TEXT, seedFile, story } from "./fixtures";

/** The one-line messages a build would print for these files. */
async function buildErrors(...files: ReturnType<typeof file>[]): Promise<string[]> {
  try {
    await compile(files);
  } catch (error) {
    if (error instanceof ContentErrors) return error.errors.map((e) => e.message);
    throw error;
  }
  throw new Error("the build succeeded");
}

describe("files that cannot be published stop the build with one line naming them", () => {
  it.each([
    ["empty.txt", new Uint8Array(), "empty.txt: file is empty"],
    ["blank.txt", " \n\t\r\n \n", "blank.txt: file holds only whitespace, no headline"],
    ["nul.txt", new Uint8Array([0x48, 0x69, 0x00, 0x21]), "nul.txt: binary data, not text (NUL byte at offset 2)"],
    ["latin1.txt", new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x0a]), "latin1.txt: not valid UTF-8 (bad byte 0xe9 at offset 3)"],
    ["overlong.txt", new Uint8Array([0x41, 0xc0, 0xaf]), "overlong.txt: not valid UTF-8 (bad byte 0xc0 at offset 1)"],
    ["bad-yaml.txt", "---\ntitle: [unclosed\n---\nH\n\nT.", /^bad-yaml\.txt: front matter is not valid YAML: /],
    ["unclosed.txt", "---\ntitle: x\nH\n\nT.", "unclosed.txt: front matter is not closed (no line with --- after the opening ---)"],
    ["list.txt", "---\n- a\n- b\n---\nH\n\nT.", "list.txt: front matter must be a mapping of keys to values"],
    ["typo.txt", "---\ntittle: x\n---\nH\n\nT.", /^typo\.txt: unknown front matter key "tittle" \(known: /],
    [
      "date.txt",
      "---\ndate: next Tuesday\n---\nH\n\nT.",
      'date.txt: front matter date "next Tuesday" is not a date (use e.g. 2020-12-30 or 2020-12-30T14:05:00Z)',
    ],
    ["feb30.txt", "---\nupdated: 2021-02-30\n---\nH\n\nT.", /^feb30\.txt: front matter updated "2021-02-30" is not a date/],
    ["headline-only.txt", "Just a headline\n", "headline-only.txt: no story text after the headline"],
    ["only-fm.txt", "---\ntitle: T\n---\n", "only-fm.txt: no story text after the headline"],
    ["no-title.txt", "---\nauthor: x\n---\n\n  \n", "no-title.txt: no headline (the first non-empty line, or front matter title)"],
    ["slug.txt", "---\nslug: Not A Slug\n---\nH\n\nT.", 'slug.txt: front matter slug "Not A Slug" must be lowercase ASCII letters, digits and single hyphens'],
    ["lang.txt", "---\nlanguage: english please\n---\nH\n\nT.", 'lang.txt: front matter language "english please" is not a language tag such as en or pt-BR'],
  ] as const)("%s", async (name, bytes, expected) => {
    const messages = await buildErrors(seedFile(), file(name, bytes));
    expect(messages).toHaveLength(1);
    if (typeof expected === "string") expect(messages[0]).toBe(expected);
    else expect(messages[0]).toMatch(expected);
    expect(messages[0]).not.toContain("\n");
  });

  it("names both files that share an id", async () => {
    const messages = await buildErrors(file("1_00000000000000aa.txt", story("A", "Text of A.")), file("2_00000000000000aa.txt", story("B", "Text of B.")));
    expect(messages).toEqual(['1_00000000000000aa.txt, 2_00000000000000aa.txt: files share the id "00000000000000aa" (set a distinct front matter id)']);
  });

  it("names both files that claim one slug", async () => {
    const messages = await buildErrors(
      file("a.txt", `---\nslug: same\n---\n${story("A", "Text of A.")}`),
      file("b.txt", `---\nslug: same\n---\n${story("B", "Text of B.")}`),
    );
    expect(messages).toEqual(['a.txt, b.txt: files share the front matter slug "same"']);
  });

  it("reports every bad file of the folder, not just the first", async () => {
    const messages = await buildErrors(file("a.txt", ""), seedFile(), file("b.txt", new Uint8Array([0xff])));
    expect(messages).toEqual(["a.txt: file is empty", "b.txt: not valid UTF-8 (bad byte 0xff at offset 0)"]);
  });
});

describe("ids and slugs", () => {
  it("ids: front matter, else the hash in the file name, else a hash of the path", async () => {
    const { content } = await compile([
      file("000_aa4f927da06b7f0b.txt", story("One", "x")),
      file("notes/plain-name.txt", story("Two", "x")),
      file("z.txt", `---\nid: tag:example.org,2020:42\n---\n${story("Three", "x")}`),
    ]);
    const byTitle = Object.fromEntries(content.articles.map((a) => [a.title, a]));
    expect(byTitle.One!.id).toBe("aa4f927da06b7f0b");
    expect(byTitle.Two!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(byTitle.Three!.id).toBe("tag:example.org,2020:42");
    expect(byTitle.Three!.guid).toBe("tag:example.org,2020:42");
    // The same path always hashes to the same id.
    const again = await compile([file("notes/plain-name.txt", story("Two", "x"))]);
    expect(again.content.articles[0]!.id).toBe(byTitle.Two!.id);
  });

  it("slugs are lowercase ASCII with hyphens, from any script", async () => {
    const { content } = await compile([
      file("a.txt", story("Çavuşoğlu says Türkiye’s “red lines” stand — 100%!", "x")),
      file("b.txt", story("Große Straße in Łódź", "x")),
      file("c.txt", story("北京 发布 新闻", "x")),
    ]);
    const slugs = content.articles.map((a) => a.slug).sort();
    expect(slugs[0]).toMatch(/^article-[0-9a-f]{8}$/);
    expect(slugs.slice(1)).toEqual(["cavusoglu-says-turkiyes-red-lines-stand-100", "grosse-strasse-in-lodz"]);
  });

  it("two articles with one headline get two slugs; the older keeps the plain one, whatever the file order", async () => {
    const older = file("z-older.txt", story("Same headline", "old"), { added: Date.UTC(2020, 0, 1) });
    const newer = file("a-newer.txt", story("Same headline", "new"), { added: Date.UTC(2021, 0, 1) });
    const first = await compile([older, newer]);
    const second = await compile([newer, older]);
    const slugOf = (c: typeof first, f: string) => c.content.articles.find((a) => a.file === f)!.slug;
    expect(slugOf(first, "z-older.txt")).toBe("same-headline");
    expect(slugOf(first, "a-newer.txt")).toMatch(/^same-headline-[0-9a-f]{8}$/);
    expect(slugOf(second, "a-newer.txt")).toBe(slugOf(first, "a-newer.txt"));
    // Adding a third with the same headline changes neither.
    const third = await compile([older, newer, file("m.txt", story("Same headline", "third"), { added: Date.UTC(2022, 0, 1) })]);
    expect(slugOf(third, "z-older.txt")).toBe("same-headline");
    expect(slugOf(third, "a-newer.txt")).toBe(slugOf(first, "a-newer.txt"));
  });

  it("the same input gives the same content, byte for byte", async () => {
    const files = () => [seedFile(), file("b.md", "# Other\n\nText about the economy and inflation.")];
    const a = JSON.stringify((await compile(files())).content);
    const b = JSON.stringify((await compile(files().reverse())).content);
    expect(b).toBe(a);
  });

  it("orders articles newest first", async () => {
    const { content } = await compile([
      file("a.txt", story("Old", "x"), { added: Date.UTC(2019, 0, 1) }),
      file("b.txt", story("New", "x"), { added: Date.UTC(2021, 0, 1) }),
      seedFile(),
    ]);
    expect(content.articles.map((a) => a.title)).toEqual(["New", "Turkey, US in talks to discuss sanctions imposed over S-400s", "Old"]);
    expect(content.articles[1]!.slug).toBe(SEED_SLUG);
  });

  it("holds back an article dated after the build, and publishes it with the first build after that date", async () => {
    const future = file("f.txt", `---\ndate: 2031-05-01\n---\n${story("Later", "x")}`);
    const before = await compile([seedFile(), future], { now: Date.UTC(2031, 3, 30) });
    expect(before.content.articles.map((a) => a.title)).not.toContain("Later");
    expect(before.heldBack).toEqual([
      { file: "f.txt", published: "2031-05-01T00:00:00Z", draft: expect.objectContaining({ id: expect.any(String), title: "Later" }) },
    ]);
    const after = await compile([seedFile(), future], { now: Date.UTC(2031, 4, 1) });
    expect(after.content.articles.map((a) => a.title)).toContain("Later");
    expect(after.heldBack).toEqual([]);
  });

  it("accepts the seed text as it is", () => {
    expect(SEED_TEXT.startsWith("Turkey, US in talks")).toBe(true);
  });
});

describe("order", () => {
  it("ties are broken by id in code point order, as SQLite sorts text", async () => {
    const { compareCodePoints } = await import("../../src/compile/compile");
    // U+FF21 (fullwidth A) sorts before U+20000 (a CJK letter) by code point, after it by UTF-16 code unit.
    expect(compareCodePoints("\uff21", "\u{20000}")).toBe(-1);
    expect("\uff21" < "\u{20000}").toBe(false);
    expect(compareCodePoints("ab", "abc")).toBe(-1);
    expect(compareCodePoints("b", "a")).toBe(1);
    const same = Date.UTC(2021, 0, 1);
    const { content } = await compile([
      file("x.txt", `---\nid: "\uff21"\n---\n${story("First", "Text.")}`, { added: same }),
      file("y.txt", `---\nid: "\u{20000}"\n---\n${story("Second", "Text.")}`, { added: same }),
    ]);
    expect(content.articles.map((a) => a.id)).toEqual(["\u{20000}", "\uff21"]);
  });
});

describe("Markdown links", () => {
  it("bare http(s) URLs link, whatever the case of the scheme; bare e-mail addresses and www. names stay text", async () => {
    const { markdownToHtml } = await import("../../src/compile/markdown");
    expect(markdownToHtml(["See Https://Example.org/x and https://a.org, write to desk@example.org or visit www.example.org."])).toBe(
      '<p>See <a href="Https://Example.org/x">Https://Example.org/x</a> and <a href="https://a.org">https://a.org</a>, write to desk@example.org or visit www.example.org.</p>',
    );
  });
});
