/**
 * A D1 binding made of `wrangler d1 execute` calls, for Node code that reads the database
 * through the worker's own store (the import rendering what it changed). Every statement
 * asked for before the event loop turns goes out in one call, so rendering many responses
 * concurrently costs a few wrangler runs, not one per query.
 */
import type { D1Like, D1Statement } from "../../src/config/env";
import type { SqlValue } from "../../src/storage/d1/sql";
import { inlineStatement } from "../../src/storage/d1/sql";

/** Runs SQL (several statements) and returns each statement's rows, in order. */
export type ExecuteSql = (sql: string) => Record<string, unknown>[][];

/** Under the kernel's limit on one command-line argument (128 KiB). */
const MAX_COMMAND_BYTES = 100_000;

interface Pending {
  sql: string;
  resolve: (rows: Record<string, unknown>[]) => void;
  reject: (error: unknown) => void;
}

export class WranglerD1 implements D1Like {
  private queue: Pending[] = [];

  constructor(private readonly execute: ExecuteSql) {}

  prepare(sql: string): D1Statement {
    return this.statement(sql, []);
  }

  batch(statements: D1Statement[]): Promise<{ results: unknown[] }[]> {
    return Promise.all(statements.map((s) => this.run((s as WranglerStatement).text).then((results) => ({ results }))));
  }

  private statement(sql: string, params: SqlValue[]): WranglerStatement {
    const text = inlineStatement({ sql, params });
    return {
      text,
      bind: (...values: unknown[]) => this.statement(sql, values as SqlValue[]),
      first: async <T>() => ((await this.run(text))[0] as T | undefined) ?? null,
      all: async <T>() => ({ results: (await this.run(text)) as T[] }),
    };
  }

  private run(sql: string): Promise<Record<string, unknown>[]> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ sql, resolve, reject });
    });
  }

  private flush(): void {
    const queue = this.queue;
    this.queue = [];
    // The same query asked twice (three feed formats read the same listing) runs once.
    const distinct = [...new Set(queue.map((p) => p.sql))];
    const rows = new Map<string, Record<string, unknown>[]>();
    try {
      for (let i = 0; i < distinct.length; ) {
        let size = 0;
        let j = i;
        while (j < distinct.length && (j === i || size + distinct[j]!.length < MAX_COMMAND_BYTES)) size += distinct[j++]!.length + 1;
        const group = distinct.slice(i, j);
        const results = this.execute(group.join("\n"));
        for (const [k, sql] of group.entries()) rows.set(sql, results[k] ?? []);
        i = j;
      }
    } catch (error) {
      for (const p of queue) p.reject(error);
      return;
    }
    for (const p of queue) p.resolve(rows.get(p.sql)!);
  }
}

interface WranglerStatement extends D1Statement {
  text: string;
}
