/**
 * Every text path an article goes through runs in time linear in its input: for each
 * adversarial family (long runs of whitespace, brackets, `#`, `*`, `_`, `@`, `<`,
 * backticks, `>`; repeated keys; deep nesting), four times the input may take at most twelve
 * times as long (linear: four; quadratic: sixteen, and at 1 MiB the quadratic part is all a
 * quadratic path shows), measured over two doublings so that a busy machine, or V8's
 * allocation of megabyte strings, cannot blur linear into quadratic. Timed here, in Node, not in
 * workerd, whose clock does not advance while code runs.
 *
 * Markdown is here for what was made linear (a long word before an `@`: GFM's e-mail
 * autolinks are off and long words reach marked's text rule in pieces); what marked spends
 * microseconds on (lines and markup characters, nesting) is bounded before it runs
 * (markdownProblem), and bench/hostile.ts measures it against plain articles.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseContentDate } from "../../src/compile/dates";
import { splitFrontMatter } from "../../src/compile/front-matter";
import { resolveImage } from "../../src/compile/images";
import { markdownProblem } from "../../src/compile/markdown";
import { parseArticle } from "../../src/compile/parse-article";
import { createTopicMatcher, parseTopicFile } from "../../src/compile/topics";
import { readWireStory } from "../../src/compile/wire-copy";
import { idProblem } from "../../src/content/ids";
import { slugify } from "../../src/text/slug";

const ROOT = resolve(import.meta.dirname, "../..");
const topics = createTopicMatcher(parseTopicFile(readFileSync(join(ROOT, "src/content/topics.yaml"), "utf8")));
const encoder = new TextEncoder();

/** The characters pasted copy and attackers repeat. */
const HOSTILE = [" ", "\t", "\u00a0", "[", "]", "#", "*", "_", "@", "<", "`", ">", "-", ":", ".", "a", "\n"];

/**
 * How much longer `work` takes on an input four times as long, in this process's CPU time
 * (not the clock: the other test files' processes share the cores). The inputs are made
 * before measuring; each is worked on repeatedly for at least 20 ms of CPU, three times,
 * and the least CPU per run kept, so a garbage collection does not decide.
 */
async function growth<T>(make: (size: number) => T, work: (input: T) => unknown, size: number): Promise<number> {
  const cpuMs = (since: NodeJS.CpuUsage) => {
    // User time only: the kernel's time (page faults of megabyte strings) grows with memory pressure from other processes.
    return process.cpuUsage(since).user / 1000;
  };
  const time = async (input: T) => {
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      const started = process.cpuUsage();
      let runs = 0;
      do {
        await work(input);
        runs++;
      } while (cpuMs(started) < 20);
      best = Math.min(best, cpuMs(started) / runs);
    }
    return best;
  };
  const small = make(size);
  const large = make(4 * size);
  await time(small);
  return (await time(large)) / (await time(small));
}

/** A text of `n` characters: the unit repeated, between a head and a tail. */
const spread = (head: string, unit: string, tail: string, n: number) => head + unit.repeat(Math.ceil(n / unit.length)) + tail;

/** Units of one to three hostile characters, and where the run sits. */
const family = fc.record({
  unit: fc.array(fc.constantFrom(...HOSTILE), { minLength: 1, maxLength: 3 }).map((a) => a.join("")),
  head: fc.constantFrom("Head\n\na", "a", "---\ntitle: a", "Head\n\n", ""),
  tail: fc.constantFrom("b", "[AP]", " #", "@x", "\n---\nH\n\nT.", ""),
});

/**
 * 1 MiB (the API's limit on a body) against 4 MiB: below about 1 MiB, V8's allocation of
 * the many small strings a parse makes changes speed at some sizes, and one step across
 * such a line looks superlinear when it is not.
 */
const SIZE = 1024 * 1024;
const LINEAR = 12;

describe("text paths run in linear time", { timeout: 300_000 }, () => {
  it("an article as wire copy: decoding, front matter, headline, blocks, agency tag, summary", async () => {
    await fc.assert(
      fc.asyncProperty(family, async ({ unit, head, tail }) => {
        const parse = (bytes: Uint8Array) => parseArticle({ path: "a.txt", bytes, added: 0, changed: 0, modified: 0 }).catch(() => null);
        const ratio = await growth((n) => encoder.encode(spread(head, unit, tail, n)), parse, SIZE);
        expect(ratio, JSON.stringify({ unit, head, tail })).toBeLessThan(LINEAR);
      }),
      { numRuns: 3 },
    );
  });

  it("a Markdown headline and its blocks, before the Markdown parser", async () => {
    await fc.assert(
      fc.asyncProperty(family, async ({ unit, head, tail }) => {
        const read = (text: string) => [readWireStory(text, undefined, true), markdownProblem(text)];
        const ratio = await growth((n) => spread(`# ${head}`, unit, tail, n), read, SIZE);
        expect(ratio, JSON.stringify({ unit, head, tail })).toBeLessThan(LINEAR);
      }),
      { numRuns: 3 },
    );
  });

  it("Markdown: address-like words before an @", async () => {
    const shapes: [string, (n: number) => string][] = [
      ["letters", (n) => `Head\n\n${"a".repeat(n)}@`],
      ["dotted", (n) => `Head\n\n${"a.".repeat(n / 2)}@example.org`],
      ["words", (n) => `Head\n\n${"ab-cd ".repeat(n / 6)}@`],
    ];
    const parse = (bytes: Uint8Array) => parseArticle({ path: "a.md", bytes, added: 0, changed: 0, modified: 0 });
    for (const [name, make] of shapes) {
      expect(await growth((n) => encoder.encode(make(n)), parse, SIZE / 4), name).toBeLessThan(LINEAR);
    }
  });

  it("front matter: repeated keys, long values, deep nesting, aliases", async () => {
    const shapes: [string, (n: number) => string][] = [
      ["keys", (n) => `---\n${Array.from({ length: Math.ceil(n / 8) }, (_, i) => `k${i}: 1`).join("\n")}\n---\nH`],
      ["brackets", (n) => `---\ntitle: ${"[".repeat(n)}\n---\nH`],
      ["spaces", (n) => `---\ntitle: a${" ".repeat(n)}b\n---\nH`],
      ["list", (n) => `---\ntopics: [${Array.from({ length: Math.ceil(n / 4) }, (_, i) => `t${i}`).join(",")}]\n---\nH`],
      [
        "aliases",
        (n) =>
          `---\na: &a x\nb: [${Array(Math.ceil(n / 4))
            .fill("*a")
            .join(", ")}]\n---\nH`,
      ],
      ["unclosed", (n) => `---\ntitle: a\n${"x: y\n".repeat(Math.ceil(n / 5))}`],
    ];
    for (const [name, make] of shapes) {
      // Up to the limit (64 KiB), where the parser still reads it all.
      expect(await growth(make, splitFrontMatter, 12 * 1024), name).toBeLessThan(LINEAR);
    }
  });

  it("dates, ids, slugs, topic matching and image references", async () => {
    await fc.assert(
      fc.asyncProperty(family, async ({ unit, head, tail }) => {
        const text = (n: number) => spread(head, unit, tail, n);
        const paths: [string, (n: number) => string, (input: string) => unknown][] = [
          ["date", (n) => `2020-01-01T00:00:00${text(n)}`, parseContentDate],
          ["id", (n) => `https://example.org/${text(n)}`, idProblem],
          ["slug", text, slugify],
          ["topics", text, (input) => topics(input, input)],
          [
            "image",
            (n) => `https://images.example.org/${text(n)}`,
            (input) => {
              try {
                resolveImage(input, "a.txt", { images: new Map(), others: new Map() });
              } catch {
                // Refused: what counts is how long it took.
              }
            },
          ],
        ];
        for (const [name, make, work] of paths) {
          expect(await growth(make, work, SIZE), JSON.stringify({ name, unit, head, tail })).toBeLessThan(LINEAR);
        }
      }),
      { numRuns: 3 },
    );
  });
});
