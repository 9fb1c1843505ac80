/**
 * Stable identifiers. Feed readers remember items by id: if an id changes, every
 * subscriber sees the item again as new. So ids derive only from the article's own
 * stable id, never from the host name, the file's position or the clock.
 */

/** Namespace of this project's name-based UUIDs (a random v4 UUID, fixed forever). */
const NAMESPACE = "5b0d3c1e-8f4a-4c57-9a8e-2f7c1d9e6b30";

/** True when `id` already is an absolute URI (`tag:…`, `urn:…`, `https://…`) and can serve as a feed id as is. */
function isAbsoluteUri(id: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/.test(id);
}

/** A version 5 (SHA-1, name-based) UUID, RFC 9562 §5.5: the same name always gives the same UUID. */
export async function nameBasedUuid(name: string): Promise<string> {
  const namespace = NAMESPACE.replace(/-/g, "")
    .match(/../g)!
    .map((h) => parseInt(h, 16));
  const data = new Uint8Array([...namespace, ...new TextEncoder().encode(name)]);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", data)).slice(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The URI every feed format uses for an article: its own id when that is a URI, else `urn:uuid:` of it. */
export async function articleGuid(id: string): Promise<string> {
  if (isAbsoluteUri(id)) {
    // The canonical form: Atom renderers pass ids through the URL parser, RSS and JSON do not.
    try {
      return new URL(id).href;
    } catch {
      // Not a URI after all: derive one below.
    }
  }
  return `urn:uuid:${await nameBasedUuid(`article:${id}`)}`;
}
