import { raw } from "hono/html";
import type { Catalog, TopicEntry } from "../content/catalog";
import type { Article } from "../content/types";
import type { Site } from "../site";
import { FeedList, Layout } from "./layout";
import { ArticleList, DateTime, TopicLinks } from "./parts";

/** How many articles the home page lists. */
const HOME_ARTICLES = 20;

export function HomePage(props: { site: Site; catalog: Catalog }) {
  const { site, catalog } = props;
  return (
    <Layout site={site} meta={{ title: site.settings.title, description: site.settings.description, path: "/" }}>
      <h1>{site.settings.title}</h1>
      <p>{site.settings.description}</p>
      <section aria-labelledby="latest">
        <h2 id="latest">Latest articles</h2>
        <ArticleList catalog={catalog} articles={catalog.articles.slice(0, HOME_ARTICLES)} />
      </section>
      <section aria-labelledby="subscribe">
        <h2 id="subscribe">Subscribe</h2>
        <p>Paste one of these addresses into your feed reader. Every topic has feeds of its own too.</p>
        <FeedList site={site} scope={{}} label="All articles" />
        <p>
          <a href="/topics">Feeds for every topic</a>
        </p>
      </section>
    </Layout>
  );
}

export function TopicsPage(props: { site: Site; catalog: Catalog }) {
  const { site, catalog } = props;
  return (
    <Layout site={site} meta={{ title: "Topics", description: `Every topic of ${site.settings.title}, with its feeds.`, path: "/topics" }}>
      <h1>Topics</h1>
      <ul class="topic-index">
        {catalog.topicsInUse().map(({ topic, articles }) => (
          <li>
            <h2>
              <a href={`/topics/${topic.slug}`}>{topic.name}</a>
            </h2>
            <p>{articles.length === 1 ? "1 article" : `${articles.length} articles`}</p>
            <FeedList site={site} scope={{ topic: topic.slug }} label={topic.name} />
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function TopicPage(props: { site: Site; catalog: Catalog; entry: TopicEntry }) {
  const { site, catalog, entry } = props;
  const { topic, articles } = entry;
  const scope = { topic: topic.slug };
  return (
    <Layout
      site={site}
      meta={{
        title: topic.name,
        description: `${topic.name}: the latest articles from ${site.settings.title}.`,
        path: `/topics/${topic.slug}`,
        feeds: [{ scope, label: `${site.settings.title}: ${topic.name}` }],
      }}
    >
      <h1>{topic.name}</h1>
      <p>{articles.length === 1 ? "1 article" : `${articles.length} articles`}, newest first.</p>
      <ArticleList catalog={catalog} articles={articles} />
      <section aria-labelledby="subscribe">
        <h2 id="subscribe">Subscribe to {topic.name}</h2>
        <FeedList site={site} scope={scope} label={topic.name} />
      </section>
    </Layout>
  );
}

export function ArticlePage(props: { site: Site; catalog: Catalog; article: Article }) {
  const { site, catalog, article } = props;
  const topics = article.topics.map((slug) => ({ scope: { topic: slug }, label: `${site.settings.title}: ${catalog.topicName(slug)}` }));
  return (
    <Layout
      site={site}
      meta={{ title: article.title, description: article.summary, path: `/articles/${article.slug}`, feeds: topics, ogType: "article" }}
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
          <TopicLinks catalog={catalog} slugs={article.topics} />
        </header>
        <div class="body">{raw(article.html)}</div>
      </article>
    </Layout>
  );
}

export function NotFoundPage(props: { site: Site }) {
  return (
    <Layout site={props.site} meta={{ title: "Page not found", description: "There is no page at this address.", path: null }}>
      <h1>Page not found</h1>
      <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        See the <a href="/">latest articles</a> or browse <a href="/topics">all topics</a>.
      </p>
    </Layout>
  );
}
