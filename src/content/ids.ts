/**
 * Stable identifiers. Feed readers remember items by id: if an id changes, every
 * subscriber sees the item again as new. So ids derive only from the article's own
 * stable id, never from the host name, the file's position or the clock.
 */

/** Namespace of this project's name-based UUIDs (a random v4 UUID, fixed forever). */
const NAMESPACE = "5b0d3c1e-8f4a-4c57-9a8e-2f7c1d9e6b30";

/** Longest id taken: ids travel in URLs, feed ids and database keys. */
const ID_MAX_LENGTH = 200;

/** The one id rule, as every refusal states it. */
const ID_RULE = `an id is 1 to ${ID_MAX_LENGTH} characters: letters, digits and - _ . ~ :, or an absolute https:, http:, urn: or tag: URI (no spaces or control characters)`;

/** URI schemes an id may use: the ones feed readers take as entry ids (RFC 4287 §4.2.6). */
const ID_SCHEMES = new Set(["http", "https", "urn", "tag"]);
/** Letters and digits of any script: ids from wire systems and CMSs are not all ASCII. */
const PLAIN_ID = /^[\p{L}\p{Nd}._~:-]+$/u;
/** RFC 3986 characters: unreserved, reserved, and % of percent-encoding. Nothing else (no spaces, controls, quotes or angle brackets). */
const URI_CHARS = /^[A-Za-z0-9._~:/?#[\]@!$&'()*+,;=%-]+$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Why `id` cannot name an article, or null when it can. One rule for the file name, front
 * matter and the publishing API's URL, so that an id is safe in each place it goes. An id
 * that starts like a URI must be one of the schemes above: otherwise `javascript:…` would
 * be handed to readers as a feed id.
 */
export function idProblem(id: string): string | null {
  const length = id.length > 2 * ID_MAX_LENGTH ? id.length : [...id].length;
  if (length === 0 || length > ID_MAX_LENGTH) return `${ID_RULE} (this one has ${length})`;
  const scheme = SCHEME.exec(id)?.[1]?.toLowerCase();
  if (scheme === undefined) return PLAIN_ID.test(id) ? null : ID_RULE;
  if (!ID_SCHEMES.has(scheme)) return `${ID_RULE} (not ${scheme}:)`;
  return URI_CHARS.test(id) ? null : ID_RULE;
}

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
