/** The load rows: the bench worker served in workerd, driven over loopback by a load generator in its own process. */
import { ACCEPT, type LoadResult, load, log, median, ROUNDS, type Row, withServedBundle } from "./harness";
import { isNotModified } from "./routes";

/** Serves the bench bundle of the corpus in `dir` and drives each row, in interleaved rounds: the median round per row. */
export async function loadTest(dir: string, rows: Row[]): Promise<Map<string, LoadResult>> {
  return withServedBundle(dir, {}, async ({ origin }) => {
    // One request per route renders and stores it; what follows is what every later request costs.
    for (const row of rows) await (await fetch(`${origin}${row.path}`, { headers: row.headers })).arrayBuffer();
    const etag = (await fetch(`${origin}/rss.xml`, { headers: { "Accept-Encoding": ACCEPT } })).headers.get("ETag")!;
    const runs = new Map<string, LoadResult[]>(rows.map((r) => [r.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      log(`  load round ${round}/${ROUNDS}`);
      for (const row of rows) {
        const headers = isNotModified(row) ? { ...row.headers, "If-None-Match": etag } : row.headers;
        runs.get(row.name)!.push(await load(`${origin}${row.path}`, headers));
      }
    }
    return new Map([...runs].map(([name, results]) => [name, median(results, (r) => r.rps)]));
  });
}
