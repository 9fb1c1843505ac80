/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Listing } from "../content/store";
import type { Article, ArticleImage } from "../content/types";
import { articlePath, pagePath, topicPagePath } from "../urls";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** `30 December 2020`, in UTC so that every visitor and every render sees the same date. */
export function DateTime(props: { iso: string }) {
  const date = new Date(props.iso);
  const text = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
  return <time datetime={props.iso}>{text}</time>;
}

export function TopicTags(props: { names: ReadonlyMap<string, string>; slugs: readonly string[]; label?: string }) {
  if (props.slugs.length === 0) return null;
  return (
    <ul class="topic-tags" aria-label={props.label ?? "Topics"}>
      {props.slugs.map((slug) => (
        <li>
          <a href={topicPagePath(slug)}>{props.names.get(slug) ?? slug}</a>
        </li>
      ))}
    </ul>
  );
}

/** Headline, date, source, lead and topics of each article; headlines are h3 under a page's h2. */
export function ArticleList(props: { names: ReadonlyMap<string, string>; articles: readonly Article[] }) {
  return (
    <ol class="articles">
      {props.articles.map((article) => (
        <li>
          <article class={article.image === null ? undefined : "with-thumbnail"}>
            {article.image !== null && <Thumbnail image={article.image} />}
            <h3>
              <a href={articlePath(article.slug)}>{article.title}</a>
            </h3>
            <p class="meta">
              <DateTime iso={article.published} />
              {article.source ? ` · ${article.source}` : ""}
            </p>
            <p>{article.summary}</p>
            <TopicTags names={props.names} slugs={article.topics} label={`Topics of ${article.title}`} />
          </article>
        </li>
      ))}
    </ol>
  );
}

/**
 * A small picture beside a listed article: the original file, sized by the stylesheet
 * (no resizing service), with its width and height so nothing shifts as it loads. It
 * repeats what the headline says, so it is hidden from screen readers (alt="").
 */
function Thumbnail(props: { image: ArticleImage }) {
  const { image } = props;
  return <img class="thumbnail" src={image.src} alt="" width={image.width ?? undefined} height={image.height ?? undefined} loading="lazy" decoding="async" />;
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Links to the newer and older pages of a listing, when there are any. */
export function PageLinks(props: { listing: Listing; path: string }) {
  const { newer, older } = props.listing;
  if (newer === null && older === null) return null;
  return (
    <nav class="pages" aria-label="More articles">
      {newer !== null && (
        <a href={pagePath(props.path, newer.before)} rel="prev">
          ← Newer articles
        </a>
      )}
      {older !== null && (
        <a href={pagePath(props.path, older)} rel="next">
          Older articles →
        </a>
      )}
    </nav>
  );
}
