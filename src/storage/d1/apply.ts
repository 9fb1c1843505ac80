import type { D1Like } from "../../config/env";
import { EXISTING_QUERIES, type Existing, existingFrom, type ImportPlan } from "./import-plan";
import type { Statement } from "./sql";

/** Statements per D1 batch: a batch runs as one transaction and one round trip. */
const BATCH = 200;

/** Runs statements through a D1 binding (tests, benchmark); `npm run import` runs the same statements through wrangler. */
export async function applyStatements(db: D1Like, statements: readonly Statement[]): Promise<void> {
  for (let i = 0; i < statements.length; i += BATCH) {
    await db.batch(statements.slice(i, i + BATCH).map((s) => db.prepare(s.sql).bind(...s.params)));
  }
}

/** Runs an import plan through a D1 binding. */
export function applyPlan(db: D1Like, plan: ImportPlan): Promise<void> {
  return applyStatements(db, plan.statements);
}

/** What the database holds, for planImport. */
export async function readExisting(db: D1Like): Promise<Existing> {
  const results = await db.batch(EXISTING_QUERIES.map((sql) => db.prepare(sql)));
  return existingFrom(results.map((r) => r.results as Record<string, unknown>[]));
}
