import type { D1Like } from "./database";
import type { Existing, ImportPlan } from "./plan";

/** Statements per D1 batch: a batch runs as one transaction and one round trip. */
const BATCH = 200;

/** Runs an import plan through a D1 binding (tests, benchmark); `npm run import` runs the same plan through wrangler. */
export async function applyPlan(db: D1Like, plan: ImportPlan): Promise<void> {
  for (let i = 0; i < plan.statements.length; i += BATCH) {
    await db.batch(plan.statements.slice(i, i + BATCH).map((s) => db.prepare(s.sql).bind(...s.params)));
  }
}

/** What the database holds, for planImport. */
export async function readExisting(db: D1Like): Promise<Existing> {
  const [articles, topics] = await db.batch([db.prepare("SELECT id, content_hash FROM articles"), db.prepare("SELECT slug, name, position FROM topics")]);
  return {
    articles: new Map((articles!.results as { id: string; content_hash: string }[]).map((r) => [r.id, r.content_hash])),
    topics: new Map((topics!.results as { slug: string; name: string; position: number }[]).map((r) => [r.slug, { name: r.name, position: r.position }])),
  };
}
