/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import { absoluteImageUrl, figureHtml } from "../content/figure";
import { groupDescription, groupOf, groupsOf, namedGroups } from "../content/groups";
import type { Listing, TopicCount } from "../content/store";
import type { Article, GroupCount } from "../content/types";
import {
  articlePath,
  type FeedScope,
  type GroupKind,
  groupIndexPath,
  groupPagePath,
  HOME_PATH,
  pagePath,
  scopePagePath,
  TOPICS_PATH,
  topicPagePath,
} from "../urls";
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
          {(["author", "source"] as const)
            .filter((kind) => groupsOf(ctx.snapshot, kind).some((g) => g.count > 0))
            .map((kind) => (
              <>
                {" · "}
                <a href={groupIndexPath(kind)}>{INDEX_WORDS[kind].link}</a>
              </>
            ))}
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

/** How the index of each kind of byline names itself. */
const INDEX_WORDS = {
  author: { title: "Authors", link: "Every author", one: "author", many: "authors" },
  source: { title: "Sources", link: "Every source", one: "source", many: "sources" },
} as const;

/** Names in the site language's order; in code point order where Intl does not take the tag (SITE_LANGUAGE is checked for shape only). */
function byName(language: string): (a: { name: string }, b: { name: string }) => number {
  let collator: Intl.Collator | null = null;
  try {
    collator = new Intl.Collator(language);
  } catch {
    // Code point order below.
  }
  return (a, b) => (collator !== null ? collator.compare(a.name, b.name) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** /authors and /sources: every author (source) with articles, by name, with its count and feeds. */
export function GroupsPage(props: { ctx: PageContext; kind: "author" | "source" }) {
  const { ctx, kind } = props;
  const words = INDEX_WORDS[kind];
  const groups = [...groupsOf(ctx.snapshot, kind)].filter((g) => g.count > 0).sort(byName(ctx.site.settings.language));
  return (
    <Layout
      ctx={ctx}
      meta={{ title: words.title, description: `Every ${words.one} of ${ctx.site.settings.title}, with its feeds.`, path: groupIndexPath(kind) }}
    >
      <h1>{words.title}</h1>
      <p class="lede">
        {plural(groups.length, words.one, words.many)}. Each has its own feeds; <a href="/opml.xml">the OPML file</a> subscribes to all of them at once.
      </p>
      <ul class="topic-index">
        {groups.map((group) => (
          <li>
            <h2>
              <a href={groupPagePath(kind, group.slug)}>
                <bdi>{group.name}</bdi>
              </a>
            </h2>
            <p class="meta">{plural(group.count, "article", "articles")}</p>
            <FeedList ctx={ctx} scope={{ kind, slug: group.slug }} label={group.name} />
          </li>
        ))}
      </ul>
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
            <FeedList ctx={ctx} scope={{ kind: "topic", slug: topic.slug }} label={topic.name} />
          </li>
        ))}
      </ul>
    </Layout>
  );
}

/** The line under a group's name on its page. */
const LEDES: Record<GroupKind, (count: string, name: string) => string> = {
  topic: (count) => `${count}, newest first.`,
  author: (count, name) => `${count} by ${name}, newest first.`,
  source: (count, name) => `${count} from ${name}, newest first.`,
};

/** The page of a topic, an author or a source: its articles, newest first, and its feeds. */
export function GroupPage(props: { ctx: PageContext; kind: GroupKind; group: GroupCount; listing: Listing; before: string | null }) {
  const { ctx, kind, group, listing, before } = props;
  const { name, count } = group;
  const scope = { kind, slug: group.slug };
  const path = scopePagePath(scope);
  return (
    <Layout
      ctx={ctx}
      meta={{
        title: before === null ? name : `${name}: older articles`,
        description: groupDescription(kind, name, ctx.site.settings.title),
        path: pagePath(path, before),
        groupFeeds: [{ scope, name }],
        listing,
      }}
    >
      <h1>{name}</h1>
      <p class="lede">{LEDES[kind](plural(count, "article", "articles"), name)}</p>
      <section aria-labelledby="articles">
        <h2 id="articles">{before === null ? "Articles" : "Older articles"}</h2>
        {listing.articles.length > 0 ? <ArticleList names={ctx.names} articles={listing.articles} /> : <p>No articles yet: subscribe to hear of the first.</p>}
        <PageLinks listing={listing} path={path} />
      </section>
      <section aria-labelledby="subscribe">
        <h2 id="subscribe">Subscribe to {name}</h2>
        <HowToSubscribe />
        <FeedList ctx={ctx} scope={scope} label={name} />
        <p>
          <a href={groupIndexPath(kind)}>{kind === "topic" ? "Every topic" : INDEX_WORDS[kind].link}, with its own feeds</a>
        </p>
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
  const known = namedGroups(article).filter((g) => groupOf(ctx.snapshot, g) !== undefined);
  const groups: { scope: FeedScope; name: string }[] = [
    ...article.topics.map((slug) => ({ scope: { kind: "topic" as const, slug }, name: ctx.names.get(slug) ?? slug })),
    ...known.map(({ kind, slug, name }) => ({ scope: { kind, slug }, name })),
  ];
  const byline = (kind: "author" | "source") => namedGroups(article).find((g) => g.kind === kind);
  // The name links its page where the site has it (in the D1 mode, an article published before
  // migration 0009 is filed by the next import); bidi-isolated, a right-to-left name beside the dateline.
  const credit = (kind: "author" | "source") => {
    const group = byline(kind);
    if (group === undefined) return null;
    const name = <bdi>{group.name}</bdi>;
    return known.some((g) => g.kind === kind) ? <a href={groupPagePath(kind, group.slug)}>{name}</a> : name;
  };
  const author = credit("author");
  const source = credit("source");
  return (
    <Layout
      ctx={ctx}
      meta={{
        title: article.title,
        description: article.summary,
        path: articlePath(article.slug),
        groupFeeds: groups,
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
            {author ? <> · By {author}</> : null}
            {source ? <> · Source: {source}</> : null}
          </p>
          <TopicTags names={ctx.names} slugs={article.topics} />
        </header>
        {/* The picture is what a reader sees first: loaded at once, first in line; the body's other images as they come into view. */}
        {article.image !== null && !article.image.inBody && raw(figureHtml(article.image, "", FIRST_IMAGE))}
        <div class="article-body">{raw(bodyImages(article.html, article.image?.inBody === true))}</div>
      </article>
      <section aria-labelledby="follow">
        <h2 id="follow">Follow this story</h2>
        <p class="hint">This article appears in these feeds; new articles on the same topics, by the same author or from the same source will too.</p>
        <ul class="feed-rows">
          <FeedRow ctx={ctx} scope={{}} label="All articles" href="/" />
          {groups.map((g) => (
            <FeedRow ctx={ctx} scope={g.scope} label={g.name} href={scopePagePath(g.scope)} />
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
