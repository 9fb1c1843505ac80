/**
 * An encoded response as one byte string, for storing it outside the isolate (the build's
 * data module, a D1 row): a 4-byte little-endian length, a JSON head, then the bodies.
 * Reading makes views into the bytes, not copies.
 */
import type { EncodedResponse } from "./representation";

interface Head {
  type: string;
  modified: number | null;
  hash: string;
  headers: [string, string][];
  /** Byte lengths of the identity, gzip and br bodies; -1 for a coding not on offer. */
  lengths: [number, number, number];
}

export function serializeResponse(response: EncodedResponse): Uint8Array<ArrayBuffer> {
  const head: Head = {
    type: response.contentType,
    modified: response.lastModified,
    hash: response.hash,
    headers: response.headers,
    lengths: [response.identity.byteLength, response.gzip?.byteLength ?? -1, response.br?.byteLength ?? -1],
  };
  const json = new TextEncoder().encode(JSON.stringify(head));
  const bodies = [response.identity, response.gzip, response.br].filter((b) => b !== null);
  const out = new Uint8Array(4 + json.byteLength + bodies.reduce((n, b) => n + b.byteLength, 0));
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 4);
  let at = 4 + json.byteLength;
  for (const body of bodies) {
    out.set(body, at);
    at += body.byteLength;
  }
  return out;
}

const decoder = new TextDecoder();

/** The response `bytes` hold, or null when they are not one whole serialized response. */
export function deserializeResponse(bytes: Uint8Array<ArrayBuffer>): EncodedResponse | null {
  if (bytes.byteLength < 4) return null;
  const headLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (4 + headLength > bytes.byteLength) return null;
  const head = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headLength))) as Head;
  let at = 4 + headLength;
  const body = (length: number) => {
    if (length < 0) return null;
    const view = bytes.subarray(at, at + length);
    at += length;
    return view;
  };
  const [identity, gzip, br] = head.lengths.map(body) as [Uint8Array<ArrayBuffer> | null, Uint8Array<ArrayBuffer> | null, Uint8Array<ArrayBuffer> | null];
  // A truncated or padded value is not this format: treated as missing, rendered afresh.
  if (identity === null || at !== bytes.byteLength) return null;
  return { contentType: head.type, lastModified: head.modified, hash: head.hash, headers: head.headers, identity, gzip, br };
}
