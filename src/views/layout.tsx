/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { absoluteImageUrl } from "../content/figure";
import type { Listing } from "../content/store";
import type { ArticleImage } from "../content/types";
import { FEED_FORMATS, FEED_LABELS, FEED_TYPES, type FeedScope, feedPath, pagePath, TOPICS_PATH } from "../urls";
import type { PageContext } from "./context";

export interface PageMeta {
  /** Page title without the site name. */
  title: string;
  description: string;
  /** Path of the page: its canonical URL is the site origin plus this. Null for error pages. */
  path: string | null;
  /** Topic, author and source feeds offered for autodiscovery besides the main ones. */
  groupFeeds?: { scope: FeedScope; name: string }[];
  ogType?: "website" | "article";
  /** Structured data for the page (schema.org), as an object to serialize. */
  jsonLd?: object;
  /** The picture link previews show (Open Graph, Twitter cards). */
  image?: ArticleImage | null;
  /** A paged listing: its neighbours are linked with rel="prev" and rel="next". */
  listing?: Listing;
}

/** `<link rel="alternate">` for a scope's three feeds: how browsers and readers discover them. */
function alternates(ctx: PageContext, scope: FeedScope, label: string) {
  return FEED_FORMATS.map((format) => (
    <link rel="alternate" type={mediaType(format)} title={`${label} (${FEED_LABELS[format]})`} href={`${ctx.site.origin}${feedPath(scope, format)}`} />
  ));
}

function mediaType(format: keyof typeof FEED_TYPES): string {
  return FEED_TYPES[format].split(";")[0]!;
}

/** JSON inside <script> must not close the element: `<` is written as \u003c. */
function jsonForScript(data: object): string {
  return JSON.stringify(data)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function Layout(props: { ctx: PageContext; meta: PageMeta; children: Child }) {
  const { ctx, meta } = props;
  const { settings, origin } = ctx.site;
  const fullTitle = meta.path === "/" ? settings.title : `${meta.title} · ${settings.title}`;
  const canonical = meta.path === null ? null : `${origin}${meta.path}`;
  return (
    <html lang={settings.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{fullTitle}</title>
        <meta name="description" content={meta.description} />
        {canonical !== null && <link rel="canonical" href={canonical} />}
        <meta property="og:site_name" content={settings.title} />
        <meta property="og:title" content={meta.title} />
        <meta property="og:description" content={meta.description} />
        <meta property="og:type" content={meta.ogType ?? "website"} />
        {canonical !== null && <meta property="og:url" content={canonical} />}
        <meta property="og:locale" content={settings.language.replace("-", "_")} />
        {meta.image && <meta property="og:image" content={absoluteImageUrl(meta.image.src, origin)} />}
        {meta.image && meta.image.alt !== "" && <meta property="og:image:alt" content={meta.image.alt} />}
        {meta.image?.width && <meta property="og:image:width" content={String(meta.image.width)} />}
        {meta.image?.height && <meta property="og:image:height" content={String(meta.image.height)} />}
        {meta.image && <meta name="twitter:card" content="summary_large_image" />}
        <link rel="stylesheet" href={ctx.assets.stylesheet} />
        <link rel="icon" href={ctx.assets.icon} type="image/svg+xml" />
        {ctx.images && <link rel="apple-touch-icon" href={ctx.images.appleTouchIcon.src} sizes="180x180" />}
        {alternates(ctx, {}, settings.title)}
        {(meta.groupFeeds ?? []).map((g) => alternates(ctx, g.scope, `${settings.title}: ${g.name}`))}
        {meta.listing?.newer && meta.path && <link rel="prev" href={`${origin}${pagePath(meta.path.split("?")[0]!, meta.listing.newer.before)}`} />}
        {meta.listing?.older && meta.path && <link rel="next" href={`${origin}${pagePath(meta.path.split("?")[0]!, meta.listing.older)}`} />}
        {meta.jsonLd && <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonForScript(meta.jsonLd) }} />}
      </head>
      <body>
        <a class="skip-link" href="#content">
          Skip to content
        </a>
        <header class="site-header">
          <div class="wrap">
            <a class="brand" href="/">
              {settings.title}
            </a>
            <nav aria-label="Main">
              <ul>
                <li>
                  <a href="/">Latest</a>
                </li>
                <li>
                  <a href={TOPICS_PATH}>Topics</a>
                </li>
                <li>
                  <a href="/#subscribe">Subscribe</a>
                </li>
              </ul>
            </nav>
          </div>
        </header>
        <main id="content" class="wrap">
          {props.children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p>
              Follow {settings.title} in any feed reader: <a href="/rss.xml">RSS feed</a>, <a href="/atom.xml">Atom feed</a>, <a href="/feed.json">JSON Feed</a>
              , or <a href="/opml.xml">every feed as OPML</a> to import all topics at once.
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** Visible names of the formats; screen readers also hear the scope, so each link makes sense alone. */
const SHORT_LABELS = { rss: "RSS", atom: "Atom", json: "JSON Feed" } as const;

/**
 * A scope's three feeds: each link with its address shown in full, selected whole by one
 * click so it can be copied into a reader.
 */
export function FeedList(props: { ctx: PageContext; scope: FeedScope; label: string }) {
  return (
    <ul class="feeds">
      {FEED_FORMATS.map((format) => {
        const url = `${props.ctx.site.origin}${feedPath(props.scope, format)}`;
        return (
          <li>
            <a href={url} type={mediaType(format)}>
              <span class="visually-hidden">{props.label}: </span>
              {SHORT_LABELS[format]}
              <span class="visually-hidden"> feed</span>
            </a>
            <code class="feed-url">{url}</code>
          </li>
        );
      })}
    </ul>
  );
}

/** A scope's three feeds on one line, without addresses: for pages that list many scopes. */
export function FeedRow(props: { ctx: PageContext; scope: FeedScope; label: string; href: string }) {
  return (
    <li>
      <a href={props.href}>{props.label}</a>:{" "}
      {FEED_FORMATS.map((format, i) => (
        <>
          {i > 0 ? " · " : ""}
          <a href={`${props.ctx.site.origin}${feedPath(props.scope, format)}`} type={mediaType(format)}>
            <span class="visually-hidden">{props.label}: </span>
            {SHORT_LABELS[format]}
            <span class="visually-hidden"> feed</span>
          </a>
        </>
      ))}
    </li>
  );
}
