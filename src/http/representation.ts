import { sha256Hex } from "../content/ids";

/**
 * A response body rendered once, with its validators, ready to be served to any number
 * of requests without rendering, hashing or compressing again.
 */
export interface Representation {
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  /** Strong entity tag of `body`, quoted: the same bytes always give the same tag. */
  etag: string;
  /** Epoch milliseconds (whole seconds) of Last-Modified, or null. */
  lastModified: number | null;
}

/** Encodes, hashes and dates a rendered body. `lastModified` is an RFC 3339 timestamp. */
export async function createRepresentation(
  text: string,
  contentType: string,
  lastModified: string | null,
): Promise<Representation> {
  const body = new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
  return {
    contentType,
    body,
    etag: `"${(await sha256Hex(body)).slice(0, 32)}"`,
    lastModified: lastModified === null ? null : Math.floor(Date.parse(lastModified) / 1000) * 1000,
  };
}

/**
 * Rendered representations kept for the life of the isolate, by key. At most `limit`
 * entries: the least recently used one goes first. Concurrent requests for the same key
 * share one rendering.
 */
export class RepresentationCache {
  private readonly entries = new Map<string, Promise<Representation>>();
  constructor(private readonly limit: number) {}

  get(key: string, render: () => Promise<Representation>): Promise<Representation> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = render();
    this.entries.set(key, pending);
    // A failed rendering is not kept: the next request tries again.
    pending.catch(() => this.entries.delete(key));
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return pending;
  }

  get size(): number {
    return this.entries.size;
  }
}
