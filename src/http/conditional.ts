import { parseHttpDate } from "./http-date";

/** What a response's validators are: compared against a request's conditional headers. */
export interface Validators {
  /** Strong entity tag, quoted: `"abc"`. */
  etag: string;
  /** Epoch milliseconds of Last-Modified, whole seconds, or null when there is none. */
  lastModified: number | null;
}

/** The opaque part of each entity tag in an If-None-Match list, or "*" for the wildcard. */
export function parseEntityTags(header: string): string[] | "*" {
  if (header.trim() === "*") return "*";
  const tags: string[] = [];
  const pattern = /(?:^|,)\s*(?:W\/)?"([\x21\x23-\x7e\x80-\uffff]*)"\s*(?=,|$)/g;
  for (const match of header.matchAll(pattern)) tags.push(match[1]!);
  return tags;
}

/**
 * True when a GET or HEAD should be answered 304 Not Modified (RFC 9110 §13.2.2):
 * If-None-Match decides when present, with weak comparison (§8.8.3.2: `W/"x"` matches
 * `"x"`), any tag of a list, and `*` for any current representation. Only without it
 * does If-Modified-Since count, and only when its value is one valid HTTP-date (§13.1.3).
 */
export function isNotModified(request: Headers, validators: Validators): boolean {
  const ifNoneMatch = request.get("If-None-Match");
  if (ifNoneMatch !== null) {
    const tags = parseEntityTags(ifNoneMatch);
    if (tags === "*") return true;
    const opaque = validators.etag.replace(/^W\//, "").slice(1, -1);
    return tags.includes(opaque);
  }
  const ifModifiedSince = request.get("If-Modified-Since");
  if (ifModifiedSince === null || validators.lastModified === null) return false;
  const since = parseHttpDate(ifModifiedSince);
  return since !== null && validators.lastModified <= since;
}
