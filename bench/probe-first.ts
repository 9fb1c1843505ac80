import { freePort, serveBundle } from "./harness";
const dir = process.argv[2]!;
const cases: [string, Record<string, string>][] = [["/healthz", {}], ["/rss.xml", { "Accept-Encoding": "identity" }], ["/rss.xml", { "Accept-Encoding": "gzip, br" }], ["/opml.xml", { "Accept-Encoding": "identity" }], ["/no-such", {}]];
const results = new Map<string, number[]>();
for (let round = 0; round < 7; round++) for (const [path, headers] of cases) {
  const port = await freePort();
  const mf = serveBundle(dir, port, { script: "dist-index/index.js" });
  await mf.ready;
  await (await fetch(`http://127.0.0.1:${port}/`, { method: "OPTIONS" })).arrayBuffer();
  const t = performance.now();
  await (await fetch(`http://127.0.0.1:${port}${path}`, { headers })).arrayBuffer();
  const key = `${path} ${JSON.stringify(headers)}`;
  results.set(key, [...(results.get(key) ?? []), performance.now() - t]);
  await mf.dispose();
}
for (const [k, v] of results) console.log(k.padEnd(45), v.sort((a, b) => a - b).map((x) => x.toFixed(2)).join(" "));
