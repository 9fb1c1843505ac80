import { describe, expect, it } from "vitest";
import { createTopicMatcher, parseTopicFile } from "../../src/compile/topics";
import { compile, file, shippedTopics, story } from "./fixtures";

const TOPICS = parseTopicFile(`
- slug: united-states
  name: United States
  match: [US, United States, Washington]
- slug: energy
  name: Energy
  match: [oil, natural gas]
`);

describe("topic matching", () => {
  const match = createTopicMatcher(TOPICS);

  it("matches any alias in the headline, whole words only, ignoring case", () => {
    expect(match("Washington weighs in", "")).toEqual(["united-states"]);
    expect(match("the united states and oil", "")).toEqual(["united-states", "energy"]);
    expect(match("Oilers win; Washingtonian wins", "")).toEqual([]);
  });

  it("matches acronyms only in capitals, so 'us' the pronoun is not the US", () => {
    expect(match("Tell us more", "Join us. Ask us.")).toEqual([]);
    expect(match("US rates", "")).toEqual(["united-states"]);
  });

  it("needs two mentions in the story when the headline has none", () => {
    expect(match("Markets", "Oil rose.")).toEqual([]);
    expect(match("Markets", "Oil rose. Natural  gas\nfell.")).toEqual(["energy"]);
  });

  it("matches in any script", () => {
    const m = createTopicMatcher(parseTopicFile("- {slug: turkey, name: Turkey, match: [Türkiye, Çavuşoğlu]}"));
    expect(m("TÜRKIYE votes", "")).toEqual(["turkey"]);
    expect(m("Çavuşoğlu’s trip", "")).toEqual(["turkey"]);
  });

  it("rejects a topic file with a bad slug, a repeated slug or no terms", () => {
    expect(() => parseTopicFile("- {slug: Bad Slug, name: X, match: [x]}")).toThrow('topic #1: slug must be lowercase ASCII kebab-case, got "Bad Slug"');
    expect(() => parseTopicFile("- {slug: a, name: A, match: [x]}\n- {slug: a, name: B, match: [y]}")).toThrow('topic #2: slug "a" is used twice');
    expect(() => parseTopicFile("- {slug: a, name: A, match: []}")).toThrow('topic "a": match must be a non-empty list of words or phrases');
  });

  it("the shipped topic file is valid and has the common news subjects", () => {
    const slugs = shippedTopics().map((t) => t.slug);
    for (const s of [
      "politics",
      "diplomacy",
      "economy",
      "energy",
      "defense",
      "sanctions",
      "elections",
      "weather",
      "technology",
      "health",
      "europe",
      "united-states",
    ]) {
      expect(slugs).toContain(s);
    }
  });
});

describe("an article's topics", () => {
  it("joins front matter topics to matched ones; unknown names become topics of their own", async () => {
    const { content } = await compile(
      [file("a.txt", `---\ntopics: [Energy, Space Mining, united-states]\n---\n${story("A quiet day", "Nothing matched here.")}`)],
      { topics: TOPICS },
    );
    expect(content.articles[0]!.topics).toEqual(["united-states", "energy", "space-mining"]);
    expect(content.topics).toEqual([
      { slug: "united-states", name: "United States" },
      { slug: "energy", name: "Energy" },
      { slug: "space-mining", name: "Space Mining" },
    ]);
  });
});
