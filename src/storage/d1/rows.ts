/**
 * How articles and scheduled drafts are written as rows of the D1 tables, and read back.
 */

import { toTimestamp } from "../../compile/dates";
import type { ArticleDraft } from "../../compile/parse-article";
import type { Article } from "../../content/types";
import { sha256Hex } from "../../text/hash";
import type { SqlValue } from "./sql";

export const ARTICLE_COLUMNS = [
  "id",
  "guid",
  "slug",
  "title",
  "summary",
  "html",
  "source",
  "author",
  "language",
  "published",
  "updated",
  "topics",
  "image",
  "file",
  "content_hash",
] as const;

export type ArticleRow = Record<(typeof ARTICLE_COLUMNS)[number], SqlValue>;

/**
 * The article as a row; `content_hash` names everything that is published of it, so an
 * unchanged article is skipped. The file it came from is recorded but not hashed: moving
 * a file, or publishing the same text over HTTP, is not a change.
 */
export async function articleRow(article: Article): Promise<ArticleRow> {
  const row = {
    id: article.id,
    guid: article.guid,
    slug: article.slug,
    title: article.title,
    summary: article.summary,
    html: article.html,
    source: article.source,
    author: article.author,
    language: article.language,
    published: article.published,
    updated: article.updated,
    topics: JSON.stringify(article.topics),
    image: article.image === null ? null : JSON.stringify(article.image),
  };
  return { ...row, file: article.file, content_hash: (await sha256Hex(JSON.stringify(row))).slice(0, 32) };
}

/** The article a row holds: the inverse of articleRow. */
export function rowArticle(row: Record<string, unknown>): Article {
  return {
    id: row.id as string,
    guid: row.guid as string,
    slug: row.slug as string,
    title: row.title as string,
    summary: row.summary as string,
    html: row.html as string,
    source: (row.source as string | null) ?? null,
    author: (row.author as string | null) ?? null,
    language: (row.language as string | null) ?? null,
    published: row.published as string,
    updated: row.updated as string,
    topics: JSON.parse(row.topics as string) as string[],
    file: row.file as string,
    image: row.image === null || row.image === undefined ? null : (JSON.parse(row.image as string) as Article["image"]),
  };
}

/** A scheduled article's draft as stored, with the hash that tells a changed one. */
export async function scheduledRow(draft: ArticleDraft): Promise<ScheduledRow> {
  const json = JSON.stringify(draft);
  return {
    id: draft.id,
    published: toTimestamp(draft.published),
    updated: toTimestamp(draft.updated),
    draft: json,
    content_hash: (await sha256Hex(json)).slice(0, 32),
  };
}

export interface ScheduledRow {
  id: string;
  published: string;
  updated: string;
  draft: string;
  content_hash: string;
}

/** The draft a scheduled row holds. */
export function rowDraft(row: Record<string, unknown>): ArticleDraft {
  return JSON.parse(row.draft as string) as ArticleDraft;
}
