/**
 * The compiled content as the worker bundles it (src/generated/content.bin): every article
 * as its own JSON record, found by position or by slug through binary tables, so that a
 * fresh isolate decodes only the articles a request shows instead of parsing the archive.
 */

import type { TopicDefinition } from "../../compile/topics";
import { collectGroups, namedGroups } from "../../content/groups";
import { newestUpdate } from "../../content/newest-update";
import type { Article, Content, GroupCount, Topic } from "../../content/types";
import { fingerprint } from "../../text/hash";
import { scopeKey } from "../../urls";
import { type PackHeader, stringTable, u32Bytes, writePack } from "./pack-file";

export interface ContentHeader extends PackHeader {
  kind: "content";
  articleCount: number;
  /** Latest `updated` of any article: the date of a listing that has no articles. */
  newestUpdate: string;
  /** Every topic in topic order, with where its article list starts in `groupArticles` and how long it is. */
  topics: (Topic & { start: number; count: number })[];
  /** Every author, in slug order, likewise. */
  authors: (GroupCount & { start: number })[];
  /** Every source, in slug order, likewise. */
  sources: (GroupCount & { start: number })[];
  /** Changes whenever the articles or topics do (src/text/hash.ts fingerprint): how the own hub's cron check tells a deploy that changed content. */
  contentId: string;
  /** The topic file the content was compiled with: the D1 mode's publishing API files articles by it until an import stores one. */
  definitions: TopicDefinition[];
}

/**
 * Sections: `records` (article JSON, newest first) with `recordOffsets`; `slugText` and
 * `slugOffsets`, the slugs in sorted order, with `slugArticles`, the position of each;
 * `groupArticles`, each topic's, author's and source's article positions, ascending (newest first);
 * `updatedSeconds`, each article's `updated` in epoch seconds, by position (what changed since a
 * time is found without decoding an article); `articleMarks`, a 32-bit hash of each article's
 * slug and `updated`, by position (what a deploy changed, compared with the marks of the last).
 */
/** A 32-bit hash of what a search engine would see change in an article: its URL and its `updated`. */
function articleMark(article: Pick<Article, "slug" | "updated">): number {
  return Number.parseInt(fingerprint(new TextEncoder().encode(`${article.slug}\n${article.updated}`)).slice(0, 8), 16);
}

export function packContent(content: Content, definitions: readonly TopicDefinition[] = []): Uint8Array<ArrayBuffer> {
  const records = stringTable(content.articles.map((a) => JSON.stringify(a)));
  const bySlug = content.articles.map((a, i) => [a.slug, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const slugs = stringTable(bySlug.map(([slug]) => slug));
  const position = new Map(content.articles.map((a, i) => [a, i]));
  const lists: number[] = [];
  const topics = content.topics.map((topic) => {
    const start = lists.length;
    for (const article of content.articles) if (article.topics.includes(topic.slug)) lists.push(position.get(article)!);
    return { ...topic, start, count: lists.length - start };
  });
  const groups = collectGroups(content.articles);
  const members = new Map<string, number[]>();
  content.articles.forEach((article, i) => {
    for (const { kind, slug } of namedGroups(article)) {
      const key = scopeKey({ kind, slug });
      const list = members.get(key);
      if (list === undefined) members.set(key, [i]);
      else list.push(i);
    }
  });
  const listed = (kind: "author" | "source", list: GroupCount[]) =>
    list.map((group) => {
      const start = lists.length;
      lists.push(...members.get(scopeKey({ kind, slug: group.slug }))!);
      return { ...group, start };
    });
  const authors = listed("author", groups.authors);
  const sources = listed("source", groups.sources);
  const header: Omit<ContentHeader, "sections"> = {
    kind: "content",
    articleCount: content.articles.length,
    newestUpdate: newestUpdate(content.articles) ?? "1970-01-01T00:00:00Z",
    topics,
    authors,
    sources,
    contentId: fingerprint(records.text) + fingerprint(new TextEncoder().encode(JSON.stringify(topics))),
    definitions: [...definitions],
  };
  return writePack(header, {
    records: records.text,
    recordOffsets: records.offsets,
    slugText: slugs.text,
    slugOffsets: slugs.offsets,
    slugArticles: u32Bytes(bySlug.map(([, i]) => i)),
    groupArticles: u32Bytes(lists),
    updatedSeconds: u32Bytes(content.articles.map((a) => Math.max(0, Date.parse(a.updated) / 1000))),
    articleMarks: u32Bytes(content.articles.map(articleMark)),
  });
}
