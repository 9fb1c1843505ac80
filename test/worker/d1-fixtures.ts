/**
 * What the D1 tests share: an empty database with the project's migrations, generated
 * article files, and an import through the binding as `npm run import` plans it.
 */
import { applyD1Migrations, env, reset } from "cloudflare:test";
import { generateArticle } from "../../scripts/lib/archive";
import type { SourceFile } from "../../src/compile/parse-article";
import type { Content } from "../../src/content/types";
import { applyPlan, readExisting } from "../../src/storage/d1/apply";
import { type ImportPlan, planImport } from "../../src/storage/d1/import-plan";
import { file } from "./fixtures";

/** The test's database emptied and migrated from scratch. */
export async function freshDatabase(): Promise<void> {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
}

/** `count` files of a generated archive, dated by their modification time (no git history). */
export function generated(count: number): SourceFile[] {
  return Array.from({ length: count }, (_, i) => {
    const { name, text, mtime } = generateArticle(i);
    return file(name, text, { added: null, changed: null, modified: mtime.getTime() });
  });
}

/** The import's plan for `content` against what the database holds, applied. */
export async function importPlanned(content: Content, options = { deleteMissing: false }): Promise<ImportPlan> {
  const plan = await planImport(content, await readExisting(env.DB), options);
  await applyPlan(env.DB, plan);
  return plan;
}
