/**
 * Responses rendered at build time (src/generated/responses.bin): for one origin and one
 * set of rendering settings, each path's bytes in every coding with its headers, found by
 * binary search. The worker serves them without rendering, hashing or compressing.
 */

import { type EncodedResponse, type Representation, toRepresentation } from "../../http/representation";
import { deserializeResponse, serializeResponse } from "../../http/response-bytes";
import { Pack, type PackHeader, StringTable, stringTable, writePack } from "./pack-file";

export interface ResponsesHeader extends PackHeader {
  kind: "responses";
  /** The origin every absolute URL in the responses starts with. */
  origin: string;
  /** The rendering settings they were made with (src/config/site.ts renderingFingerprint). */
  fingerprint: string;
}

/** Sections: `keyText` and `keyOffsets`, the paths in sorted order; `values` and `valueOffsets`, their serialized responses. */
export function packResponses(origin: string, fingerprint: string, responses: ReadonlyMap<string, EncodedResponse>): Uint8Array<ArrayBuffer> {
  const paths = [...responses.keys()].sort();
  const keys = stringTable(paths);
  const values = paths.map((p) => serializeResponse(responses.get(p)!));
  const offsets = [0];
  for (const v of values) offsets.push(offsets.at(-1)! + v.byteLength);
  const all = new Uint8Array(offsets.at(-1)!);
  for (const [i, v] of values.entries()) all.set(v, offsets[i]!);
  const header: Omit<ResponsesHeader, "sections"> = { kind: "responses", origin, fingerprint };
  return writePack(header, { keyText: keys.text, keyOffsets: keys.offsets, values: all, valueOffsets: new Uint8Array(Uint32Array.from(offsets).buffer) });
}

/** The build's stored responses, opened lazily: a fresh isolate reads the header on its first request. */
export class PackedResponses {
  private opened: { pack: Pack<ResponsesHeader>; keys: StringTable; values: Uint8Array<ArrayBuffer>; offsets: Uint32Array } | null = null;
  /** Each response made servable once (its Headers objects built), on first use. */
  private readonly servable = new Map<string, Representation>();

  constructor(private readonly data: ArrayBuffer | Uint8Array<ArrayBuffer>) {}

  private open() {
    if (this.opened === null) {
      const pack = new Pack<ResponsesHeader>(this.data);
      this.opened = {
        pack,
        keys: new StringTable(pack.bytesOf("keyText"), pack.u32("keyOffsets")),
        values: pack.bytesOf("values"),
        offsets: pack.u32("valueOffsets"),
      };
    }
    return this.opened;
  }

  get origin(): string {
    return this.open().pack.header.origin;
  }

  get fingerprint(): string {
    return this.open().pack.header.fingerprint;
  }

  /** Every stored path, sorted. */
  paths(): string[] {
    const { keys } = this.open();
    return Array.from({ length: keys.length }, (_, i) => keys.at(i));
  }

  /** The stored response for `path`, ready to serve; undefined when the build stored none. */
  get(path: string): Representation | undefined {
    const known = this.servable.get(path);
    if (known !== undefined) return known;
    const { keys, values, offsets } = this.open();
    const i = keys.find(path);
    if (i === -1) return undefined;
    const encoded = deserializeResponse(values.subarray(offsets[i]!, offsets[i + 1]!));
    if (encoded === null) throw new Error(`stored response for ${path} is damaged (run \`npm run content\`)`);
    const rep = toRepresentation(encoded);
    this.servable.set(path, rep);
    return rep;
  }
}
