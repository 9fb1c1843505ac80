import { chooseEncoding } from "./accept-encoding";
import { notModifiedVariant } from "./conditional";
import type { Representation } from "./representation";

/**
 * Answers a GET or HEAD with a stored representation, in the coding the client accepts:
 * 304 when its validators match (no body; the validators, Cache-Control and Vary a 200
 * would carry), else the bytes, which the runtime must send as they are. HEAD gets exactly
 * the GET headers.
 */
export function serveRepresentation(request: Request, rep: Representation, status: 200 | 404 = 200): Response {
  const headers = request.headers;
  const coding = chooseEncoding(headers.get("Accept-Encoding"), rep.codings);
  const variant = (coding === "identity" ? rep.identity : rep[coding]) ?? rep.identity;
  // Only a found resource has a state to revalidate.
  const matched = status === 200 ? notModifiedVariant(headers, rep, variant) : null;
  if (matched !== null) return new Response(null, { status: 304, headers: matched.notModifiedHeaders });
  return new Response(request.method === "HEAD" ? null : variant.body, {
    status,
    headers: variant.headers,
    encodeBody: "manual",
  });
}
