/**
 * The part of Cloudflare's D1 binding this project uses, as a structural type: the worker
 * gets the real binding, and Node code (the import, the benchmark) type-checks without
 * the Workers globals.
 */
export interface D1Statement {
  bind(...values: unknown[]): D1Statement;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
}

export interface D1Like {
  prepare(sql: string): D1Statement;
  batch(statements: D1Statement[]): Promise<{ results: unknown[] }[]>;
}
