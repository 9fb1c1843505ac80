/**
 * Starts the site as `npm start` does (scripts/start.ts: the content built for its origin,
 * then `wrangler dev`, workerd on 127.0.0.1), in a copy of the project so that the working
 * tree's src/generated/ is left alone, on free ports; and stops it: when asked, when the
 * test process exits, or after a deadline.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port";
import { copyProject, type ProjectCopy } from "../node/project-copy";

export interface DevServer {
  origin: string;
  /** The copy of the project it serves. */
  project: ProjectCopy;
  /** What npm start printed. */
  output: () => string;
  stop(): Promise<void>;
}

export async function startDevServer(options: { deadlineMs?: number; vars?: Record<string, string>; articles?: string[] } = {}): Promise<DevServer> {
  const project = copyProject();
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
