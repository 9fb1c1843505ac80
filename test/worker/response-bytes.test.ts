/**
 * Stored responses as bytes (src/http/response-bytes.ts): whole (the bundle) and one
 * coding at a time (D1), for any headers and bodies.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Encoding } from "../../src/http/accept-encoding";
import type { EncodedResponse } from "../../src/http/representation";
import { codingsOf, deserializeCoding, deserializeResponse, joinCodings, serializeCoding, serializeResponse } from "../../src/http/response-bytes";

const bytes = fc.uint8Array({ maxLength: 3000 }).map((b) => new Uint8Array(b) as Uint8Array<ArrayBuffer>);
const response: fc.Arbitrary<EncodedResponse> = fc
  .record({
    contentType: fc.string(),
    lastModified: fc.option(
      fc.integer({ min: 0, max: 2 ** 42 }).map((n) => n * 1000),
      { nil: null },
    ),
    hash: fc.stringMatching(/^[0-9a-f]{32}$/),
    headers: fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 6 }),
    identity: bytes,
    // Compressed codings come together or not at all (src/http/representation.ts).
    compressed: fc.option(fc.tuple(bytes, bytes), { nil: null }),
  })
  .map(({ compressed, ...r }) => ({ ...r, gzip: compressed?.[0] ?? null, br: compressed?.[1] ?? null }));

describe("stored response bytes", () => {
  it("a whole response reads back as itself", () => {
    fc.assert(
      fc.property(response, (r) => {
        expect(deserializeResponse(serializeResponse(r))).toEqual(r);
      }),
    );
  });

  it("each coding reads back with the whole response's head; all of them join into the response; one missing joins into nothing", () => {
    fc.assert(
      fc.property(response, (r) => {
        const codings = codingsOf(r);
        expect(codings).toEqual(r.gzip === null ? ["identity"] : ["identity", "gzip", "br"]);
        const parts = codings.map((c) => deserializeCoding(serializeCoding(r, c))!);
        for (const [i, c] of codings.entries()) {
          expect([parts[i]!.coding, parts[i]!.response[c]]).toEqual([c, r[c]]);
          // The other codings: present (empty) or absent as in the response, so every tag is known.
          for (const other of codings) if (other !== c) expect(parts[i]!.response[other]).toEqual(new Uint8Array(0));
        }
        expect(joinCodings(parts)).toEqual(r);
        if (parts.length > 1) expect(joinCodings(parts.slice(1))).toBeNull();
        expect(joinCodings([])).toBeNull();
      }),
    );
  });

  it("truncated, padded or mixed-up bytes read as nothing", () => {
    fc.assert(
      fc.property(response, fc.constantFrom<Encoding>("identity", "gzip", "br"), (r, wanted) => {
        const coding = r[wanted] === null ? "identity" : wanted;
        const one = serializeCoding(r, coding);
        const padded = new Uint8Array(one.byteLength + 1);
        padded.set(one);
        if (r[coding]!.byteLength > 0) expect(deserializeCoding(one.subarray(0, one.byteLength - 1))).toBeNull();
        expect(deserializeCoding(padded)).toBeNull();
        expect(deserializeResponse(one)).toBeNull();
        expect(deserializeCoding(serializeResponse(r))).toBeNull();
      }),
    );
  });
});
