import type { Catalog } from "../content/catalog";
import type { Article } from "../content/types";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** `30 December 2020`, in UTC so that every visitor and every render sees the same date. */
export function DateTime(props: { iso: string }) {
  const date = new Date(props.iso);
  const text = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
  return <time datetime={props.iso}>{text}</time>;
}

export function TopicTags(props: { catalog: Catalog; slugs: readonly string[]; label?: string }) {
  if (props.slugs.length === 0) return null;
  return (
    <ul class="topic-tags" aria-label={props.label ?? "Topics"}>
      {props.slugs.map((slug) => (
        <li>
          <a href={`/topics/${slug}`}>{props.catalog.topicName(slug)}</a>
        </li>
      ))}
    </ul>
  );
}

/** Headline, date, source, lead and topics of each article; headlines are h3 under a page's h2. */
export function ArticleList(props: { catalog: Catalog; articles: readonly Article[] }) {
  return (
    <ol class="articles">
      {props.articles.map((article) => (
        <li>
          <article>
            <h3>
              <a href={`/articles/${article.slug}`}>{article.title}</a>
            </h3>
            <p class="meta">
              <DateTime iso={article.published} />
              {article.source ? ` · ${article.source}` : ""}
            </p>
            <p>{article.summary}</p>
            <TopicTags catalog={props.catalog} slugs={article.topics} label={`Topics of ${article.title}`} />
          </article>
        </li>
      ))}
    </ol>
  );
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
