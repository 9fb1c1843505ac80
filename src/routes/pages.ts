import type { Hono } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { Env } from "../config/env";
import { groupOf } from "../content/groups";
import { newestUpdate } from "../content/newest-update";
import type { Snapshot } from "../content/store";
import { renderOpml } from "../feeds/opml";
import { cacheControl, FEED_HEADERS, PAGE_HEADERS } from "../http/policy";
import { articlePath, GROUP_KINDS, groupIndexPath, groupPagePath, HOME_PATH, OPML_PATH, pagePath, scopePagePath, TOPICS_PATH } from "../urls";
import { pageContext } from "../views/context";
import { HTML_TYPE, htmlDocument } from "../views/html";
import { ArticlePage, GroupPage, GroupsPage, HomePage, TopicsPage } from "../views/pages";
import { PAGE_SIZE } from "../views/sizes";
import { type AppContext, type AppVariables, cursorParam, Gone, NotFound, serveRendered } from "./context";

/** /, /topics, /topics/{topic}, /authors, /authors/{author}, /sources, /sources/{source}, /articles/{slug} and /opml.xml; `?before=` pages back. */
export function pageRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>): void {
  const page = async (c: AppContext, path: string, render: (snapshot: Snapshot) => Promise<{ element: JSX.Element; lastModified: string }>) => {
    const snapshot = await c.get("store").snapshot();
    const options = { cacheControl: cacheControl(c.get("site").settings.cacheMaxAge), headers: PAGE_HEADERS };
    return serveRendered(c, snapshot, path, async () => {
      const { element, lastModified } = await render(snapshot);
      return { body: await htmlDocument(element), contentType: HTML_TYPE, lastModified, options };
    });
  };

  app.get(HOME_PATH, (c) => {
    const before = cursorParam(c);
    return page(c, pagePath(HOME_PATH, before), async (snapshot) => {
      const listing = await c.get("store").listing({}, PAGE_SIZE, before);
      if (listing === null) throw new NotFound();
      const ctx = await pageContext(c.get("site"), snapshot, c.get("images"));
      return { element: HomePage({ ctx, listing, before }), lastModified: newestUpdate(listing.articles) ?? snapshot.newestUpdate };
    });
  });
  app.get(TOPICS_PATH, (c) =>
    page(c, TOPICS_PATH, async (snapshot) => ({
      element: TopicsPage({ ctx: await pageContext(c.get("site"), snapshot, c.get("images")) }),
      lastModified: snapshot.newestUpdate,
    })),
  );
  for (const kind of ["author", "source"] as const) {
    app.get(groupIndexPath(kind), (c) =>
      page(c, groupIndexPath(kind), async (snapshot) => ({
        element: GroupsPage({ ctx: await pageContext(c.get("site"), snapshot, c.get("images")), kind }),
        lastModified: snapshot.newestUpdate,
      })),
    );
  }
  for (const kind of GROUP_KINDS) {
    app.get(groupPagePath(kind, ":slug"), async (c) => {
      const scope = { kind, slug: c.req.param("slug")! };
      const before = cursorParam(c);
      return page(c, pagePath(scopePagePath(scope), before), async (snapshot) => {
        const group = groupOf(snapshot, scope);
        const listing = group === undefined ? null : await c.get("store").listing(scope, PAGE_SIZE, before);
        if (group === undefined || listing === null) throw new NotFound();
        const ctx = await pageContext(c.get("site"), snapshot, c.get("images"));
        return { element: GroupPage({ ctx, kind, group, listing, before }), lastModified: newestUpdate(listing.articles) ?? snapshot.newestUpdate };
      });
    });
  }
  app.get(articlePath(":slug"), (c) => {
    const slug = c.req.param("slug")!;
    return page(c, articlePath(slug), async (snapshot) => {
      const store = c.get("store");
      const article = await store.article(slug);
      if (article === null) throw (await store.gone?.(slug)) ? new Gone() : new NotFound();
      return { element: ArticlePage({ ctx: await pageContext(c.get("site"), snapshot, c.get("images")), article }), lastModified: article.updated };
    });
  });
  app.get(OPML_PATH, async (c) => {
    const { settings, origin } = c.get("site");
    const snapshot = await c.get("store").snapshot();
    return serveRendered(c, snapshot, OPML_PATH, async () => ({
      body: renderOpml(snapshot, settings, origin),
      contentType: "text/x-opml; charset=utf-8",
      lastModified: snapshot.newestUpdate,
      options: { cacheControl: cacheControl(settings.cacheMaxAge), headers: FEED_HEADERS },
    }));
  });
}
