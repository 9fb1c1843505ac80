import type { Hono } from "hono";
import { sha256Hex } from "../content/ids";
import type { Env } from "../settings";
import { ICON, STYLESHEET } from "../views/style";
import { notFound } from "./pages";
import { type AppContext, type AppVariables, serveRendered } from "./render";
import type { Rendering } from "./representations";

/** Static files of the pages. Each is served at a path that carries its content hash. */
const SOURCES = {
  stylesheet: { name: "style", extension: "css", type: "text/css; charset=utf-8", body: STYLESHEET },
  icon: { name: "icon", extension: "svg", type: "image/svg+xml", body: ICON },
} as const;

type AssetName = keyof typeof SOURCES;
export type AssetPaths = Record<AssetName, string>;

const IMMUTABLE = { cacheControl: "public, max-age=31536000, immutable", headers: { "X-Content-Type-Options": "nosniff" } };
const DAY = { cacheControl: "public, max-age=86400", headers: { "X-Content-Type-Options": "nosniff" } };

let paths: Promise<AssetPaths> | undefined;

/**
 * Each file's path, with the start of its SHA-256 (hashed on first use: the runtime allows
 * no crypto at startup). A changed file gets a new URL, so every URL can be cached for a year.
 */
export function assetPaths(): Promise<AssetPaths> {
  paths ??= (async () => {
    const out = {} as AssetPaths;
    for (const [key, source] of Object.entries(SOURCES) as [AssetName, (typeof SOURCES)[AssetName]][]) {
      out[key] = `/assets/${source.name}.${(await sha256Hex(source.body)).slice(0, 12)}.${source.extension}`;
    }
    return out;
  })();
  return paths;
}

function rendering(name: AssetName, options: Rendering["options"]): Rendering {
  return { body: SOURCES[name].body, contentType: SOURCES[name].type, lastModified: null, options };
}

export function assetRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>): void {
  const serve = async (c: AppContext, name: AssetName, options: Rendering["options"]) =>
    serveRendered(c, await c.get("store").snapshot(), c.req.path, async () => rendering(name, options));
  app.get("/assets/:file", async (c) => {
    const known = Object.entries(await assetPaths()).find(([, path]) => path === c.req.path);
    return known === undefined ? notFound(c) : serve(c, known[0] as AssetName, IMMUTABLE);
  });
  // Browsers ask for /favicon.ico whatever the page says; answer with the icon, cached for a day (its URL never changes).
  app.get("/favicon.ico", (c) => serve(c, "icon", DAY));
}
