import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { sha256Hex } from "../content/ids";
import type { Encoding } from "./accept-encoding";
import { formatHttpDate } from "./http-date";

/** Headers a kind of response always carries, fixed when it is rendered. */
export interface ServeOptions {
  cacheControl: string;
  /** Security and CORS headers. */
  headers: Record<string, string>;
}

/** The bytes of one content coding, with everything a response needs, computed once. */
export interface Variant {
  encoding: Encoding;
  body: Uint8Array<ArrayBuffer>;
  /** Strong entity tag of exactly these bytes, quoted. */
  etag: string;
  /**
   * Headers of a 200 for these bytes, built once: the runtime copies a Headers object
   * much faster than it converts a list of pairs (measured: bench/README.md).
   */
  headers: Headers;
  /** Headers of a 304 (RFC 9110 §15.4.5): validators, caching, Vary; no content headers. */
  notModifiedHeaders: Headers;
}

/**
 * A response body rendered once, in every coding, with validators and headers: serving
 * it to a request is a lookup and a comparison, whatever the size of the archive.
 */
export interface Representation {
  /** Epoch milliseconds (whole seconds) of Last-Modified, or null. */
  lastModified: number | null;
  identity: Variant;
  gzip: Variant | null;
  br: Variant | null;
  /** The compressed codings on offer. */
  codings: Encoding[];
  /** Every variant's entity tag, for If-None-Match. */
  etags: ReadonlyMap<string, Variant>;
}

/** Bodies smaller than this are sent as they are: compressing them saves less than a packet. */
const COMPRESS_MIN_BYTES = 512;

/**
 * Brotli quality 6: within a few percent of 11 on feeds, at a fraction of the CPU, so the
 * one-time compression of a large feed stays inside a request's CPU budget.
 */
const BROTLI_QUALITY = 6;

export async function createRepresentation(
  text: string,
  contentType: string,
  lastModified: string | null,
  options: ServeOptions,
): Promise<Representation> {
  const identity = new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
  const hash = (await sha256Hex(identity)).slice(0, 32);
  const modified = lastModified === null ? null : Math.floor(Date.parse(lastModified) / 1000) * 1000;

  const common: [string, string][] = [...Object.entries(options.headers), ["Cache-Control", options.cacheControl], ["Vary", "Accept-Encoding"]];
  if (modified !== null) common.push(["Last-Modified", formatHttpDate(modified)]);

  const variant = (encoding: Encoding, body: Uint8Array<ArrayBuffer>): Variant => {
    // Each coding's bytes differ, so each has its own strong tag (RFC 9110 §8.8.3).
    const etag = encoding === "identity" ? `"${hash}"` : `"${hash}-${encoding}"`;
    // Content-Length is given so that a HEAD, which has no body, states it too.
    const headers: [string, string][] = [...common, ["ETag", etag], ["Content-Type", contentType], ["Content-Length", String(body.byteLength)]];
    if (encoding !== "identity") headers.push(["Content-Encoding", encoding]);
    return { encoding, body, etag, headers: new Headers(headers), notModifiedHeaders: new Headers([...common, ["ETag", etag]]) };
  };

  const compress = identity.byteLength >= COMPRESS_MIN_BYTES;
  const rep: Representation = {
    lastModified: modified,
    identity: variant("identity", identity),
    gzip: compress ? variant("gzip", copy(gzipSync(identity, { level: 9 }))) : null,
    br: compress ? variant("br", copy(brotliCompressSync(identity, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } }))) : null,
    codings: compress ? ["br", "gzip"] : [],
    etags: new Map(),
  };
  for (const v of [rep.identity, rep.gzip, rep.br]) if (v) (rep.etags as Map<string, Variant>).set(v.etag.slice(1, -1), v);
  return rep;
}

function copy(buffer: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buffer) as Uint8Array<ArrayBuffer>;
}

/**
 * Rendered representations kept for the life of the isolate, by key, within a number of
 * entries and a number of bytes (an isolate has 128 MB, and every `?before=` page of every
 * feed is a valid key); the oldest are dropped first. Concurrent requests for the same
 * key share one rendering.
 */
export class RepresentationCache {
  private readonly entries = new Map<string, Promise<Representation>>();
  /** The same entries once rendered, for requests that can be answered without awaiting. */
  private readonly ready = new Map<string, Representation>();
  private bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly byteLimit: number,
  ) {}

  get(key: string, render: () => Promise<Representation>): Promise<Representation> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const pending = render();
    this.entries.set(key, pending);
    pending.then(
      (rep) => {
        if (this.entries.get(key) !== pending) return;
        this.ready.set(key, rep);
        this.bytes += sizeOf(rep);
        this.trim();
      },
      // A failed rendering is not kept: the next request tries again.
      () => this.entries.delete(key),
    );
    this.trim();
    return pending;
  }

  /** The rendered representation for `key`, if there is one. */
  peek(key: string): Representation | undefined {
    return this.ready.get(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of the stored renderings, every coding counted. */
  get storedBytes(): number {
    return this.bytes;
  }

  private trim(): void {
    while (this.entries.size > this.limit || (this.bytes > this.byteLimit && this.entries.size > 1)) {
      const oldest = this.entries.keys().next().value!;
      this.entries.delete(oldest);
      const rep = this.ready.get(oldest);
      if (rep !== undefined) {
        this.bytes -= sizeOf(rep);
        this.ready.delete(oldest);
      }
    }
  }
}

function sizeOf(rep: Representation): number {
  return rep.identity.body.byteLength + (rep.gzip?.body.byteLength ?? 0) + (rep.br?.body.byteLength ?? 0);
}
