import type { Hono } from "hono";
import { IMAGE_TYPES } from "../compile/images";
import type { Env } from "../config/env";
import { notModifiedVariant } from "../http/conditional";
import type { AppVariables } from "./context";
import { notFound } from "./missing";

/** A published image's name: the first 16 hex digits of its SHA-256, and its type's extension. */
const MEDIA_FILE = /^([0-9a-f]{16})\.(jpg|png|webp|avif|gif)$/;
const TYPE_OF = Object.fromEntries(Object.entries(IMAGE_TYPES).map(([type, ext]) => [ext, type]));

/**
 * /media/{hash}.{ext}, the articles' local images. In the bundled mode Cloudflare serves
 * them as static assets (the build copies them into src/generated/assets, with the same
 * headers in its _headers file) and the worker sees only names that do not exist. In the
 * D1 mode they are in the R2 bucket bound as MEDIA, uploaded by `npm run import`. The name
 * is the hash of the bytes, so the ETag is known from the URL: a conditional request is
 * answered without reading the bucket, and every URL can be cached for a year.
 */
export function mediaRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>): void {
  app.get("/media/:file", async (c) => {
    const match = MEDIA_FILE.exec(c.req.param("file"));
    const bucket = c.env?.MEDIA;
    if (match === null || bucket === undefined || c.get("site").settings.storage !== "d1") return notFound(c);
    const etag = `"${match[1]}"`;
    const headers: Record<string, string> = {
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
      ETag: etag,
    };
    const variant = { etag };
    if (notModifiedVariant(c.req.raw.headers, { etags: new Map([[match[1]!, variant]]), lastModified: null }, variant) !== null) {
      return new Response(null, { status: 304, headers });
    }
    const object = await bucket.get(`media/${match[0]}`);
    if (object === null) return notFound(c);
    const type = object.httpMetadata?.contentType ?? TYPE_OF[match[2]!]!;
    const response = { ...headers, "Content-Type": type, "Content-Length": String(object.size) };
    if (c.req.method === "HEAD") {
      await object.body.cancel();
      return new Response(null, { headers: response });
    }
    return new Response(object.body, { headers: response });
  });
}
