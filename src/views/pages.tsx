/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import { absoluteImageUrl, figureHtml } from "../content/figure";
import type { Listing, TopicCount } from "../content/store";
import type { Article } from "../content/types";
import { articlePath, HOME_PATH, pagePath, TOPICS_PATH, topicPagePath } from "../urls";
import type { PageContext } from "./context";
import { FeedList, FeedRow, Layout } from "./layout";
import { ArticleList, DateTime, PageLinks, plural, TopicTags } from "./parts";

function HowToSubscribe() {
  return (
    <p class="hint">
      Copy an address into your feed reader (NetNewsWire, Feedly, Inoreader, Miniflux, Thunderbird…) to get every new article there. RSS and Atom work
      everywhere; JSON Feed suits newer readers.
    </p>
  );
}

/** Topics that have articles, in topic order. */
function topicsInUse(ctx: PageContext): TopicCount[] {
  return ctx.snapshot.topics.filter((t) => t.count > 0);
}

export function HomePage(props: { ctx: PageContext; listing: Listing; before: string | null }) {
  const { ctx, listing, before } = props;
  const { settings } = ctx.site;
  const topics = topicsInUse(ctx);
  return (
    <Layout
      ctx={ctx}
      meta={{ title: before === null ? settings.title : `Older articles`, description: settings.description, path: pagePath("/", before), listing }}
    >
      <h1>{settings.title}</h1>
      <p class="lede">{settings.description}</p>
      <section aria-labelledby="latest">
        <h2 id="latest">{before === null ? "Latest articles" : "Older articles"}</h2>
        <ArticleList names={ctx.names} articles={listing.articles} />
        <PageLinks listing={listing} path="/" />
      </section>
      <section aria-labelledby="topics">
        <h2 id="topics">Topics</h2>
        <ul class="topic-tags" aria-label="All topics">
          {topics.map(({ topic, count }) => (
            <li>
              <a href={topicPagePath(topic.slug)}>
                {topic.name} ({plural(count, "article", "articles")})
              </a>
            </li>
          ))}
        </ul>
        <p>
          <a href={TOPICS_PATH}>Every topic, with its own feeds</a>
        </p>
      </section>
      <section aria-labelledby="subscribe">
        <h2 id="subscribe">Subscribe</h2>
        <HowToSubscribe />
        <FeedList ctx={ctx} scope={{}} label="All articles" />
        <p>
          Want every topic? <a href="/opml.xml">Download all feeds as an OPML file</a> and import it into your reader.
        </p>
      </section>
    </Layout>
  );
}

export function TopicsPage(props: { ctx: PageContext }) {
  const { ctx } = props;
  const topics = topicsInUse(ctx);
  return (
    <Layout ctx={ctx} meta={{ title: "Topics", description: `Every topic of ${ctx.site.settings.title}, with its feeds.`, path: TOPICS_PATH }}>
      <h1>Topics</h1>
      <p class="lede">
        {plural(topics.length, "topic", "topics")}. Each has its own feeds; <a href="/opml.xml">the OPML file</a> subscribes to all of them at once.
      </p>
      <ul class="topic-index">
        {topics.map(({ topic, count }) => (
          <li>
            <h2>
              <a href={topicPagePath(topic.slug)}>{topic.name}</a>
            </h2>
            <p class="meta">{plural(count, "article", "articles")}</p>
            <FeedList ctx={ctx} scope={{ topic: topic.slug }} label={topic.name} />
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function TopicPage(props: { ctx: PageContext; entry: TopicCount; listing: Listing; before: string | null }) {
  const { ctx, entry, listing, before } = props;
  const { topic, count } = entry;
  const path = topicPagePath(topic.slug);
  return (
    <Layout
      ctx={ctx}
      meta={{
        title: before === null ? topic.name : `${topic.name}: older articles`,
        description: `${topic.name}: the latest articles from ${ctx.site.settings.title}.`,
        path: pagePath(path, before),
        topicFeeds: [topic],
        listing,
      }}
    >
      <h1>{topic.name}</h1>
      <p class="lede">{plural(count, "article", "articles")}, newest first.</p>
      <section aria-labelledby="articles">
        <h2 id="articles">{before === null ? "Articles" : "Older articles"}</h2>
        {listing.articles.length > 0 ? <ArticleList names={ctx.names} articles={listing.articles} /> : <p>No articles yet: subscribe to hear of the first.</p>}
        <PageLinks listing={listing} path={path} />
      </section>
      <section aria-labelledby="subscribe">
        <h2 id="subscribe">Subscribe to {topic.name}</h2>
        <HowToSubscribe />
        <FeedList ctx={ctx} scope={{ topic: topic.slug }} label={topic.name} />
      </section>
    </Layout>
  );
}

/** schema.org NewsArticle, for search engines and link previews. */
function newsArticle(ctx: PageContext, article: Article): object {
  const url = `${ctx.site.origin}${articlePath(article.slug)}`;
  const credited = [article.author, article.source].filter((c): c is string => c !== null);
  return {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    headline: article.title,
    description: article.summary,
    datePublished: article.published,
    dateModified: article.updated,
    inLanguage: article.language ?? ctx.site.settings.language,
    url,
    mainEntityOfPage: url,
    ...(credited.length > 0 ? { author: credited.map((name, i) => ({ "@type": i === 0 && article.author ? "Person" : "Organization", name })) } : {}),
    ...(article.source ? { sourceOrganization: { "@type": "Organization", name: article.source } } : {}),
    publisher: { "@type": "Organization", name: ctx.site.settings.title, url: `${ctx.site.origin}/` },
    articleSection: article.topics.map((slug) => ctx.names.get(slug) ?? slug),
    ...(article.image === null ? {} : { image: [absoluteImageUrl(article.image.src, ctx.site.origin)] }),
  };
}

export function ArticlePage(props: { ctx: PageContext; article: Article }) {
  const { ctx, article } = props;
  const topics = article.topics.map((slug) => ({ slug, name: ctx.names.get(slug) ?? slug }));
  return (
    <Layout
      ctx={ctx}
      meta={{
        title: article.title,
        description: article.summary,
        path: articlePath(article.slug),
        topicFeeds: topics,
        ogType: "article",
        jsonLd: newsArticle(ctx, article),
        image: article.image,
      }}
    >
      <article lang={article.language ?? undefined}>
        <header>
          <h1>{article.title}</h1>
          <p class="meta">
            Published <DateTime iso={article.published} />
            {article.updated !== article.published ? (
              <>
                {" "}
                · Updated <DateTime iso={article.updated} />
              </>
            ) : null}
            {article.author ? ` · By ${article.author}` : ""}
            {article.source ? ` · Source: ${article.source}` : ""}
          </p>
          <TopicTags names={ctx.names} slugs={article.topics} />
        </header>
        {/* The picture is what a reader sees first: loaded at once, first in line; the body's other images as they come into view. */}
        {article.image !== null && !article.image.inBody && raw(figureHtml(article.image, "", FIRST_IMAGE))}
        <div class="article-body">{raw(bodyImages(article.html, article.image?.inBody === true))}</div>
      </article>
      <section aria-labelledby="follow">
        <h2 id="follow">Follow this story</h2>
        <p class="hint">This article appears in these feeds; new articles on the same topics will too.</p>
        <ul class="feed-rows">
          <FeedRow ctx={ctx} scope={{}} label="All articles" href="/" />
          {topics.map((t) => (
            <FeedRow ctx={ctx} scope={{ topic: t.slug }} label={t.name} href={topicPagePath(t.slug)} />
          ))}
        </ul>
      </section>
    </Layout>
  );
}

/** A page for an address with nothing to show: what happened, where to go, the recent articles. */
function MissingPage(props: { ctx: PageContext; recent: readonly Article[]; title: string; description: string; lede: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} meta={{ title: props.title, description: props.description, path: null }}>
      <h1>{props.title}</h1>
      <p class="lede">{props.lede}</p>
      <p>
        Start from the <a href={HOME_PATH}>latest articles</a> or browse <a href={TOPICS_PATH}>all topics</a>.
      </p>
      <section aria-labelledby="recent">
        <h2 id="recent">Recent articles</h2>
        <ArticleList names={ctx.names} articles={props.recent} />
      </section>
    </Layout>
  );
}

export function NotFoundPage(props: { ctx: PageContext; recent: readonly Article[] }) {
  return (
    <MissingPage
      {...props}
      title="Page not found"
      description="There is no page at this address."
      lede="There is no page at this address. It may have moved, or the link may be mistyped."
    />
  );
}

export function GonePage(props: { ctx: PageContext; recent: readonly Article[] }) {
  return (
    <MissingPage
      {...props}
      title="Article removed"
      description="The article that was at this address has been removed."
      lede="The article that was at this address has been removed by its publisher. It no longer appears in any feed."
    />
  );
}

const FIRST_IMAGE = ' fetchpriority="high" decoding="async"';

/** The body's images load lazily, but for the first when it is the article's picture. */
function bodyImages(html: string, firstIsPicture: boolean): string {
  let first = firstIsPicture;
  return html.replaceAll("<img ", () => {
    if (!first) return '<img loading="lazy" ';
    first = false;
    return `<img${FIRST_IMAGE} `;
  });
}
