import { parseHttpDate } from "./http-date";

/** The opaque part of each entity tag in an If-None-Match list, or "*" for the wildcard. */
export function parseEntityTags(header: string): string[] | "*" {
  if (header.trim() === "*") return "*";
  const tags: string[] = [];
  const pattern = /(?:^|,)\s*(?:W\/)?"([\x21\x23-\x7e\x80-\uffff]*)"\s*(?=,|$)/g;
  for (const match of header.matchAll(pattern)) tags.push(match[1]!);
  return tags;
}

/** What a stored response offers for comparison: its variants' tags and its date. */
export interface Validated<V> {
  /** Each variant by its entity tag's opaque part. */
  etags: ReadonlyMap<string, V>;
  /** Epoch milliseconds (whole seconds) of Last-Modified, or null when there is none. */
  lastModified: number | null;
}

/**
 * The variant to answer 304 Not Modified for, or null to send the full response
 * (RFC 9110 §13.2.2). If-None-Match decides when present, with weak comparison
 * (§8.8.3.2: `W/"x"` matches `"x"`), any tag of a list, and `*` for any current
 * representation; the 304 carries the matching tag, since every coding of these bytes is
 * equally current. Only without it does If-Modified-Since count, and only when its value
 * is one valid HTTP-date (§13.1.3). `chosen` is the variant a 200 would send.
 */
export function notModifiedVariant<V>(request: Headers, rep: Validated<V>, chosen: V): V | null {
  const ifNoneMatch = request.get("If-None-Match");
  if (ifNoneMatch !== null) {
    const tags = parseEntityTags(ifNoneMatch);
    if (tags === "*") return chosen;
    for (const tag of tags) {
      const variant = rep.etags.get(tag);
      if (variant !== undefined) return variant;
    }
    return null;
  }
  const ifModifiedSince = request.get("If-Modified-Since");
  if (ifModifiedSince === null || rep.lastModified === null) return null;
  const since = parseHttpDate(ifModifiedSince);
  return since !== null && rep.lastModified <= since ? chosen : null;
}
