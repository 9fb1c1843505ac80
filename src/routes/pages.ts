import type { Hono } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";
import { newestUpdate } from "../content/catalog";
import type { Snapshot } from "../content/store";
import { renderOpml } from "../feeds/opml";
import { cacheControl, FEED_HEADERS, PAGE_HEADERS } from "../http/policy";
import { serveRepresentation } from "../http/respond";
import type { Env } from "../settings";
import { pagePath } from "../urls";
import type { PageContext } from "../views/context";
import { ArticlePage, GonePage, HomePage, NotFoundPage, PAGE_SIZE, TopicPage, TopicsPage } from "../views/pages";
import { assetPaths } from "./assets";
import { type AppContext, type AppVariables, cursorParam, Gone, NotFound, requestScope, serveRendered } from "./render";
import { GONE_KEY, NOT_FOUND_KEY } from "./representations";

const HTML = "text/html; charset=utf-8";

/** A missing page may appear later: caches keep the answer a minute. */
const NOT_FOUND = { cacheControl: "public, max-age=60", headers: PAGE_HEADERS };

async function pageContext(c: AppContext, snapshot: Snapshot): Promise<PageContext> {
  return { site: c.get("site"), snapshot, names: new Map(snapshot.topics.map((t) => [t.topic.slug, t.topic.name])), assets: await assetPaths() };
}

async function html(element: JSX.Element): Promise<string> {
  return `<!DOCTYPE html>\n${await element.toString()}\n`;
}

/** /, /topics, /topics/{topic}, /articles/{slug} and /opml.xml; `?before=` pages back. */
export function pageRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>): void {
  const page = async (c: AppContext, path: string, render: (snapshot: Snapshot) => Promise<{ element: JSX.Element; lastModified: string }>) => {
    const snapshot = await c.get("store").snapshot();
    const options = { cacheControl: cacheControl(c.get("site").settings.cacheMaxAge), headers: PAGE_HEADERS };
    return serveRendered(c, snapshot, path, async () => {
      const { element, lastModified } = await render(snapshot);
      return { body: await html(element), contentType: HTML, lastModified, options };
    });
  };

  app.get("/", (c) => {
    const before = cursorParam(c);
    return page(c, pagePath("/", before), async (snapshot) => {
      const listing = await c.get("store").listing({}, PAGE_SIZE, before);
      if (listing === null) throw new NotFound();
      const ctx = await pageContext(c, snapshot);
      return { element: HomePage({ ctx, listing, before }), lastModified: newestUpdate(listing.articles) ?? snapshot.newestUpdate };
    });
  });
  app.get("/topics", (c) =>
    page(c, "/topics", async (snapshot) => ({ element: TopicsPage({ ctx: await pageContext(c, snapshot) }), lastModified: snapshot.newestUpdate })),
  );
  app.get("/topics/:topic", async (c) => {
    const slug = c.req.param("topic");
    const before = cursorParam(c);
    return page(c, pagePath(`/topics/${slug}`, before), async (snapshot) => {
      const entry = snapshot.topics.find((t) => t.topic.slug === slug);
      const listing = entry === undefined ? null : await c.get("store").listing({ topic: slug }, PAGE_SIZE, before);
      if (entry === undefined || listing === null) throw new NotFound();
      const ctx = await pageContext(c, snapshot);
      return { element: TopicPage({ ctx, entry, listing, before }), lastModified: newestUpdate(listing.articles) ?? snapshot.newestUpdate };
    });
  });
  app.get("/articles/:slug", (c) => {
    const slug = c.req.param("slug");
    return page(c, `/articles/${slug}`, async (snapshot) => {
      const store = c.get("store");
      const article = await store.article(slug);
      if (article === null) throw (await store.gone?.(slug)) ? new Gone() : new NotFound();
      return { element: ArticlePage({ ctx: await pageContext(c, snapshot), article }), lastModified: article.updated };
    });
  });
  app.get("/opml.xml", async (c) => {
    const { settings, origin } = c.get("site");
    const snapshot = await c.get("store").snapshot();
    return serveRendered(c, snapshot, "/opml.xml", async () => ({
      body: renderOpml(snapshot, settings, origin),
      contentType: "text/x-opml; charset=utf-8",
      lastModified: snapshot.newestUpdate,
      options: { cacheControl: cacheControl(settings.cacheMaxAge), headers: FEED_HEADERS },
    }));
  });
}

/** How many recent articles the not-found page offers. */
export const NOT_FOUND_RECENT = 5;

/** A page for a missing address, the same body for every such path, rendered once per content version. */
async function missing(c: AppContext, key: string, page: typeof NotFoundPage, status: 404 | 410): Promise<Response> {
  const store = c.get("store");
  const snapshot = await store.snapshot();
  const rep = await c.get("representations").get(requestScope(c), snapshot, key, async () => {
    const recent = (await store.listing({}, NOT_FOUND_RECENT, null))?.articles ?? [];
    return { body: await html(page({ ctx: await pageContext(c, snapshot), recent })), contentType: HTML, lastModified: null, options: NOT_FOUND };
  });
  return serveRepresentation(c.req.raw, rep, status);
}

/** 404 with the site's not-found page. */
export const notFound = (c: AppContext): Promise<Response> => missing(c, NOT_FOUND_KEY, NotFoundPage, 404);

/** 410 with the page of a deleted article. */
export const gone = (c: AppContext): Promise<Response> => missing(c, GONE_KEY, GonePage, 410);
