import { isNotModified } from "./conditional";
import { formatHttpDate } from "./http-date";
import type { Representation } from "./representation";

export interface ServeOptions {
  /** Cache-Control value. */
  cacheControl: string;
  /** Headers added to every response of this kind (security, CORS). */
  headers: Record<string, string>;
}

/**
 * Answers a GET or HEAD with a stored representation: 304 when the request's
 * validators match (RFC 9110 §15.4.5: no body; ETag, Last-Modified, Cache-Control and
 * Vary as a 200 would have them), else the bytes. HEAD gets exactly the GET headers.
 */
export function serveRepresentation(request: Request, rep: Representation, options: ServeOptions): Response {
  const headers = new Headers(options.headers);
  headers.set("ETag", rep.etag);
  if (rep.lastModified !== null) headers.set("Last-Modified", formatHttpDate(rep.lastModified));
  headers.set("Cache-Control", options.cacheControl);
  headers.set("Vary", "Accept-Encoding");

  if (isNotModified(request.headers, rep)) return new Response(null, { status: 304, headers });

  headers.set("Content-Type", rep.contentType);
  headers.set("Content-Length", String(rep.body.byteLength));
  return new Response(request.method === "HEAD" ? null : rep.body, { status: 200, headers });
}
