/**
 * `npm run import -- <folder> [--local | --remote] [--delete-missing]`
 *
 * Compiles the folder exactly as the build does (same ids, slugs, dates, topics, and the
 * same one-line errors), compares it with the D1 database bound as DB in wrangler.toml,
 * and writes the difference through `wrangler d1 execute` in batches. Importing the same
 * folder twice changes nothing. Articles missing from the folder are kept unless
 * --delete-missing is given.
 *
 * Other options: --config <wrangler.toml>, --persist-to <dir> (local state), --database <name or binding>.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Existing, inlineStatement, planImport } from "../src/d1/plan";
import { compileFolder, ROOT } from "./lib/compile-folder";

/** Statements per `wrangler d1 execute --file`: each file runs as one transaction. */
const STATEMENTS_PER_FILE = 20_000;

function fail(message: string): never {
  console.error(`import: ${message}`);
  process.exit(1);
}

function parseArgs(argv: string[]) {
  const options = { folder: "", remote: false, deleteMissing: false, config: "", persistTo: "", database: "DB" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? fail(`${arg} needs a value`);
    if (arg === "--local") options.remote = false;
    else if (arg === "--remote") options.remote = true;
    else if (arg === "--delete-missing") options.deleteMissing = true;
    else if (arg === "--config") options.config = value();
    else if (arg === "--persist-to") options.persistTo = value();
    else if (arg === "--database") options.database = value();
    else if (arg.startsWith("-")) fail(`unknown option ${arg}`);
    else if (options.folder === "") options.folder = arg;
    else fail(`one folder only (got ${options.folder} and ${arg})`);
  }
  if (options.folder === "") fail("usage: npm run import -- <folder> [--local | --remote] [--delete-missing]");
  return options;
}

const options = parseArgs(process.argv.slice(2));
const where = options.remote ? "--remote" : "--local";

function wrangler(args: string[]): string {
  const extra = [...(options.config ? ["--config", options.config] : []), ...(options.persistTo && !options.remote ? ["--persist-to", options.persistTo] : [])];
  const run = spawnSync(join(ROOT, "node_modules/.bin/wrangler"), ["d1", "execute", options.database, where, "--yes", ...extra, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (run.status !== 0) {
    const output = `${run.stdout}\n${run.stderr}`;
    if (/no such table/.test(output)) fail(`the database has no tables yet: run \`npx wrangler d1 migrations apply ${options.database} ${where}\` first`);
    fail(`wrangler d1 execute failed:\n${output.trim()}`);
  }
  return run.stdout;
}

async function readExisting(): Promise<Existing> {
  const out = wrangler(["--json", "--command", "SELECT id, content_hash FROM articles; SELECT slug, name, position FROM topics"]);
  const [articles, topics] = JSON.parse(out) as { results: Record<string, unknown>[] }[];
  return {
    articles: new Map(articles!.results.map((r) => [r.id as string, r.content_hash as string])),
    topics: new Map(topics!.results.map((r) => [r.slug as string, { name: r.name as string, position: r.position as number }])),
  };
}

const started = performance.now();
const { content, label } = await compileFolder("import", options.folder);
const plan = await planImport(content, await readExisting(), { deleteMissing: options.deleteMissing });

const dir = mkdtempSync(join(tmpdir(), "import-d1-"));
try {
  for (let i = 0; i < plan.statements.length; i += STATEMENTS_PER_FILE) {
    const file = join(dir, `batch-${i}.sql`);
    writeFileSync(file, `${plan.statements.slice(i, i + STATEMENTS_PER_FILE).map(inlineStatement).join("\n")}\n`);
    wrangler(["--file", file]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const missing = plan.missing.length - plan.deleted.length;
console.log(
  [
    `import: ${label}/ -> ${options.database} (${options.remote ? "remote" : "local"}): `,
    `${plan.added.length} added, ${plan.updated.length} updated, ${plan.unchanged} unchanged`,
    plan.deleted.length > 0 ? `, ${plan.deleted.length} deleted` : "",
    missing > 0 ? `, ${missing} in the database but not in the folder (kept; --delete-missing removes them)` : "",
    ` in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ].join(""),
);
