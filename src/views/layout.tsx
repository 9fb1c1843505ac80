import type { Child } from "hono/jsx";
import type { Site } from "../site";
import { FEED_FORMATS, FEED_LABELS, FEED_TYPES, feedPath, type FeedScope } from "../urls";

export interface PageMeta {
  /** Page title without the site name. */
  title: string;
  description: string;
  /** Path of the page: its canonical URL is the site origin plus this. Null for error pages. */
  path: string | null;
  /** Feeds offered for autodiscovery, besides the main ones. */
  feeds?: { scope: FeedScope; label: string }[];
  ogType?: "website" | "article";
  /** Extra elements for <head> (structured data). */
  head?: Child;
}

/** Autodiscovery links for one scope's three feeds. */
function alternates(site: Site, scope: FeedScope, label: string) {
  return FEED_FORMATS.map((format) => (
    <link
      rel="alternate"
      type={FEED_TYPES[format].split(";")[0]}
      title={`${label} (${FEED_LABELS[format]})`}
      href={`${site.origin}${feedPath(scope, format)}`}
    />
  ));
}

export function Layout(props: { site: Site; meta: PageMeta; children: Child }) {
  const { site, meta } = props;
  const { settings } = site;
  const fullTitle = meta.path === "/" ? settings.title : `${meta.title} · ${settings.title}`;
  const canonical = meta.path === null ? null : `${site.origin}${meta.path}`;
  return (
    <html lang={settings.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        <meta name="description" content={meta.description} />
        {canonical !== null && <link rel="canonical" href={canonical} />}
        <meta property="og:site_name" content={settings.title} />
        <meta property="og:title" content={meta.title} />
        <meta property="og:description" content={meta.description} />
        <meta property="og:type" content={meta.ogType ?? "website"} />
        {canonical !== null && <meta property="og:url" content={canonical} />}
        {alternates(site, {}, settings.title)}
        {(meta.feeds ?? []).map((feed) => alternates(site, feed.scope, feed.label))}
        {meta.head}
      </head>
      <body>
        <header>
          <a href="/">{settings.title}</a>
          <nav aria-label="Site">
            <a href="/">Latest</a> <a href="/topics">Topics</a>
          </nav>
        </header>
        <main>{props.children}</main>
        <footer>
          <p>
            Subscribe: <a href="/rss.xml">RSS</a> · <a href="/atom.xml">Atom</a> · <a href="/feed.json">JSON Feed</a>
          </p>
        </footer>
      </body>
    </html>
  );
}

/** The three feeds of a scope, with their URLs shown so they can be copied into a reader. */
export function FeedList(props: { site: Site; scope: FeedScope; label: string }) {
  return (
    <ul class="feeds">
      {FEED_FORMATS.map((format) => {
        const url = `${props.site.origin}${feedPath(props.scope, format)}`;
        return (
          <li>
            <a href={url} type={FEED_TYPES[format].split(";")[0]}>
              {props.label}: {FEED_LABELS[format]}
            </a>{" "}
            <code>{url}</code>
          </li>
        );
      })}
    </ul>
  );
}
