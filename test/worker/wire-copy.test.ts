import { describe, expect, it } from "vitest";
import { parseArticle } from "../../src/compile/parse-article";
import { compile, file, SEED_HEADLINE, SEED_SLUG, SEED_TEXT, seedFile, story } from "./fixtures";

describe("the seed article", () => {
  it("reads headline, body, agency and lead as wire copy", async () => {
    const draft = await parseArticle(seedFile());
    expect(draft.id).toBe("aa4f927da06b7f0b");
    expect(draft.title).toBe(SEED_HEADLINE);
    expect(draft.source).toBe("AP");
    expect(draft.summary).toBe(
      "Turkey and the United States have formed a joint working group to discuss sanctions that Washington imposed on its ally over its purchase of an advanced Russian air defense system, Turkey's foreign minister said Wednesday.",
    );
    const paragraphs = draft.html.split("\n");
    expect(paragraphs).toHaveLength(9);
    // The repeated headline is not a paragraph; the story ends without the tag or the boilerplate.
    expect(paragraphs[0]).toMatch(/^<p>Turkey and the United States have formed/);
    expect(paragraphs[8]).toBe("<p>Earlier this month, Cavusoglu had said Turkey was considering possible steps to reciprocate against the sanctions.</p>");
    expect(draft.html).not.toContain("[AP]");
    expect(draft.html).not.toMatch(/Subscribe|Newsletters|Terms of Service/);
    expect(draft.html).toContain("<p>&quot;Because we support dialogue, we said 'yes' to the proposal");
  });

  it("gets its slug from the headline and lands in several topics", async () => {
    const { content } = await compile([seedFile()]);
    const [article] = content.articles;
    expect(article!.slug).toBe(SEED_SLUG);
    expect(article!.guid).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(article!.topics).toEqual(["politics", "diplomacy", "sanctions", "defense", "united-states", "turkey", "russia"]);
  });
});

describe("wire copy rules", () => {
  it("reads a byte order mark and CRLF line ends like plain LF text", async () => {
    const lf = await parseArticle(file("1_0123456789abcdef.txt", SEED_TEXT));
    const crlf = await parseArticle(file("1_0123456789abcdef.txt", `\uFEFF${SEED_TEXT.replace(/\n/g, "\r\n")}`));
    expect(crlf).toEqual(lf);
  });

  it("keeps a second paragraph that differs from the headline", async () => {
    const draft = await parseArticle(file("a.txt", story("Storm hits coast", "Storm hits coast overnight, officials say.", "More.")));
    expect(draft.html).toBe("<p>Storm hits coast overnight, officials say.</p>\n<p>More.</p>");
  });

  it("drops a repeated headline whatever its spacing or case", async () => {
    const draft = await parseArticle(file("a.txt", "  Storm hits   coast\n\nSTORM HITS COAST\n\nBody text."));
    expect(draft.title).toBe("Storm hits coast");
    expect(draft.html).toBe("<p>Body text.</p>");
  });

  it("takes [Reuters] and [AFP] tags as the source, even on a paragraph of their own", async () => {
    expect((await parseArticle(file("a.txt", story("H", "Text ends here. [Reuters]")))).source).toBe("Reuters");
    const own = await parseArticle(file("b.txt", story("H", "Text ends here.", "[AFP]")));
    expect(own.source).toBe("AFP");
    expect(own.html).toBe("<p>Text ends here.</p>");
  });

  it("leaves brackets inside the story alone", async () => {
    const draft = await parseArticle(file("a.txt", story("H", "He said [the plan] works.", "Last line.")));
    expect(draft.source).toBeNull();
    expect(draft.html).toContain("[the plan]");
  });

  it("removes the newsletter boilerplate only at the end", async () => {
    const draft = await parseArticle(
      file(
        "a.txt",
        story(
          "H",
          "Subscribe to our Newsletters",
          "Real text. [AP]",
          "Subscribe to our Newsletters",
          "By signing up you are agreeing to our Terms of Service and Privacy Policy.",
        ),
      ),
    );
    expect(draft.html).toBe("<p>Subscribe to our Newsletters</p>\n<p>Real text.</p>");
    expect(draft.source).toBe("AP");
  });

  it("joins the lines of a wrapped paragraph", async () => {
    const draft = await parseArticle(file("a.txt", "Headline\n\nfirst line\nsecond line\n\nnext"));
    expect(draft.html).toBe("<p>first line second line</p>\n<p>next</p>");
  });

  it("escapes markup in plain text instead of passing it on", async () => {
    const draft = await parseArticle(file("a.txt", story("A <b>bold</b> & plain headline", "<script>alert(1)</script> &amp; more")));
    expect(draft.title).toBe("A <b>bold</b> & plain headline");
    expect(draft.html).toBe("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; more</p>");
  });
});

describe("front matter", () => {
  const withFrontMatter = (yaml: string, body = story("Body headline", "Lead paragraph.", "Second.")) => `---\n${yaml}\n---\n${body}`;

  it("sets every field", async () => {
    const draft = await parseArticle(
      file(
        "x.txt",
        withFrontMatter(
          [
            "title: Given title",
            "date: 2021-01-02T03:04:05+02:00",
            "updated: 2021-01-03",
            "topics: [Economy, Space Mining]",
            "author: Jane Doe",
            "source: Reuters",
            "summary: A summary.",
            "slug: given-slug",
            "id: story-42",
            "language: pt-BR",
          ].join("\n"),
          "Body headline\n\nLead paragraph.",
        ),
      ),
    );
    expect(draft).toMatchObject({
      id: "story-42",
      title: "Given title",
      published: Date.UTC(2021, 0, 2, 1, 4, 5),
      updated: Date.UTC(2021, 0, 3),
      topics: ["Economy", "Space Mining"],
      author: "Jane Doe",
      source: "Reuters",
      summary: "A summary.",
      slug: "given-slug",
      language: "pt-BR",
    });
    // With a front matter title the first line is body text, unless it repeats the title.
    expect(draft.html).toBe("<p>Body headline</p>\n<p>Lead paragraph.</p>");
  });

  it("is optional, and empty front matter changes nothing", async () => {
    const plain = await parseArticle(file("a.txt", story("H", "Text.")));
    const empty = await parseArticle(file("a.txt", `---\n---\n${story("H", "Text.")}`));
    expect(empty).toEqual(plain);
  });

  it("dates: front matter, else the commit that added the file, else the modification time", async () => {
    const dates = { added: Date.UTC(2022, 0, 1), changed: Date.UTC(2022, 5, 1), modified: Date.UTC(2023, 0, 1) };
    const fromGit = await parseArticle(file("a.txt", story("H", "T."), dates));
    expect([fromGit.published, fromGit.updated]).toEqual([dates.added, dates.changed]);
    const uncommitted = await parseArticle(file("a.txt", story("H", "T."), { added: null, changed: null, modified: dates.modified }));
    expect([uncommitted.published, uncommitted.updated]).toEqual([dates.modified, dates.modified]);
    const given = await parseArticle(file("a.txt", withFrontMatter("date: 2020-05-05"), dates));
    expect([given.published, given.updated]).toEqual([Date.UTC(2020, 4, 5), dates.changed]);
  });
});

describe("Markdown articles", () => {
  it("renders Markdown with the same rules, and no markup from the source", async () => {
    const md = [
      "# Rates rise again",
      "",
      "Rates rise again",
      "",
      "The **central bank** raised [rates](https://example.org/rates) today.",
      "",
      "## Why",
      "",
      "Inline <script>alert(1)</script> and [a trap](javascript:alert(1)) and ![img](data:image/png;base64,xx)",
      "",
      '<div onclick="x()">block</div>',
      "",
      "- one",
      "- two [Reuters]",
    ].join("\n");
    const draft = await parseArticle(file("2_00000000000000ff.md", md));
    expect(draft.title).toBe("Rates rise again");
    expect(draft.source).toBe("Reuters");
    expect(draft.summary).toBe("The central bank raised rates today.");
    expect(draft.html).toBe(
      [
        '<p>The <strong>central bank</strong> raised <a href="https://example.org/rates">rates</a> today.</p>',
        "<h3>Why</h3>",
        "<p>Inline &lt;script&gt;alert(1)&lt;/script&gt; and a trap and img</p>",
        "<p>&lt;div onclick=&quot;x()&quot;&gt;block&lt;/div&gt;</p>",
        "<ul>",
        "<li>one</li>",
        "<li>two</li>",
        "</ul>",
      ].join("\n"),
    );
  });
});
