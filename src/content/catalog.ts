import type { Article, Content, Topic } from "./types";

/** A topic with the articles filed under it, newest first. */
export interface TopicEntry {
  topic: Topic;
  articles: Article[];
}

/**
 * Lookups over the compiled content, built once per isolate so that a request does a
 * map lookup instead of a scan of the archive.
 */
export class Catalog {
  readonly articles: readonly Article[];
  readonly topics: readonly TopicEntry[];
  /** Newest `updated` of any article: what an empty listing reports as its date. */
  readonly newestUpdate: string;
  private readonly bySlug: Map<string, Article>;
  private readonly byTopic: Map<string, TopicEntry>;

  constructor(content: Content) {
    this.articles = content.articles;
    this.bySlug = new Map(content.articles.map((a) => [a.slug, a]));
    this.byTopic = new Map(content.topics.map((topic) => [topic.slug, { topic, articles: [] as Article[] }]));
    for (const article of content.articles) {
      for (const slug of article.topics) this.byTopic.get(slug)?.articles.push(article);
    }
    this.topics = [...this.byTopic.values()];
    this.newestUpdate = newestUpdate(content.articles) ?? "1970-01-01T00:00:00Z";
  }

  article(slug: string): Article | undefined {
    return this.bySlug.get(slug);
  }

  topic(slug: string): TopicEntry | undefined {
    return this.byTopic.get(slug);
  }

}

/** The latest `updated` among `articles` (RFC 3339 strings in UTC compare as text), or null. */
export function newestUpdate(articles: readonly Article[]): string | null {
  let newest: string | null = null;
  for (const a of articles) if (newest === null || a.updated > newest) newest = a.updated;
  return newest;
}
