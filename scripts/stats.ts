/**
 * `npm run stats -- [--local | --remote] [--json]`: the readers of each feed, as `/stats`
 * shows them, read from the D1 database bound as DB (locally through wrangler's platform
 * proxy, the state `npm start` uses; remotely through `wrangler d1 execute`).
 *
 * Other options: --config <wrangler.toml>, --persist-to <dir> (local state).
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { buildReport, type ReaderReport, reportDays } from "../src/readers/report";
import { readCounts } from "../src/storage/d1/reader-counts";
import { ROOT } from "./lib/compile-folder";
import { openLocalBindings } from "./lib/local-bindings";
import { WranglerD1 } from "./lib/wrangler-d1";
import { readWranglerVars } from "./lib/wrangler-vars";

function fail(message: string): never {
  console.error(`stats: ${message}`);
  process.exit(1);
}

const options = { remote: false, json: false, config: "", persistTo: "" };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i]!;
  const value = () => argv[++i] ?? fail(`${arg} needs a value`);
  if (arg === "--local") options.remote = false;
  else if (arg === "--remote") options.remote = true;
  else if (arg === "--json") options.json = true;
  else if (arg === "--config") options.config = value();
  else if (arg === "--persist-to") options.persistTo = value();
  else fail(`unknown argument ${arg} (usage: npm run stats -- [--local | --remote] [--json])`);
}

const configPath = resolve(options.config || process.env.WRANGLER_CONFIG || join(ROOT, "wrangler.toml"));
let hasDatabase: boolean;
try {
  hasDatabase = readWranglerVars(options.config || undefined).hasDatabase;
} catch (error) {
  fail(`wrangler.toml: ${(error as Error).message.split("\n")[0]}`);
}
if (!hasDatabase)
  fail("reader counts are off: wrangler.toml binds no D1 database as DB (uncomment the [[d1_databases]] block and apply the migrations; README, Readers)");

const where = options.remote ? "--remote" : "--local";
function execute(sql: string): Record<string, unknown>[][] {
  const extra = [...(options.config ? ["--config", options.config] : []), ...(options.persistTo ? ["--persist-to", options.persistTo] : [])];
  const run = spawnSync(join(ROOT, "node_modules/.bin/wrangler"), ["d1", "execute", "DB", where, "--json", ...extra, "--command", sql], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (run.status !== 0) fail(`wrangler d1 execute failed:\n${`${run.stdout}\n${run.stderr}`.trim()}`);
  return (JSON.parse(run.stdout) as { results: Record<string, unknown>[] }[]).map((r) => r.results);
}

const local = options.remote ? null : await openLocalBindings(configPath, options.persistTo || null);
const db = local?.database("DB") ?? new WranglerD1(execute);
const now = Date.now();
let read: { report: ReaderReport } | { error: string };
try {
  const rows = await readCounts(db, reportDays(now)[0]!);
  read = { report: buildReport(now, rows.sources, rows.polls) };
} catch (error) {
  const message = (error as Error).message;
  read = {
    error: /no such table/.test(message)
      ? `the database has no reader_* tables yet: run \`npx wrangler d1 migrations apply DB ${where}\` first`
      : `reading the counts failed: ${message}`,
  };
} finally {
  // Before any exit: the proxy's workerd would outlive this process.
  await local?.dispose();
}
if ("error" in read) fail(read.error);
const { report } = read;

if (options.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(formatReport(report));
}

/** The table `/stats` shows first, then each feed's readers by source, as plain text. */
function formatReport(r: ReaderReport): string {
  const lines = [`Readers today (${r.today}, UTC), per feed:`];
  if (r.feeds.length === 0) return `${lines[0]}\n  no feed has been polled since counting began`;
  const header = ["feed", "readers", "aggregators", "hub", "others", "polls", "304"];
  const rows = r.feeds.map((f) => [
    f.feed,
    ...[f.today.readers, f.today.aggregators, f.today.hub, f.today.others, f.today.polls].map((n) => n.toLocaleString("en-US")),
    `${(f.today.notModifiedShare * 100).toFixed(1)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  lines.push(line(header), ...rows.map(line));
  const polls = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "poll" : "polls"}`;
  for (const f of r.feeds) {
    if (f.sources.length === 0 && f.crawlers.length === 0) continue;
    lines.push("", `${f.feed}:`);
    for (const s of f.sources)
      lines.push(`  ${s.name}${s.feedId === null ? "" : ` (feed ${s.feedId})`}: ${s.readers.toLocaleString("en-US")} (${s.kind}, ${polls(s.polls)})`);
    for (const c of f.crawlers) lines.push(`  ${c.name}: crawler, ${polls(c.polls)} (not readers)`);
  }
  return lines.join("\n");
}
