/**
 * The publishing API rows of `npm run bench`, on an archive already imported into D1:
 * PUT latency (one at a time) and throughput (10 at a time), and publish-to-visible time,
 * the time from a PUT's answer to the first feed request that shows the article, from the
 * isolate that took the PUT and from another isolate that had the feed already.
 *
 * Two workers in one Miniflare share the database, each its own isolate, as two
 * Cloudflare locations would.
 */

import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { generateArticle } from "../scripts/lib/archive";
import { BENCH_ORIGIN, bundledModules, log, median, RUNTIME } from "./harness";

export interface PublishResult {
  articles: number;
  contentTtl: number;
  sequential: { count: number; p50: number; p95: number };
  concurrent: { count: number; connections: number; perSecond: number };
  visibleSame: number;
  visibleOther: number;
}

const TOKEN = "bench-token";
const CONTENT_TTL = 10;

export async function measurePublish(dir: string, persist: string, articles: number): Promise<PublishResult> {
  const worker = (name: string) => ({
    name,
    modules: bundledModules(join(dir, "dist-index"), "index.js"),
    modulesRoot: join(dir, "dist-index"),
    compatibilityDate: RUNTIME.compatibilityDate,
    compatibilityFlags: RUNTIME.compatibilityFlags,
    d1Databases: { DB: "bench" },
    bindings: { SITE_URL: BENCH_ORIGIN, STORAGE: "d1", CONTENT_TTL: String(CONTENT_TTL), PUBLISH_TOKEN: TOKEN },
  });
  const mf = new Miniflare(convertV4MiniflareOptions({ workers: [worker("a"), worker("b")], resourcePersistencePath: persist }));
  await mf.ready;
  try {
    const a = await mf.getWorker("a");
    const b = await mf.getWorker("b");
    const put = (index: number) => {
      const { text } = generateArticle(articles + index);
      return a.fetch(`${BENCH_ORIGIN}/api/articles/bench-${index}`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "text/plain" },
        body: text,
      });
    };
    let next = 0;
    log("publish: sequential PUTs");
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const start = performance.now();
      const res = await put(next++);
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`PUT answered ${res.status}`);
      times.push(performance.now() - start);
    }
    times.sort((x, y) => x - y);
    log("publish: concurrent PUTs");
    const count = 200;
    const connections = 10;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < 40 + count) {
          const res = await put(next++);
          await res.arrayBuffer();
        }
      }),
    );
    const perSecond = count / ((performance.now() - started) / 1000);

    log("publish: publish-to-visible");
    const headline = (index: number) => generateArticle(articles + index).text.split("\n")[0]!;
    const feedShows = async (fetcher: typeof a, index: number) => (await (await fetcher.fetch(`${BENCH_ORIGIN}/rss.xml`)).text()).includes(headline(index));
    // The other isolate has the feed already, as a reader's location would.
    await (await b.fetch(`${BENCH_ORIGIN}/rss.xml`)).arrayBuffer();
    const index = next++;
    const res = await put(index);
    await res.arrayBuffer();
    const putAt = performance.now();
    let visibleSame = NaN;
    let visibleOther = NaN;
    while (Number.isNaN(visibleSame) || Number.isNaN(visibleOther)) {
      if (Number.isNaN(visibleSame) && (await feedShows(a, index))) visibleSame = performance.now() - putAt;
      if (Number.isNaN(visibleOther) && (await feedShows(b, index))) visibleOther = performance.now() - putAt;
      if (performance.now() - putAt > (CONTENT_TTL + 30) * 1000) throw new Error("the published article did not show");
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      articles,
      contentTtl: CONTENT_TTL,
      sequential: { count: times.length, p50: median(times, (t) => t), p95: times[Math.floor(times.length * 0.95)]! },
      concurrent: { count, connections, perSecond },
      visibleSame,
      visibleOther,
    };
  } finally {
    await mf.dispose();
  }
}
