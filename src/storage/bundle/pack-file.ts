/**
 * The container of the build's data modules (src/generated/*.bin): a JSON header and named
 * byte sections. A worker imports such a file as a Data module, an ArrayBuffer the runtime
 * hands over without parsing any JavaScript; reading it makes views, not copies, so a fresh
 * isolate pays only for the few bytes a request touches.
 *
 * Layout: 8 bytes of magic, a little-endian u32 header length, the header JSON, then each
 * section at a 4-byte-aligned offset (so a section of u32s can be viewed as a Uint32Array).
 */

const MAGIC = "EDGEPACK";

export interface PackHeader {
  /** Section name → [offset, byte length], offsets from the start of the file. */
  sections: Record<string, [number, number]>;
}

const align = (n: number) => (n + 3) & ~3;

/** Writes `header` (with the section table added) and `sections` into one file. */
export function writePack(header: object, sections: Record<string, Uint8Array>): Uint8Array<ArrayBuffer> {
  const names = Object.keys(sections);
  // Offsets depend on the header's length, which depends on the offsets: move the data
  // start up until the header fits before it (it only grows, so this ends).
  let dataStart = 0;
  let table: Record<string, [number, number]> = {};
  let json: Uint8Array = new Uint8Array();
  for (;;) {
    let at = dataStart;
    table = {};
    for (const name of names) {
      table[name] = [at, sections[name]!.byteLength];
      at = align(at + sections[name]!.byteLength);
    }
    json = new TextEncoder().encode(JSON.stringify({ ...header, sections: table }));
    const start = align(12 + json.byteLength);
    if (start <= dataStart) break;
    dataStart = start;
  }
  const last = names.length === 0 ? dataStart : table[names.at(-1)!]![0] + table[names.at(-1)!]![1];
  const out = new Uint8Array(Math.max(last, align(12 + json.byteLength)));
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.byteLength, true);
  out.set(json, 12);
  for (const name of names) out.set(sections[name]!, table[name]![0]);
  return out;
}

/** A pack file opened for reading. */
export class Pack<H extends PackHeader> {
  readonly header: H;
  private readonly bytes: Uint8Array<ArrayBuffer>;

  constructor(data: ArrayBuffer | Uint8Array<ArrayBuffer>) {
    this.bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (this.bytes.byteLength < 12 || new TextDecoder().decode(this.bytes.subarray(0, 8)) !== MAGIC) {
      throw new Error("not a pack file (run `npm run content`)");
    }
    const length = new DataView(this.bytes.buffer, this.bytes.byteOffset).getUint32(8, true);
    this.header = JSON.parse(new TextDecoder().decode(this.bytes.subarray(12, 12 + length))) as H;
  }

  bytesOf(name: string): Uint8Array<ArrayBuffer> {
    const [offset, length] = this.section(name);
    return this.bytes.subarray(offset, offset + length);
  }

  u32(name: string): Uint32Array<ArrayBuffer> {
    const [offset, length] = this.section(name);
    return new Uint32Array(this.bytes.buffer, this.bytes.byteOffset + offset, length / 4);
  }

  private section(name: string): [number, number] {
    const s = this.header.sections[name];
    if (s === undefined) throw new Error(`pack file has no section "${name}"`);
    return s;
  }
}

/** Little-endian u32s as bytes (every machine that builds or runs a worker is little-endian). */
export function u32Bytes(values: ArrayLike<number>): Uint8Array {
  const array = Uint32Array.from(values as ArrayLike<number>);
  return new Uint8Array(array.buffer);
}

/**
 * Strings stored as one UTF-8 run with offsets: `strings.at(i)` decodes one string, and
 * when the strings were written in code-unit order `find` binary-searches them without
 * decoding the rest.
 */
export function stringTable(strings: readonly string[]): { text: Uint8Array; offsets: Uint8Array } {
  const encoder = new TextEncoder();
  const parts = strings.map((s) => encoder.encode(s));
  const offsets = [0];
  for (const p of parts) offsets.push(offsets.at(-1)! + p.byteLength);
  const text = new Uint8Array(offsets.at(-1)!);
  for (const [i, p] of parts.entries()) text.set(p, offsets[i]!);
  return { text, offsets: u32Bytes(offsets) };
}

const decoder = new TextDecoder();

export class StringTable {
  constructor(
    private readonly text: Uint8Array<ArrayBuffer>,
    private readonly offsets: Uint32Array<ArrayBuffer>,
  ) {}

  get length(): number {
    return this.offsets.length - 1;
  }

  at(i: number): string {
    return decoder.decode(this.text.subarray(this.offsets[i]!, this.offsets[i + 1]!));
  }

  /** Index of `key` in a table written in sorted order, or -1. */
  find(key: string): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.at(mid);
      if (s === key) return mid;
      if (s < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
