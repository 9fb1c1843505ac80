/**
 * A worker in the D1 mode with its publishing API on, against Miniflare's local D1, for the
 * tests of publishing: requests with the token, the cron fired by hand, the work left
 * running after a response (waitUntil) awaited, and a stand-in WebSub hub that records.
 */
import { env } from "cloudflare:test";
import { afterEach } from "vitest";
import type { Renderer } from "../../src/ahead/renderer";
import { createApp } from "../../src/app";
import type { D1Like } from "../../src/config/env";
import { bundle } from "./fixtures";

export const ORIGIN = "https://news.example.org";
export const TOKEN = "s3cret-token-for-tests";
export const HUB = "https://hub.example/";

export interface Call {
  url: string;
  body: string;
}

/** Work the workers of a test left running (waitUntil), finished before the next test resets the database. */
const unsettled: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const settle of unsettled.splice(0)) await settle();
});

/**
 * A worker in the D1 mode with the API on; `settle()` waits for the work it left running
 * (waitUntil). Writes render what they made stale at once (RENDER_WINDOW_MS 0) unless `vars` say otherwise.
 */
export function publishing(
  vars: Record<string, string> = {},
  hub: (call: Call) => Response | Promise<Response> = () => new Response(null, { status: 204 }),
  options: { render?: Renderer; db?: D1Like; hub?: boolean } = {},
) {
  const hubCalls: Call[] = [];
  const fetchHub = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), body: String(init?.body ?? "") };
    hubCalls.push(call);
    return hub(call);
  }) as typeof fetch;
  const app = createApp(bundle({ articles: [], topics: [] }), { fetchHub, render: options.render });
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
  const workerEnv = {
    SITE_URL: ORIGIN,
    STORAGE: "d1",
    DB: options.db ?? env.DB,
    CONTENT_TTL: "0",
    RENDER_WINDOW_MS: "0",
    PUBLISH_TOKEN: TOKEN,
    // The own WebSub hub's Durable Object, for the tests of the hub (test/worker/hub.test.ts).
    ...(options.hub ? { HUB: env.HUB } : {}),
    ...vars,
  } as never;
  const request = (path: string, init: RequestInit = {}) => app.request(`${ORIGIN}${path}`, init, workerEnv, ctx);
  const settle = async () => {
    while (pending.length > 0) await Promise.all(pending.splice(0));
  };
  let abandoned = false;
  unsettled.push(() => (abandoned ? Promise.resolve() : settle()));
  return {
    app,
    hubCalls,
    request,
    /** A request with the token. */
    api: (path: string, init: RequestInit = {}) => request(path, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) } }),
    put: (id: string, text: string | Uint8Array, type = "text/plain; charset=utf-8") =>
      request(`/api/articles/${encodeURIComponent(id)}`, { method: "PUT", body: text, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": type } }),
    settle,
    /** Leaves its work unfinished (a renderer that never returns, as in an isolate that died). */
    abandon: () => {
      abandoned = true;
    },
    env: workerEnv as Record<string, unknown>,
    cron: async (at: number) => {
      await app.scheduled({ scheduledTime: at }, workerEnv, ctx);
    },
  };
}
