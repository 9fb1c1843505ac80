/**
 * One first request, in a fresh Node process (fresh V8: nothing compiled, nothing cached),
 * for the fresh-isolate rows of `npm run bench`: the app is created from the bench's data
 * modules, one OPTIONS request pays for startup as in workerd, and the CPU of the one GET
 * that follows is printed in milliseconds (bench/fresh-app.ts).
 *
 *   node --import tsx bench/first-request.ts <generated dir> <path> <headers JSON> [<D1 recording>]
 *
 * With a recording (bench/fresh.ts), the worker runs in the D1 mode against a database that
 * answers each query with the rows the real one gave: the CPU is the worker's own.
 */
import { firstRequestCpu } from "./fresh-app";
import { ReplayD1 } from "./replay-d1";

const [dir, path, headers, recording] = process.argv.slice(2) as [string, string, string, string | undefined];
const result = await firstRequestCpu(
  dir,
  { path, headers: JSON.parse(headers) as Record<string, string> },
  recording === undefined ? undefined : ReplayD1.load(recording),
);
process.stdout.write(JSON.stringify(result));
