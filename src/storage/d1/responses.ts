/**
 * Rendered responses kept in D1 (table `responses`, migrations/0002_responses.sql), so that
 * a fresh isolate answers with one indexed read instead of rendering. `npm run import`
 * renders and writes those an import changed, and deletes those it made stale; a worker
 * writes what it had to render on request. A row is valid until an import deletes it.
 */
import { Buffer } from "node:buffer";
import type { D1Like } from "../../config/env";
import type { ResponseTable, Snapshot } from "../../content/store";
import type { Encoding } from "../../http/accept-encoding";
import type { EncodedResponse } from "../../http/representation";
import { type CodingBytes, codingsOf, deserializeCoding, joinCodings, serializeCoding } from "../../http/response-bytes";
import { groupOfPath, scopeKey } from "../../urls";
import type { Statement } from "./sql";

/**
 * Bytes of a response per row, kept as base64 text: D1 hands a BLOB to the worker as an
 * array of numbers, several times slower to read than a string (measured with Miniflare's
 * D1: 240 KB took 16 ms as BLOBs, no longer than 100 bytes as base64). `npm run import`
 * writes rows as SQL with the values inline, and D1 takes statements of at most 100,000
 * bytes: 48,000 bytes are 64,000 characters of base64.
 */
export const PART_BYTES = 48_000;

/** The D1 content version a snapshot was read at (src/storage/d1/store.ts names versions `d1-<n>`). */
export function d1Version(snapshot: Snapshot): string {
  return snapshot.version.replace(/^d1-/, "");
}

/**
 * Which content a response shows, for deleting it when that content changes: the main
 * listing (feeds and home page, every page), one topic's, author's or source's (src/urls.ts
 * scopeKey), one article, or the site-wide pages (topic index, OPML, not-found page, assets).
 */
function responseScope(path: string): string {
  const bare = path.split("?")[0]!;
  if (bare === "/" || bare === "/rss.xml" || bare === "/atom.xml" || bare === "/feed.json") return "main";
  const group = groupOfPath(bare);
  if (group !== null) return scopeKey(group);
  const article = /^\/articles\/([^/]+)$/.exec(bare);
  if (article) return `article:${article[1]}`;
  return "site";
}

const CURRENT_VERSION = "(SELECT value FROM meta WHERE key = 'version')";

/**
 * The statements that replace `path`'s stored response with `response`, each coding in
 * rows of its own, each row written only while the content version is still `version`: a
 * rendering of content that changed meanwhile is dropped instead of outliving the import
 * that changed it. Rows are replaced, not just inserted: two writers of one response at one
 * version (concurrent publishes, whose statements may run in several batches) write the
 * same bytes, and the second must not fail.
 */
export function responseWrites(site: string, path: string, version: string, response: EncodedResponse): Statement[] {
  const statements: Statement[] = [{ sql: `DELETE FROM responses WHERE site = ? AND path = ? AND ${CURRENT_VERSION} = ?`, params: [site, path, version] }];
  const scope = responseScope(path);
  for (const coding of codingsOf(response)) {
    const bytes = serializeCoding(response, coding);
    for (let part = 0, at = 0; at < bytes.byteLength; part++, at += PART_BYTES) {
      statements.push({
        sql: `INSERT OR REPLACE INTO responses (site, path, coding, part, scope, version, data) SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${CURRENT_VERSION} = ?`,
        params: [
          site,
          path,
          coding,
          part,
          scope,
          Number(version),
          Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(PART_BYTES, bytes.byteLength - at)).toString("base64"),
          version,
        ],
      });
    }
  }
  return statements;
}

/** Deletes the stored responses of the given scopes (see responseScope), or all of them. */
export function responseDeletes(scopes: readonly string[] | "all"): Statement[] {
  if (scopes === "all") return [{ sql: "DELETE FROM responses", params: [] }];
  const out: Statement[] = [];
  const list = [...new Set(scopes)].sort();
  for (let i = 0; i < list.length; i += 100) {
    const group = list.slice(i, i + 100);
    out.push({ sql: `DELETE FROM responses WHERE scope IN (${group.map(() => "?").join(", ")})`, params: group });
  }
  return out;
}

/**
 * One coding's rows of a stored response (site, path, site, path, preferred coding): see D1ResponseTable.coding.
 * @public The benchmark's calibration worker (bench/) runs the same query.
 */
export const STORED_CODING_SQL =
  "SELECT coding, data FROM responses WHERE site = ? AND path = ? AND coding = " +
  "COALESCE((SELECT coding FROM responses WHERE site = ? AND path = ? AND coding = ? AND part = 0), 'identity') ORDER BY part";

export class D1ResponseTable implements ResponseTable {
  constructor(
    private readonly db: D1Like,
    /** Runs a database call, turning its failure or timeout into a StorageError. */
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  /** Every coding of one stored response (one index range scan). */
  async get(site: string, path: string): Promise<EncodedResponse | null> {
    const rows = await this.guard(() =>
      this.db.prepare("SELECT coding, data FROM responses WHERE site = ? AND path = ? ORDER BY coding, part").bind(site, path).all<Row>(),
    );
    const codings = joinRows(rows.results);
    return codings === null ? null : joinCodings(codings);
  }

  /**
   * One coding of a stored response, `preferred` when the response offers it and identity
   * otherwise (a body too small to compress offers no other): one query and only the bytes
   * to send, which is what an isolate that knows nothing yet needs to answer.
   */
  async coding(site: string, path: string, preferred: Encoding): Promise<CodingBytes | null> {
    const rows = await this.guard(() => this.db.prepare(STORED_CODING_SQL).bind(site, path, site, path, preferred).all<Row>());
    return joinRows(rows.results)?.[0] ?? null;
  }

  async put(site: string, snapshot: Snapshot, path: string, response: EncodedResponse): Promise<void> {
    const statements = responseWrites(site, path, d1Version(snapshot), response);
    await this.guard(() => this.db.batch(statements.map((s) => this.db.prepare(s.sql).bind(...s.params))));
  }
}

/**
 * A made-up stored coding, decoded as one read from D1 is: run at startup (src/app.ts,
 * prepare), with no I/O, so that a fresh isolate's first request finds that code compiled.
 */
export function sampleStoredCoding(): CodingBytes {
  const sample: EncodedResponse = {
    contentType: "text/plain; charset=utf-8",
    lastModified: 0,
    hash: "0".repeat(32),
    headers: [["Vary", "Accept-Encoding"]],
    identity: new Uint8Array(1),
    gzip: new Uint8Array(1),
    br: new Uint8Array(1),
  };
  const bytes = serializeCoding(sample, "br");
  return joinRows([{ coding: "br", data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64") }])![0]!;
}

interface Row {
  coding: string;
  data: string;
}

/** Each coding's rows (in order) joined and read; null when there are none or one is damaged. */
function joinRows(rows: Row[]): CodingBytes[] | null {
  if (rows.length === 0) return null;
  const groups = new Map<string, Uint8Array<ArrayBuffer>[]>();
  for (const row of rows) {
    const parts = groups.get(row.coding) ?? [];
    parts.push(base64Bytes(row.data));
    groups.set(row.coding, parts);
  }
  const out: CodingBytes[] = [];
  for (const parts of groups.values()) {
    // A damaged row is treated as missing: the response is rendered afresh.
    const coding = deserializeCoding(concat(parts));
    if (coding === null) return null;
    out.push(coding);
  }
  return out;
}

function concat(parts: Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  if (parts.length === 1) return parts[0]!;
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    whole.set(p, at);
    at += p.byteLength;
  }
  return whole;
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  const buffer = Buffer.from(text, "base64");
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) as Uint8Array<ArrayBuffer>;
}
