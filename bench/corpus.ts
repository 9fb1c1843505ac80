/**
 * One bundled corpus measured: built, then its load rows over loopback, its in-process CPU,
 * its bytes on the wire and its fresh isolates.
 */
import { join } from "node:path";
import { type Bundle, createApp } from "../src/app";
import type { Article } from "../src/content/types";
import { PackedStore } from "../src/storage/bundle/packed-store";
import { type BuiltCorpus, buildCorpus } from "./build";
import { type FreshResult, measureFresh } from "./fresh";
import { ACCEPT, BENCH_ORIGIN, type LoadResult, log, readBundle } from "./harness";
import { cpuPerRequest, type InProcessCpu } from "./in-process-cpu";
import { loadTest } from "./load-test";
import { freshRows, loadRows } from "./routes";

export interface CorpusResult extends InProcessCpu {
  name: string;
  articles: number;
  topics: number;
  buildSeconds: BuiltCorpus["buildSeconds"];
  /** CPU to open the data modules and build the app, as an isolate does when it starts. */
  startupMs: number;
  bundle: BuiltCorpus["upload"];
  data: BuiltCorpus["data"];
  load: Map<string, LoadResult>;
  wire: WireBytes[];
  fresh: FreshResult;
}

/** A feed's size on the wire, in bytes, uncompressed and in each coding. */
export interface WireBytes {
  path: string;
  identity: number;
  gzip: number;
  br: number;
}

/** Builds the articles of `folder` and measures every row of the corpus `name`. */
export async function measureCorpus(name: string, folder: string): Promise<CorpusResult> {
  log(`${name}: build`);
  const built = buildCorpus(name.replace(/\W+/g, "-"), folder);
  const bundle = readBundle(join(built.dir, "generated"));
  const startupMs = startupCpu(bundle);
  const { articles: newest, count, topics, biggestTopic } = await sample(bundle);
  const rows = loadRows(newest, biggestTopic);
  log(`${name}: load over loopback`);
  const load = await loadTest(built.dir, rows);
  log(`${name}: in-process CPU`);
  const cpu = await cpuPerRequest(bundle, newest, rows);
  const wire = await wireBytes(bundle, ["/rss.xml", "/atom.xml", "/feed.json", `/topics/${biggestTopic}/rss.xml`]);
  const fresh = await measureFresh(name, { mode: "bundled", dir: built.dir }, freshRows(newest, biggestTopic, await etagOf(bundle, "/rss.xml")));
  return { name, articles: count, topics, buildSeconds: built.buildSeconds, startupMs, bundle: built.upload, data: built.data, load, ...cpu, wire, fresh };
}

/** CPU milliseconds to build the app from the data modules, as an isolate does when it starts. */
function startupCpu(bundle: Bundle): number {
  const start = process.cpuUsage();
  createApp(bundle, { startupEnv: { SITE_URL: BENCH_ORIGIN } });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** The newest articles (all of a small corpus) and the topic with the most articles. */
async function sample(bundle: Bundle): Promise<{ articles: Article[]; count: number; topics: number; biggestTopic: string }> {
  const store = new PackedStore(bundle.content as Uint8Array<ArrayBuffer>);
  const snapshot = await store.snapshot();
  const inUse = snapshot.topics.filter((t) => t.count > 0).sort((a, b) => b.count - a.count);
  return { articles: (await store.listing({}, 100, null))!.articles, count: snapshot.articleCount, topics: inUse.length, biggestTopic: inUse[0]!.topic.slug };
}

async function wireBytes(bundle: Bundle, paths: string[]): Promise<WireBytes[]> {
  const app = createApp(bundle);
  const env = { SITE_URL: BENCH_ORIGIN };
  const sizes = [];
  for (const path of paths) {
    const size = async (accept: string) =>
      (await (await app.request(`${BENCH_ORIGIN}${path}`, { headers: { "Accept-Encoding": accept } }, env)).arrayBuffer()).byteLength;
    sizes.push({ path, identity: await size("identity"), gzip: await size("gzip"), br: await size("br") });
  }
  return sizes;
}

async function etagOf(bundle: Bundle, path: string): Promise<string> {
  const res = await createApp(bundle).request(`${BENCH_ORIGIN}${path}`, { headers: { "Accept-Encoding": ACCEPT } }, { SITE_URL: BENCH_ORIGIN });
  await res.arrayBuffer();
  return res.headers.get("ETag")!;
}
