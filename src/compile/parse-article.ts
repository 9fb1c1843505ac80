import { sha256Hex } from "../content/ids";
import { decodeArticleText } from "./decode";
import { parseContentDate } from "./dates";
import { ContentError } from "./errors";
import { splitFrontMatter } from "./front-matter";
import { markdownToHtml, markdownToPlainText, textToHtml } from "./markdown";
import { SLUG_PATTERN } from "./slug";
import { normalizeSpace } from "../text/space";
import { readWireStory } from "./wire-copy";

/** A file of the seeds folder, with the dates its history gives (epoch milliseconds). */
export interface SourceFile {
  /** Path relative to the seeds folder, with forward slashes. */
  path: string;
  bytes: Uint8Array;
  /** Date of the git commit that added the file, when it is committed. */
  added: number | null;
  /** Date of the last git commit that changed the file, when it is committed. */
  changed: number | null;
  /** The file's modification time. */
  modified: number;
}

/** An article as one file defines it, before ids and slugs are checked across the folder. */
export interface ArticleDraft {
  id: string;
  file: string;
  title: string;
  summary: string;
  html: string;
  source: string | null;
  author: string | null;
  language: string | null;
  published: number;
  updated: number;
  /** Slug fixed by front matter; otherwise one is made from the title. */
  slug: string | null;
  /** Topic names or slugs given by front matter. */
  topics: string[];
  /** Headline and body as plain text, for topic matching. */
  text: string;
}

/** Files named like `000_aa4f927da06b7f0b.txt`: the hex part is the article's id. */
const HASH_FILE_NAME = /^\d+[_-]([0-9a-f]{8,64})\.(?:txt|md)$/i;

/** Longest lead, in characters, that a summary keeps before it is cut at a word. */
const SUMMARY_MAX = 500;

/** BCP 47 language tag, e.g. `en`, `pt-BR`, `zh-Hant-TW`. */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

/** Reads one article file. Throws ContentError naming the file when it cannot be published. */
export async function parseArticle(file: SourceFile): Promise<ArticleDraft> {
  const fail = (reason: string): never => {
    throw new ContentError(file.path, reason);
  };
  const decoded = decodeArticleText(file.bytes);
  if ("error" in decoded) return fail(decoded.error);
  if (decoded.text.trim() === "") fail("file holds only whitespace, no headline");

  const split = splitFrontMatter(decoded.text);
  if ("error" in split) return fail(split.error);
  const fm = split.frontMatter;

  const isMarkdown = file.path.toLowerCase().endsWith(".md");
  const story = readWireStory(split.body, fm.title, isMarkdown);
  if (!story || story.headline === "") return fail("no headline (the first non-empty line, or front matter title)");
  if (story.blocks.length === 0) fail("no story text after the headline");

  const plainBlocks = story.blocks.map((b) => (isMarkdown ? markdownToPlainText(b) : normalizeSpace(b)));

  const published = fm.date !== undefined ? parseDate(fm.date, "date", fail) : (file.added ?? file.modified);
  const updated = fm.updated !== undefined ? parseDate(fm.updated, "updated", fail) : (file.changed ?? published);

  if (fm.slug !== undefined && !SLUG_PATTERN.test(fm.slug)) {
    fail(`front matter slug "${fm.slug}" must be lowercase ASCII letters, digits and single hyphens`);
  }
  if (fm.language !== undefined && !LANGUAGE_TAG.test(fm.language)) {
    fail(`front matter language "${fm.language}" is not a language tag such as en or pt-BR`);
  }

  const baseName = file.path.slice(file.path.lastIndexOf("/") + 1);
  const id = fm.id ?? HASH_FILE_NAME.exec(baseName)?.[1]?.toLowerCase() ?? (await sha256Hex(file.path)).slice(0, 16);

  return {
    id,
    file: file.path,
    title: story.headline,
    summary: truncate(fm.summary !== undefined ? normalizeSpace(fm.summary) : (plainBlocks.find((b) => b !== "") ?? "")),
    html: isMarkdown ? markdownToHtml(story.blocks) : textToHtml(story.blocks),
    source: fm.source ?? story.agency,
    author: fm.author ?? null,
    language: fm.language ?? null,
    published,
    updated: Math.max(updated, published),
    slug: fm.slug ?? null,
    topics: fm.topics ?? [],
    text: plainBlocks.join("\n"),
  };
}

function parseDate(value: string, key: string, fail: (reason: string) => never): number {
  const ms = parseContentDate(value);
  return ms ?? fail(`front matter ${key} "${value}" is not a date (use e.g. 2020-12-30 or 2020-12-30T14:05:00Z)`);
}

function truncate(text: string): string {
  if ([...text].length <= SUMMARY_MAX) return text;
  const head = [...text].slice(0, SUMMARY_MAX).join("");
  const cut = head.lastIndexOf(" ");
  return `${(cut > SUMMARY_MAX / 2 ? head.slice(0, cut) : head).replace(/[\s,;:.]+$/u, "")}…`;
}
