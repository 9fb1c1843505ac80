import type { Hono } from "hono";
import type { Env } from "../config/env";
import { groupOf } from "../content/groups";
import { renderAtom } from "../feeds/atom";
import { buildFeedDocument } from "../feeds/document";
import { renderJsonFeed } from "../feeds/json-feed";
import { renderRss } from "../feeds/rss";
import { cacheControl, FEED_HEADERS } from "../http/policy";
import { FEED_FORMATS, FEED_TYPES, type FeedFormat, type FeedScope, feedPath, GROUP_KINDS, pagePath } from "../urls";
import { type AppContext, type AppVariables, cursorParam, NotFound, serveRendered } from "./context";

const RENDERERS = { rss: renderRss, atom: renderAtom, json: renderJsonFeed } as const;

/** WebSub §4: a subscriber finds the hubs and the topic URL in HTTP Link headers too. */
function hubLinks(hubs: string[], self: string): string {
  return [...hubs.map((hub) => `<${hub}>; rel="hub"`), `<${self}>; rel="self"`].join(", ");
}

/** /rss.xml, /atom.xml, /feed.json and the same under /topics/{topic}/, /authors/{author}/ and /sources/{source}/; `?before=` pages back. */
export function feedRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>): void {
  const serve = async (c: AppContext, scope: FeedScope, format: FeedFormat) => {
    const { settings, origin } = c.get("site");
    const store = c.get("store");
    const before = cursorParam(c);
    const snapshot = await store.snapshot();
    if (scope.kind !== undefined && groupOf(snapshot, scope) === undefined) throw new NotFound();
    return serveRendered(c, snapshot, pagePath(feedPath(scope, format), before), async () => {
      const listing = await store.listing(scope, settings.feedItemLimit, before);
      if (listing === null) throw new NotFound();
      const doc = await buildFeedDocument({ listing, snapshot, scope, before, images: c.get("images") }, settings, origin, format);
      return {
        body: RENDERERS[format](doc),
        contentType: FEED_TYPES[format],
        lastModified: doc.updated,
        options: {
          cacheControl: cacheControl(settings.cacheMaxAge),
          headers: doc.hubs.length === 0 ? FEED_HEADERS : { ...FEED_HEADERS, Link: hubLinks(doc.hubs, doc.selfUrl) },
        },
      };
    });
  };
  for (const format of FEED_FORMATS) {
    app.get(feedPath({}, format), (c) => serve(c, {}, format));
    for (const kind of GROUP_KINDS) app.get(feedPath({ kind, slug: ":slug" }, format), (c) => serve(c, { kind, slug: c.req.param("slug")! }, format));
  }
}
