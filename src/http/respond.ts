import { chooseEncoding } from "./accept-encoding";
import { notModifiedVariant } from "./conditional";
import type { Representation } from "./representation";

/**
 * Answers a GET or HEAD with a stored representation, in the coding the client accepts:
 * 304 when its validators match (no body; the validators, Cache-Control and Vary a 200
 * would carry), else the bytes, which the runtime must send as they are. HEAD gets exactly
 * the GET headers.
 */
export function serveRepresentation(request: Request, rep: Representation, status: 200 | 404 | 410 = 200): Response {
  const headers = request.headers;
  const coding = chooseEncoding(clientAcceptEncoding(request), rep.codings);
  const variant = (coding === "identity" ? rep.identity : rep[coding]) ?? rep.identity;
  // Only a found resource has a state to revalidate.
  const matched = status === 200 ? notModifiedVariant(headers, rep, variant) : null;
  if (matched !== null) return new Response(null, { status: 304, headers: matched.notModifiedHeaders });
  const init: ResponseInit & { encodeBody: "manual" } = {
    status,
    headers: status === 200 ? variant.headers : withoutValidators(variant.headers),
    encodeBody: "manual",
  };
  return new Response(request.method === "HEAD" ? null : variant.body, init);
}

/**
 * What the client accepts. The Workers runtime rewrites Accept-Encoding to "br, gzip" on
 * the way in (and re-codes the response for clients that accept less), keeping the
 * client's own value in `request.cf.clientAcceptEncoding`: choosing by that sends bytes
 * the runtime passes through untouched, so the ETag names the bytes the client gets.
 */
export function clientAcceptEncoding(request: Request): string | null {
  const cf = (request as { cf?: { clientAcceptEncoding?: unknown } }).cf;
  return typeof cf?.clientAcceptEncoding === "string" ? cf.clientAcceptEncoding : request.headers.get("Accept-Encoding");
}

/**
 * An error page has no state a conditional request could revalidate: it carries no ETag
 * and no Last-Modified (RFC 9110 §8.8: validators describe a selected representation).
 */
function withoutValidators(headers: Headers): Headers {
  const out = new Headers(headers);
  out.delete("ETag");
  out.delete("Last-Modified");
  return out;
}
