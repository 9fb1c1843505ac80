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
import { D1_WITHOUT_BINDING, readWranglerVars } from "./lib/wrangler-vars";

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
/** Stops with one line when the local D1 database lacks migrations (a fresh clone, or an update that added one). */
function checkLocalDatabase(): void {
  const run = spawnSync(join(ROOT, "node_modules/.bin/wrangler"), ["d1", "migrations", "list", "DB", "--local"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status === 0 && /No migrations to apply/i.test(output)) return;
  const pending = output.match(/\d{4}_[\w-]+\.sql/g) ?? [];
  if (run.status === 0 && pending.length > 0) {
    console.error(
      `start: ${new Set(pending).size} migration(s) not applied to the local D1 database: run \`npx wrangler d1 migrations apply DB --local\` first`,
    );
    process.exit(1);
  }
  if (run.status !== 0) {
    console.error(
      `start: cannot read the local D1 database's migrations (${
        output
          .split("\n")
          .find((l) => /error|✘/i.test(l))
          ?.replace(/^[^A-Za-z]*/, "")
          .trim() ?? "wrangler failed"
      })`,
    );
    process.exit(1);
  }
}

function devOrigin(ip: string | undefined, port: string | undefined, protocol: string | undefined): string {
  const wildcard = ip === undefined || ip === "localhost" || ip === "0.0.0.0" || ip === "::" || ip === "*";
  const host = wildcard ? "localhost" : ip.includes(":") ? `[${ip}]` : ip;
  return `${protocol === "https" ? "https" : "http"}://${host}:${port ?? "8787"}`;
}

const given = args.flatMap((arg, i) =>
  arg === "--var" && args[i + 1] !== undefined ? ["--var", args[i + 1]!] : arg.startsWith("--var=") ? ["--var", arg.slice(6)] : [],
);
// A local site tells no search engine of its changes: IndexNow is off unless asked for here
// (`--var INDEXNOW_KEY:… --var INDEXNOW_ENDPOINT:…`), whatever wrangler.toml says.
const localOnly = given.some((v) => v.startsWith("INDEXNOW_KEY:")) ? [] : ["--var", "INDEXNOW_KEY:"];
const vars = [...given, ...localOnly];
const origin = devOrigin(option("ip"), option("port"), option("local-protocol"));
const wrangler = readWranglerVars();
const storage = vars.findLast((v) => v.startsWith("STORAGE:"))?.slice("STORAGE:".length) ?? wrangler.vars.STORAGE;
const ownHub =
  (vars.findLast((v) => v.startsWith("WEBSUB_OWN_HUB:"))?.slice("WEBSUB_OWN_HUB:".length) ?? wrangler.vars.WEBSUB_OWN_HUB ?? "on").trim() !== "off";
// The D1 mode serves the local database: it must be bound, and have the project's tables.
if (storage === "d1" && !wrangler.hasDatabase) {
  console.error(`start: ${D1_WITHOUT_BINDING}`);
  process.exit(1);
}
// The D1 mode's tables, or, in the bundled mode with a database bound, the reader counts'.
if (storage === "d1" || wrangler.hasDatabase) checkLocalDatabase();

const content = spawnSync(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/build-content.ts"), "--origin", origin, ...vars], {
  cwd: ROOT,
  stdio: "inherit",
});
if (content.status !== 0) process.exit(content.status ?? 1);

/**
 * `wrangler dev` never fires Cron Triggers by itself, and the cron is what releases scheduled
 * articles and sends WebSub notices (D1 mode) and hands the own hub the feeds of new content
 * (both modes: after an import, or a restart with changed seeds). So, as Cloudflare would, fire each
 * of wrangler.toml's crons at the start of every minute, through the `/__scheduled` route
 * that `--test-scheduled` exposes (the project's one cron runs every minute).
 */
function fireCronsEveryMinute(crons: string[]): void {
  // Until wrangler dev first answers, a failure is it starting up (it reports its own errors);
  // after that, a failure is said once, not every minute.
  let answered = false;
  let reported = false;
  const fire = async () => {
    for (const cron of crons) {
      try {
        const res = await fetch(`${origin}/__scheduled?${new URLSearchParams({ cron })}`);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        answered = true;
        reported = false;
      } catch (error) {
        if (answered && !reported)
          console.error(`start: could not fire the cron "${cron}" at ${origin}/__scheduled (${(error as Error).message}); retrying every minute`);
        reported ||= answered;
      }
    }
  };
  const tick = () => setTimeout(() => void fire().finally(tick), 60_000 - (Date.now() % 60_000)).unref();
  tick();
}

const { crons } = wrangler;
// --test-scheduled also keeps wrangler from warning, at every start, that crons do not fire locally.
const devArgs = [...(crons.length > 0 && !args.includes("--test-scheduled") ? [...args, "--test-scheduled"] : args), ...localOnly];

const dev = spawn(join(ROOT, "node_modules/.bin/wrangler"), ["dev", ...devArgs], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
// Without the own hub, the bundled mode's cron does nothing: its articles change only with a build.
if ((storage === "d1" || ownHub) && crons.length > 0 && option("local-protocol") !== "https") fireCronsEveryMinute(crons);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
