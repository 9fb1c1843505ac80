/**
 * Hostile input: how long the build takes to compile one article made of an adversarial
 * pattern (long runs of whitespace, brackets, emphasis marks, `@`, `<`, backticks, quotes,
 * front matter keys), at 64 KiB, 256 KiB and 1 MiB (the publishing API's limit on a body),
 * beside a plain article of the same size and format. The same compile the build, the
 * import and a PUT run (src/compile/compile.ts), in this process, timed in its CPU time
 * (workerd's clock does not advance while code runs); the median of three runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileContent } from "../src/compile/compile";
import { MARKDOWN_MAX_MARKUP } from "../src/compile/markdown";
import { parseTopicFile } from "../src/compile/topics";
import { ROOT } from "./harness";

export const HOSTILE_SIZES = [64 * 1024, 256 * 1024, 1024 * 1024] as const;

type Format = "wire copy (.txt)" | "Markdown (.md)";

interface Family {
  name: string;
  format: Format;
  /** An article of about `n` characters. */
  make(n: number): string;
}

const SENTENCE = "The minister said on Tuesday that talks would resume next week, officials confirmed. ";
const paragraphs = (n: number) => {
  const paragraph = `${SENTENCE.repeat(5).trim()}\n\n`;
  return paragraph.repeat(Math.ceil(n / paragraph.length));
};
const times = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length));

/** The plain article each family is compared with: a headline and paragraphs of prose. */
const PLAIN: Record<Format, (n: number) => string> = {
  "wire copy (.txt)": (n) => `Talks to resume\n\n${paragraphs(n)}`,
  "Markdown (.md)": (n) => `# Talks to resume\n\n${paragraphs(n)}`,
};

const FAMILIES: Family[] = [
  { name: "spaces between two words", format: "wire copy (.txt)", make: (n) => `Head\n\na${times(" ", n)}b` },
  { name: "tabs and spaces before an agency tag", format: "wire copy (.txt)", make: (n) => `Head\n\nText${times(" \t", n)}[AP]` },
  { name: "`#` after a Markdown headline", format: "Markdown (.md)", make: (n) => `# Head ${times(" #", n)}x\n\nText.` },
  { name: "`[` brackets", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("[", n)}` },
  { name: "`[a](` unclosed links", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("[a](", n)}` },
  { name: "`![` unclosed images", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("![", n)}` },
  { name: "`_a` emphasis marks", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("_a", n)}` },
  { name: "`*` run", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("*", n)}a` },
  { name: "`**a` strong marks", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("**a", n)}` },
  { name: "a word before `@`", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("a", n)}@` },
  { name: "`<` angle brackets", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("<", n)}` },
  { name: "backticks between letters", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("a`", n)}` },
  { name: "`~a` strike marks", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("~a", n)}` },
  { name: "a long block quote", format: "Markdown (.md)", make: (n) => `# Head\n\n${times("> a\n", n)}` },
  { name: "front matter keys", format: "wire copy (.txt)", make: (n) => `---\n${times("k: 1\n", n)}---\nHead\n\nText.` },
  // The densest Markdown the build still parses: just under its limit of lines and markup
  // characters (MARKDOWN_MAX_MARKUP), the rest plain paragraphs.
  { name: "list items up to the Markdown limit, then prose", format: "Markdown (.md)", make: (n) => atLimit("- a\n", 1, n) },
  { name: "`_a` up to the Markdown limit, then prose", format: "Markdown (.md)", make: (n) => atLimit("_a", 1, n) },
  { name: "`<` up to the Markdown limit, then prose", format: "Markdown (.md)", make: (n) => atLimit("<", 1, n) },
];

/** `unit` (holding `marks` lines or markup characters) repeated up to the limit, or to `n` characters, then plain paragraphs up to `n`. */
function atLimit(unit: string, marks: number, n: number): string {
  const head = "# Head\n\n";
  const prose = (count: number) => {
    const rest = n - head.length - count * unit.length - 2;
    return rest > 0 ? paragraphs(rest) : "";
  };
  // The paragraphs' lines count too: settle how many units leave room for them (a few rounds suffice).
  let count = Math.ceil(n / unit.length);
  for (let round = 0; round < 4; round++) {
    const lines = 3 + prose(count).split("\n").length;
    count = Math.min(Math.ceil(n / unit.length), Math.floor((MARKDOWN_MAX_MARKUP - 10 - lines) / marks));
  }
  return `${head}${unit.repeat(count)}\n\n${prose(count)}`;
}

export interface HostileRow {
  family: string;
  format: Format;
  /** Median CPU ms per size of HOSTILE_SIZES. */
  ms: number[];
  /** The plain article's, per size. */
  plainMs: number[];
  /** What the build made of the largest input: published, or the one-line refusal. */
  outcome: string;
}

const topics = parseTopicFile(readFileSync(join(ROOT, "src/content/topics.yaml"), "utf8"));
const encoder = new TextEncoder();

/** Compiles the article and says what became of it. */
async function compile(path: string, text: string): Promise<string> {
  try {
    await compileContent([{ path, bytes: encoder.encode(text), added: 0, changed: 0, modified: 0 }], { topics, now: Date.UTC(2030, 0, 1) });
    return "published";
  } catch (error) {
    return `refused: ${(error as Error).message.split("\n")[0]!.slice(0, 200)}`;
  }
}

/** Median CPU milliseconds (user and system) of three compiles, and the outcome. */
async function measure(path: string, text: string): Promise<{ ms: number; outcome: string }> {
  const runs: number[] = [];
  let outcome = "";
  for (let i = 0; i < 3; i++) {
    const started = process.cpuUsage();
    outcome = await compile(path, text);
    const used = process.cpuUsage(started);
    runs.push((used.user + used.system) / 1000);
  }
  return { ms: runs.sort((a, b) => a - b)[1]!, outcome };
}

export async function measureHostile(log: (line: string) => void): Promise<HostileRow[]> {
  const plain = new Map<Format, number[]>();
  for (const format of Object.keys(PLAIN) as Format[]) {
    const path = format === "Markdown (.md)" ? "a.md" : "a.txt";
    const ms: number[] = [];
    for (const size of HOSTILE_SIZES) ms.push((await measure(path, PLAIN[format](size))).ms);
    plain.set(format, ms);
  }
  const rows: HostileRow[] = [];
  for (const family of FAMILIES) {
    log(`hostile input: ${family.name}`);
    const path = family.format === "Markdown (.md)" ? "a.md" : "a.txt";
    const ms: number[] = [];
    let outcome = "";
    for (const size of HOSTILE_SIZES) {
      const result = await measure(path, family.make(size));
      ms.push(result.ms);
      outcome = result.outcome;
    }
    rows.push({ family: family.name, format: family.format, ms, plainMs: plain.get(family.format)!, outcome });
  }
  return rows;
}
