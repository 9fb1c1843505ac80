import { idProblem } from "../content/ids";
import type { Article, ArticleImage } from "../content/types";
import { sha256Hex } from "../text/hash";
import { SLUG_PATTERN } from "../text/slug";
import { normalizeSpace } from "../text/space";
import { parseContentDate } from "./dates";
import { decodeArticleText } from "./decode";
import { ContentError } from "./errors";
import type { FrontMatter } from "./front-matter";
import { splitFrontMatter } from "./front-matter";
import { type FolderImages, REMOTE_ONLY, resolveImage } from "./images";
import { type MarkdownImages, markdownProblem, markdownToHtml, markdownToPlainText, textToHtml } from "./markdown";
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

/**
 * An article as one file defines it, before ids and slugs are checked across the folder:
 * the article's own fields, with dates as epoch milliseconds.
 */
export interface ArticleDraft extends Pick<Article, "id" | "file" | "title" | "summary" | "html" | "source" | "author" | "language" | "image"> {
  published: number;
  updated: number;
  /** Slug fixed by front matter; otherwise one is made from the title. */
  slug: string | null;
  /** Topic names or slugs given by front matter. */
  topics: string[];
  /** Headline and body as plain text, for topic matching. */
  text: string;
  /** Paths (`/media/…`) of the local images it shows, its picture and those of its body. */
  media: string[];
  /** What can be published but should be fixed (a picture without alt text), one line each. */
  warnings: string[];
}

/** Files named like `000_aa4f927da06b7f0b.txt`: the hex part is the article's id. */
const HASH_FILE_NAME = /^\d+[_-]([0-9a-f]{8,64})\.(?:txt|md)$/i;

/** Longest lead, in characters, that a summary keeps before it is cut at a word. */
const SUMMARY_MAX = 500;

/** BCP 47 language tag, e.g. `en`, `pt-BR`, `zh-Hant-TW`. */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

/**
 * Reads one article file. Throws ContentError naming the file when it cannot be published.
 * `id`: the id the caller already names the article by (the publishing API's URL); front
 * matter `id`, if any, must be the same.
 */
export async function parseArticle(file: SourceFile, options: { id?: string; images?: FolderImages } = {}): Promise<ArticleDraft> {
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

  if (isMarkdown) {
    const beyond = markdownProblem(split.body);
    if (beyond !== null) fail(beyond);
  }
  const plainBlocks = story.blocks.map((b) => (isMarkdown ? markdownToPlainText(b) : normalizeSpace(b)));
  const folder = options.images ?? REMOTE_ONLY;
  const resolve = (reference: string) => {
    try {
      return resolveImage(reference, file.path, folder);
    } catch (error) {
      return fail((error as Error).message);
    }
  };
  const inline: MarkdownImages = { resolve, found: [] };
  const html = isMarkdown ? markdownToHtml(story.blocks, inline) : textToHtml(story.blocks);
  const image = articleImage(fm, inline.found[0] ?? null, resolve, fail);
  const warnings = image !== null && image.alt === "" ? ["image has no alt text (front matter image_alt) nor caption: a news photo is not decorative"] : [];

  const published = fm.date !== undefined ? parseDate(fm.date, "date", fail) : (file.added ?? file.modified);
  const updated = fm.updated !== undefined ? parseDate(fm.updated, "updated", fail) : (file.changed ?? published);

  if (fm.slug !== undefined && !SLUG_PATTERN.test(fm.slug)) {
    fail(`front matter slug "${fm.slug}" must be lowercase ASCII letters, digits and single hyphens`);
  }
  if (fm.language !== undefined && !LANGUAGE_TAG.test(fm.language)) {
    fail(`front matter language "${fm.language}" is not a language tag such as en or pt-BR`);
  }

  if (fm.id !== undefined) {
    const problem = idProblem(fm.id);
    if (problem !== null) fail(`front matter id: ${problem}`);
  }
  if (options.id !== undefined && fm.id !== undefined && fm.id !== options.id) fail(`front matter id "${fm.id}" is not the article's id "${options.id}"`);
  const baseName = file.path.slice(file.path.lastIndexOf("/") + 1);
  const id = options.id ?? fm.id ?? HASH_FILE_NAME.exec(baseName)?.[1]?.toLowerCase() ?? (await sha256Hex(file.path)).slice(0, 16);

  return {
    id,
    file: file.path,
    title: story.headline,
    summary: truncate(fm.summary !== undefined ? normalizeSpace(fm.summary) : (plainBlocks.find((b) => b !== "") ?? "")),
    html,
    source: fm.source ?? story.agency,
    author: fm.author ?? null,
    language: fm.language ?? null,
    published,
    updated: Math.max(updated, published),
    slug: fm.slug ?? null,
    topics: fm.topics ?? [],
    text: plainBlocks.join("\n"),
    image,
    media: [...new Set([...(image === null ? [] : [image.src]), ...inline.found.map((f) => resolve(f.href).src)])].filter((src) => src.startsWith("/media/")),
    warnings,
  };
}

/** The article's picture: front matter `image` with its alt, caption, credit and size, else the body's first image. */
function articleImage(
  fm: FrontMatter,
  firstInline: { href: string; alt: string } | null,
  resolve: (reference: string) => ReturnType<typeof resolveImage>,
  fail: (reason: string) => never,
): ArticleImage | null {
  const reference = fm.image ?? firstInline?.href;
  if (reference === undefined) {
    for (const key of ["image_alt", "image_caption", "image_credit", "image_width", "image_height"] as const) {
      if (fm[key] !== undefined) fail(`front matter ${key} is set but there is no image`);
    }
    return null;
  }
  const resolved = resolve(reference);
  const size = (key: "image_width" | "image_height"): number | null => {
    const value = fm[key];
    if (value === undefined) return null;
    if (!/^[1-9]\d{0,4}$/.test(value)) fail(`front matter ${key} "${value}" must be a whole number of pixels`);
    return Number(value);
  };
  // A local file's own size wins over anything written by hand.
  const width = resolved.width ?? size("image_width");
  const height = resolved.height ?? size("image_height");
  const caption = fm.image_caption ?? null;
  const given = fm.image_alt ?? (fm.image === undefined ? (firstInline?.alt ?? "") : "");
  const alt = given !== "" ? given : (caption ?? "");
  return {
    ...resolved,
    width: width !== null && height !== null ? width : null,
    height: width !== null && height !== null ? height : null,
    alt,
    caption,
    credit: fm.image_credit ?? null,
    inBody: fm.image === undefined,
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
