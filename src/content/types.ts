/**
 * The published content, as compiled from the seeds folder at build time
 * (scripts/build-content.ts) and imported by the worker from src/generated/content.ts.
 */

/** One article, ready to render. All strings are free of XML-forbidden characters. */
export interface Article {
  /** The stable id: front matter `id`, else the hash part of the file name, else a hash of the path. */
  id: string;
  /** The id every feed uses for the item (RSS guid, Atom id, JSON Feed id): a URI that never changes. */
  guid: string;
  /** URL slug, lowercase ASCII and hyphens, unique: the article lives at /articles/{slug}. */
  slug: string;
  title: string;
  /** Plain-text lead: front matter `summary`, else the first paragraph. */
  summary: string;
  /** The body as HTML, built from trusted markup only: every character of the source is escaped. */
  html: string;
  /** Agency or outlet credited for the story, e.g. "AP". */
  source: string | null;
  author: string | null;
  /** BCP 47 language tag when the article sets one; the site language applies otherwise. */
  language: string | null;
  /** RFC 3339 timestamp in UTC, whole seconds. */
  published: string;
  /** RFC 3339 timestamp in UTC, whole seconds; never before `published`. */
  updated: string;
  /** Slugs of the article's topics, in the order of the topic list. */
  topics: string[];
  /** The article's picture: front matter `image`, else the first image of a Markdown body. */
  image: ArticleImage | null;
  /** Path of the source file relative to the seeds folder, for messages. */
  file: string;
}

/** A picture of an article, as feeds, pages and link previews show it. */
export interface ArticleImage {
  /** A path on this site for a local image (`/media/<hash>.<ext>`, origin added when rendered), or an https: URL. */
  src: string;
  /** Text that stands for the picture: front matter `image_alt`, else the caption; empty when neither is given. */
  alt: string;
  caption: string | null;
  credit: string | null;
  width: number | null;
  height: number | null;
  /** Media type, e.g. image/jpeg: always known for a local image, guessed from a remote URL's extension. */
  type: string | null;
  /** Bytes of a local image (RSS enclosures need it); null for a remote one. */
  length: number | null;
  /** The body's first image stands in for it (no front matter `image`): the body already shows it. */
  inBody: boolean;
}

export interface Topic {
  /** Lowercase ASCII kebab-case; the topic lives at /topics/{slug}. */
  slug: string;
  /** Display name. */
  name: string;
}

export interface Content {
  /** Newest first: by `published`, then by id descending. */
  articles: Article[];
  /** Every topic that can be served: those of the topic file, then those only front matter names. */
  topics: Topic[];
}

/** An author or a source as listings name it (src/content/groups.ts), with the number of its articles. */
export interface GroupCount {
  slug: string;
  /** As the newest of its articles writes it. */
  name: string;
  count: number;
}
