/**
 * /robots.txt, /sitemap.xml and the sitemaps it names: rendered once per content version and
 * served as the feeds are (stored bytes in every coding, strong ETag, 304, Cache-Control);
 * /news-sitemap.xml, per content version and slice of time; IndexNow's key file.
 */
import type { Hono } from "hono";
import type { Env } from "../config/env";
import { groupsOf } from "../content/groups";
import type { Snapshot } from "../content/store";
import { cacheControl } from "../http/policy";
import { serveRepresentation } from "../http/respond";
import { SlicedRenderings } from "../serve/sliced-renderings";
import { NEWS_LIMIT, NEWS_SLICE_MS, newsSlice, renderNewsSitemap } from "../sitemaps/news";
import { renderRobots } from "../sitemaps/robots";
import { articleSitemapCount, articleSitemapNumber, articleUrls, indexUrls, pagesUrls, renderSitemapIndex, renderUrlSet } from "../sitemaps/sitemap";
import { GROUP_KINDS, NEWS_SITEMAP_PATH, PAGES_SITEMAP_PATH, ROBOTS_PATH, SITEMAP_PATH, SITEMAP_URLS } from "../urls";
import { type AppContext, type AppVariables, NotFound, serveRendered } from "./context";

const XML = "application/xml; charset=utf-8";
const HEADERS = { "X-Content-Type-Options": "nosniff" };

export function sitemapRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>, clock: () => number = Date.now): void {
  const news = new SlicedRenderings();
  app.get(NEWS_SITEMAP_PATH, async (c) => {
    const { settings, origin, key } = c.get("site");
    const store = c.get("store");
    const snapshot = await store.snapshot();
    const { slice, since } = newsSlice(clock());
    const rep = await news.get(`${key}\n${snapshot.version}\n${slice}`, async () => {
      const entries = await store.recentEntries(since, NEWS_LIMIT);
      // A sitemap lists at least one URL (sitemaps.org): with no story in two days there is none.
      if (entries.length === 0) return null;
      return {
        body: renderNewsSitemap(origin, { name: settings.title, language: settings.language }, entries),
        contentType: XML,
        // No date: an edit, a delete or an article ageing out leaves the newest date as it was; the ETag tells.
        lastModified: null,
        // A cache keeps it at most one slice: the cutoff leaves room for that (src/sitemaps/news.ts).
        options: { cacheControl: `public, max-age=${Math.min(NEWS_SLICE_MS / 1000, settings.cacheMaxAge)}`, headers: HEADERS },
      };
    });
    if (rep === null) throw new NotFound();
    return serveRepresentation(c.req.raw, rep);
  });
  const serve = async (c: AppContext, path: string, contentType: string, body: (origin: string, snapshot: Snapshot) => Promise<string>) => {
    const { settings, origin } = c.get("site");
    const snapshot = await c.get("store").snapshot();
    return serveRendered(c, snapshot, path, async () => ({
      body: await body(origin, snapshot),
      contentType,
      lastModified: snapshot.newestUpdate,
      options: { cacheControl: cacheControl(settings.cacheMaxAge), headers: HEADERS },
    }));
  };
  // IndexNow's key file (https://www.indexnow.org/documentation): the key, at /{key}.txt, proves the submissions are the site's.
  app.get("/:file{[a-zA-Z0-9-]{8,128}\\.txt}", (c) => {
    const key = c.get("site").settings.indexNow?.key;
    if (key === undefined || c.req.param("file") !== `${key}.txt`) throw new NotFound();
    // Briefly cached, never served stale: after a change of key the engines must see the new one.
    return c.text(key, 200, { ...HEADERS, "Cache-Control": "public, max-age=60" });
  });
  app.get(ROBOTS_PATH, (c) => serve(c, ROBOTS_PATH, "text/plain; charset=utf-8", async (origin) => renderRobots(origin)));
  app.get(SITEMAP_PATH, (c) =>
    serve(c, SITEMAP_PATH, XML, async (origin, snapshot) =>
      renderSitemapIndex(indexUrls(origin, snapshot.newestUpdate, articleSitemapCount(snapshot.articleCount))),
    ),
  );
  app.get(PAGES_SITEMAP_PATH, (c) =>
    serve(c, PAGES_SITEMAP_PATH, XML, async (origin, snapshot) =>
      renderUrlSet(
        pagesUrls(
          origin,
          GROUP_KINDS.flatMap((kind) => groupsOf(snapshot, kind).map((g) => ({ kind, ...g }))),
          snapshot.newestUpdate,
        ),
      ),
    ),
  );
  app.get("/:file{sitemap-articles-[0-9]+\\.xml}", async (c) => {
    const n = articleSitemapNumber(c.req.path);
    if (n === null) throw new NotFound();
    const snapshot = await c.get("store").snapshot();
    if (n > articleSitemapCount(snapshot.articleCount)) throw new NotFound();
    return serve(c, c.req.path, XML, async (origin) =>
      renderUrlSet(articleUrls(origin, await c.get("store").sitemapEntries((n - 1) * SITEMAP_URLS, SITEMAP_URLS))),
    );
  });
}
