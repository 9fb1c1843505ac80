import type { Hono } from "hono";
import { buildFeedDocument } from "../feeds/document";
import { renderAtom } from "../feeds/atom";
import { renderJsonFeed } from "../feeds/json-feed";
import { renderRss } from "../feeds/rss";
import { cacheControl, FEED_HEADERS } from "../http/policy";
import { FEED_FILES, FEED_FORMATS, FEED_TYPES, type FeedFormat, type FeedScope } from "../urls";
import { type AppContext, type AppVariables, type Renderer, serveRendered } from "./render";
import type { Env } from "../settings";
import { notFound } from "./pages";

const RENDERERS = { rss: renderRss, atom: renderAtom, json: renderJsonFeed } as const;

/** /rss.xml, /atom.xml, /feed.json and the same under /topics/{topic}/. */
export function feedRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>, renderer: Renderer): void {
  const serve = (c: AppContext, scope: FeedScope, format: FeedFormat) => {
    const { settings, origin } = c.get("site");
    return serveRendered(c, renderer.cache, { cacheControl: cacheControl(settings.cacheMaxAge), headers: FEED_HEADERS }, async () => {
      const doc = await buildFeedDocument(renderer.catalog, settings, origin, scope, format);
      return { body: RENDERERS[format](doc), contentType: FEED_TYPES[format], lastModified: doc.updated };
    });
  };
  for (const format of FEED_FORMATS) {
    app.get(`/${FEED_FILES[format]}`, (c) => serve(c, {}, format));
    app.get(`/topics/:topic/${FEED_FILES[format]}`, (c) => {
      const topic = c.req.param("topic");
      if (renderer.catalog.topic(topic) === undefined) return notFound(c, renderer);
      return serve(c, { topic }, format);
    });
  }
}
