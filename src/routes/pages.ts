import type { Hono } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";
import { newestUpdate } from "../content/catalog";
import { renderOpml } from "../feeds/opml";
import { cacheControl, FEED_HEADERS, PAGE_HEADERS } from "../http/policy";
import { createRepresentation } from "../http/representation";
import { serveRepresentation } from "../http/respond";
import type { Env } from "../settings";
import type { PageContext } from "../views/context";
import { ArticlePage, HomePage, NotFoundPage, TopicPage, TopicsPage } from "../views/pages";
import { assetPaths } from "./assets";
import { type AppContext, type AppVariables, type Renderer, serveRendered } from "./render";

const HTML = "text/html; charset=utf-8";

/** A missing page may appear later: caches keep the answer a minute. */
const NOT_FOUND = { cacheControl: "public, max-age=60", headers: PAGE_HEADERS };

async function pageContext(c: AppContext, renderer: Renderer): Promise<PageContext> {
  return { site: c.get("site"), catalog: renderer.catalog, assets: await assetPaths() };
}

async function html(element: JSX.Element): Promise<string> {
  return `<!DOCTYPE html>\n${await element.toString()}\n`;
}

/** /, /topics, /topics/{topic}, /articles/{slug} and /opml.xml. */
export function pageRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>, renderer: Renderer): void {
  const { catalog, cache } = renderer;
  const serve = (c: AppContext, lastModified: string | null, page: (ctx: PageContext) => JSX.Element) =>
    serveRendered(c, cache, { cacheControl: cacheControl(c.get("site").settings.cacheMaxAge), headers: PAGE_HEADERS }, async () => ({
      body: await html(page(await pageContext(c, renderer))),
      contentType: HTML,
      lastModified,
    }));

  app.get("/", (c) => serve(c, catalog.newestUpdate, (ctx) => HomePage({ ctx })));
  app.get("/topics", (c) => serve(c, catalog.newestUpdate, (ctx) => TopicsPage({ ctx })));
  app.get("/topics/:topic", (c) => {
    const entry = catalog.topic(c.req.param("topic"));
    if (entry === undefined) return notFound(c, renderer);
    return serve(c, newestUpdate(entry.articles) ?? catalog.newestUpdate, (ctx) => TopicPage({ ctx, entry }));
  });
  app.get("/articles/:slug", (c) => {
    const article = catalog.article(c.req.param("slug"));
    if (article === undefined) return notFound(c, renderer);
    return serve(c, article.updated, (ctx) => ArticlePage({ ctx, article }));
  });
  app.get("/opml.xml", (c) => {
    const { settings, origin } = c.get("site");
    return serveRendered(c, cache, { cacheControl: cacheControl(settings.cacheMaxAge), headers: FEED_HEADERS }, () => ({
      body: renderOpml(catalog, settings, origin),
      contentType: "text/x-opml; charset=utf-8",
      lastModified: catalog.newestUpdate,
    }));
  });
}

/** 404 with the site's not-found page; the same body for every missing path, so it is rendered once. */
export async function notFound(c: AppContext, renderer: Renderer): Promise<Response> {
  const site = c.get("site");
  const rep = await renderer.cache.get(`${site.key} 404`, async () =>
    createRepresentation(await html(NotFoundPage({ ctx: await pageContext(c, renderer) })), HTML, null, NOT_FOUND),
  );
  return serveRepresentation(c.req.raw, rep, 404);
}
