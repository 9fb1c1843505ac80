import type { Hono } from "hono";
import type { Env } from "../config/env";
import type { Rendering } from "../serve/representations";
import { ASSET_SOURCES, type AssetName, assetPaths } from "../views/assets";
import { type AppContext, type AppVariables, serveRendered } from "./context";
import { notFound } from "./missing";

const IMMUTABLE = { cacheControl: "public, max-age=31536000, immutable", headers: { "X-Content-Type-Options": "nosniff" } };
const DAY = { cacheControl: "public, max-age=86400", headers: { "X-Content-Type-Options": "nosniff" } };

function rendering(name: AssetName, options: Rendering["options"]): Rendering {
  return { body: ASSET_SOURCES[name].body, contentType: ASSET_SOURCES[name].type, lastModified: null, options };
}

/** /assets/{name}.{hash}.{ext}, the pages' stylesheet and icon, and /favicon.ico. */
export function assetRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>): void {
  const serve = async (c: AppContext, name: AssetName, options: Rendering["options"]) =>
    serveRendered(c, await c.get("store").snapshot(), c.req.path, async () => rendering(name, options));
  app.get("/assets/:file", async (c) => {
    const known = Object.entries(await assetPaths()).find(([, path]) => path === c.req.path);
    return known === undefined ? notFound(c) : serve(c, known[0] as AssetName, IMMUTABLE);
  });
  // Browsers, Feedly and Inoreader ask for /favicon.ico whatever a page says: a real ICO
  // (16, 32 and 48 pixels) when the build made the site's images, else the SVG icon; cached
  // for a day (its URL never changes).
  app.get("/favicon.ico", async (c) => {
    const images = c.get("images");
    if (images === null) return serve(c, "icon", DAY);
    return serveRendered(c, await c.get("store").snapshot(), c.req.path, async () => ({
      body: images.favicon,
      contentType: "image/x-icon",
      lastModified: null,
      options: DAY,
    }));
  });
}
