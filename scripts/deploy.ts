/**
 * `npm run deploy` and `npm run build` (`-- --dry-run`): builds the content, then runs
 * `wrangler deploy` (the build: `--dry-run --outdir dist`, everything but the upload).
 * A SITE_URL given in the environment reaches both the build, which stores responses for
 * it, and the worker (`--var`), so the two agree. Other arguments go to wrangler.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./lib/compile-folder";
import { readWranglerVars } from "./lib/wrangler-vars";

const args = process.argv.slice(2);
const run = (command: string, commandArgs: string[]) =>
  spawnSync(join(ROOT, "node_modules/.bin", command), commandArgs, { cwd: ROOT, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } })
    .status ?? 1;

const built = run("tsx", [join(ROOT, "scripts/build-content.ts")]);
if (built !== 0) process.exit(built);
// The build is the deploy's rehearsal: both say it.
if (!process.env.SITE_URL && !readWranglerVars().vars.SITE_URL) {
  console.warn(
    "deploy: SITE_URL is not set: the deployed site's links would follow each request's Host; set it in wrangler.toml [vars] (or SITE_URL=https://… npm run deploy)",
  );
}
const site = process.env.SITE_URL ? ["--var", `SITE_URL:${process.env.SITE_URL}`] : [];
const dryRun = args.includes("--dry-run") && !args.includes("--outdir") ? ["--outdir", "dist"] : [];
process.exit(run("wrangler", ["deploy", ...args, ...dryRun, ...site]));
