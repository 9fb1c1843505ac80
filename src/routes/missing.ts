/**
 * The pages for missing things: every unknown path (404) and every deleted article (410)
 * is answered with one page, the same body for each, rendered once per content version.
 */
import { PAGE_HEADERS } from "../http/policy";
import { serveRepresentation } from "../http/respond";
import { GONE_KEY, NOT_FOUND_KEY } from "../serve/representations";
import { pageContext } from "../views/context";
import { HTML_TYPE, htmlDocument } from "../views/html";
import { GonePage, NotFoundPage } from "../views/pages";
import { NOT_FOUND_RECENT } from "../views/sizes";
import { type AppContext, requestScope } from "./context";

/** A missing page may appear later: caches keep the answer a minute. */
const NOT_FOUND = { cacheControl: "public, max-age=60", headers: PAGE_HEADERS };

async function missing(c: AppContext, key: string, page: typeof NotFoundPage, status: 404 | 410): Promise<Response> {
  const store = c.get("store");
  const snapshot = await store.snapshot();
  const rep = await c.get("representations").get(requestScope(c), snapshot, key, async () => {
    const recent = (await store.listing({}, NOT_FOUND_RECENT, null))?.articles ?? [];
    return {
      body: await htmlDocument(page({ ctx: await pageContext(c.get("site"), snapshot, c.get("images")), recent })),
      contentType: HTML_TYPE,
      lastModified: null,
      options: NOT_FOUND,
    };
  });
  return serveRepresentation(c.req.raw, rep, status);
}

/** 404 with the site's not-found page. */
export const notFound = (c: AppContext): Promise<Response> => missing(c, NOT_FOUND_KEY, NotFoundPage, 404);

/** 410 with the page of a deleted article. */
export const gone = (c: AppContext): Promise<Response> => missing(c, GONE_KEY, GonePage, 410);
