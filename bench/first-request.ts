/**
 * One first request, in a fresh Node process (fresh V8: nothing compiled, nothing cached),
 * for the fresh-isolate rows of `npm run bench`: the app is created from the bench's data
 * modules, one OPTIONS request pays for startup as in workerd, and the CPU of the one GET
 * that follows is printed in milliseconds.
 *
 *   node --import tsx bench/first-request.ts <generated dir> <path> <headers JSON> [<D1 recording>]
 *
 * With a recording (bench/fresh.ts), the worker runs in the D1 mode against a database that
 * answers each query with the rows the real one gave: the CPU is the worker's own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../src/app";
import { ReplayD1 } from "./replay-d1";
import { BENCH_ORIGIN } from "./harness";

const [dir, path, headers, recording] = process.argv.slice(2) as [string, string, string, string | undefined];
const read = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const env = recording === undefined ? { SITE_URL: BENCH_ORIGIN } : { SITE_URL: BENCH_ORIGIN, STORAGE: "d1", CONTENT_TTL: "60", DB: ReplayD1.load(recording) };
// As src/index.ts makes it: prepared at startup with the environment.
const app = createApp({ content: read("content.bin"), responses: read("responses.bin") }, { startupEnv: env });
// Work left for after the answer (waitUntil) counts: Cloudflare bills the invocation's CPU, that work included.
const pending: Promise<unknown>[] = [];
const ctx = { waitUntil: (work: Promise<unknown>) => void pending.push(work), passThroughOnException: () => {}, props: {} } as never;

await (await app.fetch(new Request(`${BENCH_ORIGIN}/`, { method: "OPTIONS" }), env, ctx)).arrayBuffer();
const start = process.cpuUsage();
const res = await app.fetch(new Request(`${BENCH_ORIGIN}${path}`, { headers: JSON.parse(headers) }), env, ctx);
await res.arrayBuffer();
await Promise.all(pending);
const used = process.cpuUsage(start);
process.stdout.write(JSON.stringify({ status: res.status, cpuMs: (used.user + used.system) / 1000 }));
