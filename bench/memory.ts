/**
 * The isolate's memory in workerd, read through the V8 inspector (Runtime.getHeapUsage):
 * after startup, and after every response the build stored has been served once. The
 * JavaScript heap (garbage included: workerd's inspector cannot be asked to collect it)
 * and the ArrayBuffers' backing stores (the data modules, the bodies) are given apart;
 * Cloudflare's limit, 128 MB, counts both.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { NOT_FOUND_KEY } from "../src/serve/representations";
import { PackedResponses } from "../src/storage/bundle/response-pack";
import { ACCEPT, freePort, withServedBundle } from "./harness";

export interface HeapUsage {
  /** Bytes of the JavaScript heap in use. */
  heap: number;
  /** Bytes of ArrayBuffer backing stores (data modules, response bodies). */
  buffers: number;
}

export interface MemoryResult {
  articles: number;
  afterStartup: HeapUsage;
  afterServing: HeapUsage;
  served: number;
}

async function heapUsage(inspectorPort: number): Promise<HeapUsage> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { id: string; webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets.find((t) => t.id === "core:user:bench")!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  // workerd's inspector answers Runtime.getHeapUsage (it does not take HeapProfiler.collectGarbage,
  // so garbage not yet collected counts too: the figure errs high).
  const usage = await new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the inspector did not answer Runtime.getHeapUsage")), 10_000);
    ws.on("message", (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, number> };
      if (message.id !== 1) return;
      clearTimeout(timer);
      resolve(message.result ?? {});
    });
    ws.send(JSON.stringify({ id: 1, method: "Runtime.getHeapUsage" }));
  });
  ws.close();
  return { heap: usage.usedSize!, buffers: usage.backingStorageSize ?? 0 };
}

export async function measureMemory(dir: string, articles: number): Promise<MemoryResult> {
  const inspectorPort = await freePort();
  return withServedBundle(dir, { script: "dist-index/index.js", inspectorPort }, async ({ origin }) => {
    await (await fetch(`${origin}/`, { method: "OPTIONS" })).arrayBuffer();
    const afterStartup = await heapUsage(inspectorPort);
    const paths = new PackedResponses(new Uint8Array(readFileSync(join(dir, "generated/responses.bin")))).paths();
    for (const path of paths) {
      for (const accept of ["identity", ACCEPT]) {
        const res = await fetch(`${origin}${path === NOT_FOUND_KEY ? "/no-such-page" : path}`, { headers: { "Accept-Encoding": accept } });
        await res.arrayBuffer();
      }
    }
    return { articles, afterStartup, afterServing: await heapUsage(inspectorPort), served: paths.length };
  });
}
