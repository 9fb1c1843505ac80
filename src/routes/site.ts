import type { Hono } from "hono";
import type { Env } from "../config/env";
import { resolveSite } from "../config/site";
import type { SiteImages } from "../config/site-images";
import type { Representations } from "../serve/representations";
import type { Stores } from "../storage/stores";
import { HUB_PATH } from "../urls";
import type { AppVariables } from "./context";

/**
 * What every route starts from: the site (settings and origin) and the store it reads.
 * The site is read-only (RFC 9110 §15.5.6: a 405 lists the allowed methods); the
 * publishing API under /api and the WebSub hub have their own rules. /healthz answers at once, a constant: the
 * health check, and the baseline every benchmark figure is measured against.
 */
export function siteRoutes(
  app: Hono<{ Bindings: Env; Variables: AppVariables }>,
  stores: Stores,
  representations: Representations,
  images: SiteImages | null,
): void {
  app.get("/healthz", () => new Response("ok", { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } }));
  app.use(async (c, next) => {
    const ownRules = c.req.path === "/api" || c.req.path.startsWith("/api/") || c.req.path === HUB_PATH;
    if (!ownRules && c.req.method !== "GET" && c.req.method !== "HEAD") {
      return c.text("Method not allowed: this site is read-only (GET and HEAD).\n", 405, { Allow: "GET, HEAD" });
    }
    const site = resolveSite(c.env ?? {}, c.req.url);
    c.set("site", site);
    c.set("store", stores.store(c.env ?? {}, site.settings));
    c.set("representations", representations);
    c.set("images", images);
    await next();
  });
}
