/**
 * SQL as data: statements with their parameters, grouped within D1's limits, and written
 * out as literals for `wrangler d1 execute`. Shared by every writer of the database.
 */
export type SqlValue = string | number | null;

export interface Statement {
  sql: string;
  params: SqlValue[];
}

/** D1 binds at most 100 parameters per statement. */
export const MAX_PARAMS = 100;

/** D1 takes statements of at most 100,000 bytes; values written into the SQL count. */
export const MAX_STATEMENT_CHARS = 60_000;

export const list = (group: readonly unknown[]) => group.map(() => "?").join(", ");

/** Groups of at most `count` rows whose values add up to about `chars` characters (a larger row goes alone). */
export function chunksBySize<T extends Record<string, SqlValue>>(rows: readonly T[], count: number, chars: number): T[][] {
  const out: T[][] = [];
  let group: T[] = [];
  let size = 0;
  for (const row of rows) {
    const rowSize = Object.values(row).reduce<number>((sum, v) => sum + (typeof v === "string" ? v.length * 2 : 8), 0);
    if (group.length > 0 && (group.length >= count || size + rowSize > chars)) {
      out.push(group);
      group = [];
      size = 0;
    }
    group.push(row);
    size += rowSize;
  }
  if (group.length > 0) out.push(group);
  return out;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A statement with its parameters written in as SQL literals, for `wrangler d1 execute`:
 * `?` takes the next parameter, `?N` the Nth (as SQLite numbers them). The SQL must hold
 * no `?` inside its own string literals.
 */
export function inlineStatement({ sql, params }: Statement): string {
  let next = 0;
  return `${sql.replace(/\?(\d*)/g, (_, n: string) => {
    const index = n === "" ? next++ : Number(n) - 1;
    if (n !== "") next = Math.max(next, index + 1);
    return literal(params[index] ?? null);
  })};`;
}

function literal(value: SqlValue): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}
