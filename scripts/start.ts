/**
 * `npm start [-- <wrangler dev options>]`: builds the content with responses stored for
 * the origin `wrangler dev` is about to serve (from --ip, --port and --local-protocol;
 * by default http://localhost:8787, the address it prints), then runs `wrangler dev` with
 * the same options. `--var NAME:VALUE` reaches both, so the stored responses match the
 * settings the worker runs with.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./lib/compile-folder";

const args = process.argv.slice(2);

/** The value of `--name value` or `--name=value`, the last one given. */
function option(name: string): string | undefined {
  let value: string | undefined;
  args.forEach((arg, i) => {
    if (arg === `--${name}`) value = args[i + 1];
    else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
  });
  return value;
}

/** The origin a browser on this machine reaches `wrangler dev` at. */
function devOrigin(ip: string | undefined, port: string | undefined, protocol: string | undefined): string {
  const wildcard = ip === undefined || ip === "localhost" || ip === "0.0.0.0" || ip === "::" || ip === "*";
  const host = wildcard ? "localhost" : ip.includes(":") ? `[${ip}]` : ip;
  return `${protocol === "https" ? "https" : "http"}://${host}:${port ?? "8787"}`;
}

const vars = args.flatMap((arg, i) => (arg === "--var" && args[i + 1] !== undefined ? ["--var", args[i + 1]!] : arg.startsWith("--var=") ? ["--var", arg.slice(6)] : []));
const origin = devOrigin(option("ip"), option("port"), option("local-protocol"));
const content = spawnSync(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/build-content.ts"), "--origin", origin, ...vars], { cwd: ROOT, stdio: "inherit" });
if (content.status !== 0) process.exit(content.status ?? 1);

const dev = spawn(join(ROOT, "node_modules/.bin/wrangler"), ["dev", ...args], { cwd: ROOT, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
