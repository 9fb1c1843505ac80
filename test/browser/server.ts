/**
 * Starts the site as `npm start` does (scripts/start.ts: the content built for its origin,
 * then `wrangler dev`, workerd on 127.0.0.1), in a copy of the project so that the working
 * tree's src/generated/ is left alone, on free ports; and stops it: when asked, when the
 * test process exits, or after a deadline.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port";
import { copyProject, type ProjectCopy } from "../node/project-copy";

/** Binds the local D1 database in the copy's wrangler.toml, applies the migrations and runs `sql`. */
function withDatabase(dir: string, database: { sql: string; devVars: string }): void {
  const config = join(dir, "wrangler.toml");
  const toml = readFileSync(config, "utf8").replace(
    /# \[\[d1_databases\]\]\n# binding = "DB"\n# database_name = "edge-news"\n# database_id = "[^"]*"\n# migrations_dir = "migrations"/,
    '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "edge-news"\ndatabase_id = "00000000-0000-0000-0000-000000000000"\nmigrations_dir = "migrations"',
  );
  if (!toml.includes('[[d1_databases]]\nbinding = "DB"')) throw new Error("wrangler.toml has no [[d1_databases]] block to uncomment");
  writeFileSync(config, toml);
  writeFileSync(join(dir, ".dev.vars"), database.devVars);
  writeFileSync(join(dir, "seed-database.sql"), database.sql);
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };
  for (const args of [
    ["d1", "migrations", "apply", "DB", "--local"],
    ["d1", "execute", "DB", "--local", "--file", "seed-database.sql"],
  ]) {
    const run = spawnSync(join(dir, "node_modules/.bin/wrangler"), args, { cwd: dir, env, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
  }
}

export interface DevServer {
  origin: string;
  /** The copy of the project it serves. */
  project: ProjectCopy;
  /** What npm start printed. */
  output: () => string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  deadlineMs?: number;
  vars?: Record<string, string>;
  articles?: string[];
  /** A local D1 database bound as DB (the bundled mode then keeps its reader counts there), migrated, with these statements run, and .dev.vars. */
  database?: { sql: string; devVars: string };
}

export async function startDevServer(options: ServerOptions = {}): Promise<DevServer> {
  const project = copyProject();
  if (options.database !== undefined) withDatabase(project.dir, options.database);
  // More articles (and their images) beside the seed.
  for (const folder of options.articles ?? []) cpSync(folder, join(project.dir, "seeds"), { recursive: true });
  const port = await freePort();
  const inspector = await freePort();
  const args = ["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--log-level", "warn"];
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push("--var", `${name}:${value}`);
  const child: ChildProcess = spawn(join(project.dir, "node_modules/.bin/tsx"), [join(project.dir, "scripts/start.ts"), ...args], {
    cwd: project.dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const kill = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  process.once("exit", kill);
  const deadline = setTimeout(kill, options.deadlineMs ?? 10 * 60_000);
  deadline.unref();

  const origin = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() - started > 240_000) {
      kill();
      throw new Error(`npm start did not answer within 240 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    origin,
    project,
    output: () => output,
    stop: async () => {
      clearTimeout(deadline);
      const exited = new Promise((r) => child.once("exit", r));
      kill();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      project.remove();
    },
  };
}
