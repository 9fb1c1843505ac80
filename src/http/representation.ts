import { brotliCompressSync, gzipSync, constants as zlibConstants } from "node:zlib";
import { sha256Hex } from "../text/hash";
import type { Encoding } from "./accept-encoding";
import { formatHttpDate } from "./http-date";

/** Headers a kind of response always carries, fixed when it is rendered. */
export interface ServeOptions {
  cacheControl: string;
  /** Security and CORS headers. */
  headers: Record<string, string>;
}

/**
 * A rendered response as plain data: its bytes in every coding and the headers they share.
 * This is what the build and the import store ahead of requests (src/http/response-bytes.ts)
 * and what a Representation is made from, so a stored response and one rendered on request
 * are the same bytes with the same headers.
 */
export interface EncodedResponse {
  contentType: string;
  /** Epoch milliseconds (whole seconds) of Last-Modified, or null. */
  lastModified: number | null;
  /** Hex SHA-256 prefix of the uncompressed bytes: the opaque part of every variant's entity tag. */
  hash: string;
  /** Headers of every variant, in order: the kind's own, Cache-Control, Vary, Last-Modified. */
  headers: [string, string][];
  identity: Uint8Array<ArrayBuffer>;
  /** Null for bodies too small to be worth compressing. */
  gzip: Uint8Array<ArrayBuffer> | null;
  br: Uint8Array<ArrayBuffer> | null;
}

/**
 * The bytes of one content coding, with everything a response needs, each computed once:
 * the Headers objects on first use (a fresh isolate's first request builds only the one it
 * sends), then reused, since the runtime copies a Headers object much faster than it
 * converts a list of pairs.
 */
class Variant {
  private built: Headers | null = null;
  private builtNotModified: Headers | null = null;

  constructor(
    readonly encoding: Encoding,
    readonly body: Uint8Array<ArrayBuffer>,
    /** Strong entity tag of exactly these bytes, quoted. */
    readonly etag: string,
    private readonly shared: [string, string][],
    private readonly contentType: string,
  ) {}

  /** Headers of a 200 for these bytes. */
  get headers(): Headers {
    if (this.built === null) {
      // Content-Length is given so that a HEAD, which has no body, states it too.
      const headers: [string, string][] = [
        ...this.shared,
        ["ETag", this.etag],
        ["Content-Type", this.contentType],
        ["Content-Length", String(this.body.byteLength)],
      ];
      if (this.encoding !== "identity") headers.push(["Content-Encoding", this.encoding]);
      this.built = new Headers(headers);
    }
    return this.built;
  }

  /** Headers of a 304 (RFC 9110 §15.4.5): validators, caching, Vary; no content headers. */
  get notModifiedHeaders(): Headers {
    this.builtNotModified ??= new Headers([...this.shared, ["ETag", this.etag]]);
    return this.builtNotModified;
  }
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
  /** What it was made from, for storing it elsewhere. */
  encoded: EncodedResponse;
}

/** Bodies smaller than this are sent as they are: compressing them saves less than a packet. */
const COMPRESS_MIN_BYTES = 512;

/**
 * Brotli quality 6: within a few percent of 11 on feeds, at a fraction of the CPU, so the
 * one-time compression of a large feed stays inside a request's CPU budget.
 */
const BROTLI_QUALITY = 6;

/** Renders the bytes and headers of a response body: hashing and compressing (text only: an image is compressed already), once. */
export async function encodeResponse(
  body: string | Uint8Array<ArrayBuffer>,
  contentType: string,
  lastModified: string | null,
  options: ServeOptions,
): Promise<EncodedResponse> {
  const identity = typeof body === "string" ? (new TextEncoder().encode(body) as Uint8Array<ArrayBuffer>) : body;
  const hash = (await sha256Hex(identity)).slice(0, 32);
  const modified = lastModified === null ? null : Math.floor(Date.parse(lastModified) / 1000) * 1000;
  const headers: [string, string][] = [...Object.entries(options.headers), ["Cache-Control", options.cacheControl], ["Vary", "Accept-Encoding"]];
  if (modified !== null) headers.push(["Last-Modified", formatHttpDate(modified)]);
  const compress = typeof body === "string" && identity.byteLength >= COMPRESS_MIN_BYTES;
  return {
    contentType,
    lastModified: modified,
    hash,
    headers,
    identity,
    gzip: compress ? copy(gzipSync(identity, { level: 9 })) : null,
    br: compress ? copy(brotliCompressSync(identity, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } })) : null,
  };
}

/** The servable form of an encoded response: its variants and their tags. */
export function toRepresentation(encoded: EncodedResponse): Representation {
  // Each coding's bytes differ, so each has its own strong tag (RFC 9110 §8.8.3).
  const variant = (encoding: Encoding, body: Uint8Array<ArrayBuffer>) =>
    new Variant(encoding, body, encoding === "identity" ? `"${encoded.hash}"` : `"${encoded.hash}-${encoding}"`, encoded.headers, encoded.contentType);
  const gzip = encoded.gzip === null ? null : variant("gzip", encoded.gzip);
  const br = encoded.br === null ? null : variant("br", encoded.br);
  const identity = variant("identity", encoded.identity);
  const etags = new Map<string, Variant>();
  for (const v of [identity, gzip, br]) if (v) etags.set(v.etag.slice(1, -1), v);
  const codings: Encoding[] = [];
  if (br) codings.push("br");
  if (gzip) codings.push("gzip");
  return { lastModified: encoded.lastModified, identity, gzip, br, codings, etags, encoded };
}

export async function createRepresentation(text: string, contentType: string, lastModified: string | null, options: ServeOptions): Promise<Representation> {
  return toRepresentation(await encodeResponse(text, contentType, lastModified, options));
}

function copy(buffer: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buffer) as Uint8Array<ArrayBuffer>;
}

/** Bytes of a representation, every coding counted. */
export function sizeOf(rep: Representation): number {
  return rep.identity.body.byteLength + (rep.gzip?.body.byteLength ?? 0) + (rep.br?.body.byteLength ?? 0);
}
