/**
 * An encoded response as one byte string, for storing it outside the isolate (the build's
 * data module, a D1 row): a 4-byte little-endian length, a JSON head, then the bodies.
 * Reading makes views into the bytes, not copies.
 */
import type { Encoding } from "./accept-encoding";
import type { EncodedResponse } from "./representation";

interface Head {
  type: string;
  modified: number | null;
  hash: string;
  headers: [string, string][];
  /** Byte lengths of the identity, gzip and br bodies; -1 for a coding not on offer. */
  lengths: [number, number, number];
  /** In one coding's bytes (serializeCoding): the coding whose body follows the head. */
  coding?: Encoding;
}

const CODINGS: readonly Encoding[] = ["identity", "gzip", "br"];

function headOf(response: EncodedResponse): Head {
  return {
    type: response.contentType,
    modified: response.lastModified,
    hash: response.hash,
    headers: response.headers,
    lengths: [response.identity.byteLength, response.gzip?.byteLength ?? -1, response.br?.byteLength ?? -1],
  };
}

export function serializeResponse(response: EncodedResponse): Uint8Array<ArrayBuffer> {
  return join(
    headOf(response),
    [response.identity, response.gzip, response.br].filter((b) => b !== null),
  );
}

/**
 * One coding of a response: the whole response's head (every coding's length, so its
 * entity tags are known), then that coding's body alone. The D1 mode keeps each coding
 * apart, so that a fresh isolate reads only the bytes it sends.
 */
export function serializeCoding(response: EncodedResponse, coding: Encoding): Uint8Array<ArrayBuffer> {
  const body = response[coding];
  if (body === null) throw new Error(`serializeCoding: no ${coding} body`);
  return join({ ...headOf(response), coding }, [body]);
}

/** The codings a response offers, identity first. */
export function codingsOf(response: EncodedResponse): Encoding[] {
  return CODINGS.filter((c) => response[c] !== null);
}

function join(head: Head, bodies: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const json = new TextEncoder().encode(JSON.stringify(head));
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

/** The head and where the bodies start, or null when `bytes` cannot hold one. */
function readHead(bytes: Uint8Array<ArrayBuffer>): { head: Head; at: number } | null {
  if (bytes.byteLength < 4) return null;
  const headLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (4 + headLength > bytes.byteLength) return null;
  return { head: JSON.parse(decoder.decode(bytes.subarray(4, 4 + headLength))) as Head, at: 4 + headLength };
}

/** The response `bytes` hold, or null when they are not one whole serialized response. */
export function deserializeResponse(bytes: Uint8Array<ArrayBuffer>): EncodedResponse | null {
  const read = readHead(bytes);
  if (read === null || read.head.coding !== undefined) return null;
  const { head } = read;
  let at = read.at;
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

/** One coding of a response (serializeCoding): the response without the other codings' bodies. */
export interface CodingBytes {
  coding: Encoding;
  /** The response: the body of `coding`, and empty ones for the codings not read (their tags are known). */
  response: EncodedResponse;
}

/** The coding `bytes` hold, or null when they are not one whole serialized coding. */
export function deserializeCoding(bytes: Uint8Array<ArrayBuffer>): CodingBytes | null {
  const read = readHead(bytes);
  if (read === null || read.head.coding === undefined) return null;
  const { head, at } = read;
  const index = CODINGS.indexOf(head.coding!);
  if (index === -1 || head.lengths[index] !== bytes.byteLength - at || head.lengths[0]! < 0) return null;
  const body = bytes.subarray(at);
  const empty = new Uint8Array(0);
  const [identity, gzip, br] = head.lengths.map((length, i) => (i === index ? body : length < 0 ? null : empty)) as [
    Uint8Array<ArrayBuffer>,
    Uint8Array<ArrayBuffer> | null,
    Uint8Array<ArrayBuffer> | null,
  ];
  return {
    coding: head.coding!,
    response: { contentType: head.type, lastModified: head.modified, hash: head.hash, headers: head.headers, identity, gzip, br },
  };
}

/** The whole response from each of its codings, or null when one is missing or they disagree. */
export function joinCodings(parts: readonly CodingBytes[]): EncodedResponse | null {
  const first = parts[0];
  if (first === undefined) return null;
  const bodies = new Map(parts.map((p) => [p.coding, p.response[p.coding]!]));
  const identity = bodies.get("identity");
  if (identity === undefined) return null;
  const whole: EncodedResponse = { ...first.response, identity, gzip: bodies.get("gzip") ?? null, br: bodies.get("br") ?? null };
  for (const p of parts) if (p.response.hash !== whole.hash) return null;
  for (const c of CODINGS) if ((first.response[c] === null) !== (whole[c] === null)) return null;
  return whole;
}
