/**
 * A D1 binding that records what a real one answers (RecordingD1) and one that replays
 * those answers without a database (ReplayD1): the bench measures the worker's own CPU in
 * the D1 mode, the database's time left out. Queries are matched by their SQL with the
 * parameters written in.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { D1Like, D1Statement } from "../src/config/env";
import type { SqlValue } from "../src/storage/d1/sql";
import { inlineStatement } from "../src/storage/d1/sql";

type Rows = Record<string, unknown>[];

interface Keyed extends D1Statement {
  key: string;
}

/** Rows with BLOBs as base64, for JSON. */
const encodeRows = (rows: Rows) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof ArrayBuffer ? { blob: Buffer.from(v).toString("base64") } : v])));
const decodeRows = (rows: Rows) =>
  rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => {
        if (v && typeof v === "object" && "blob" in v) {
          const bytes = Buffer.from((v as { blob: string }).blob, "base64");
          return [k, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)];
        }
        return [k, v];
      }),
    ),
  );

interface Recorded extends Keyed {
  inner: D1Statement;
}

export class RecordingD1 implements D1Like {
  readonly answers = new Map<string, Rows>();

  constructor(private readonly db: D1Like) {}

  prepare(sql: string): D1Statement {
    const wrap = (inner: D1Statement, params: unknown[]): Recorded => {
      const key = inlineStatement({ sql, params: params as SqlValue[] });
      return {
        key,
        inner,
        bind: (...values: unknown[]) => wrap(inner.bind(...values), values),
        first: async <T>() => ((await this.batch([wrap(inner, params)]))[0]!.results[0] as T | undefined) ?? null,
        all: async <T>() => {
          const rows = (await inner.all<T>()).results;
          this.answers.set(key, rows as Rows);
          return { results: rows };
        },
      };
    };
    return wrap(this.db.prepare(sql), []);
  }

  async batch(statements: D1Statement[]): Promise<{ results: unknown[] }[]> {
    const results = await this.db.batch(statements.map((s) => (s as Recorded).inner));
    for (const [i, s] of statements.entries()) this.answers.set((s as Recorded).key, results[i]!.results as Rows);
    return results;
  }

  save(file: string): void {
    writeFileSync(file, JSON.stringify([...this.answers].map(([k, rows]) => [k, encodeRows(rows)])));
  }
}

export class ReplayD1 implements D1Like {
  constructor(private readonly answers: Map<string, Rows>) {}

  static load(file: string): ReplayD1 {
    return new ReplayD1(new Map((JSON.parse(readFileSync(file, "utf8")) as [string, Rows][]).map(([k, rows]) => [k, decodeRows(rows)])));
  }

  prepare(sql: string): D1Statement {
    const make = (params: unknown[]): Keyed => {
      const key = inlineStatement({ sql, params: params as SqlValue[] });
      return {
        key,
        bind: (...values: unknown[]) => make(values),
        first: async <T>() => (this.rows(key)[0] as T | undefined) ?? null,
        all: async <T>() => ({ results: this.rows(key) as T[] }),
      };
    };
    return make([]);
  }

  async batch(statements: D1Statement[]): Promise<{ results: unknown[] }[]> {
    return statements.map((s) => ({ results: this.rows((s as Keyed).key) }));
  }

  private rows(key: string): Rows {
    const rows = this.answers.get(key);
    // A write (the worker storing what it rendered) was not recorded: it returns no rows.
    return rows ?? [];
  }
}
