/**
 * Rendering ahead runs through the worker's own routes and renderers, so that a response
 * stored ahead is byte for byte what a request would render. The code that wires the app
 * hands a Renderer to whatever renders ahead (the build, the import, a publish, the cron):
 * nothing here knows the app.
 */
import type { Env } from "../config/env";
import type { EncodedResponse } from "../http/representation";
import { type Collector, NOT_FOUND_KEY } from "../serve/representations";

/**
 * Renders `paths` (NOT_FOUND_KEY for the not-found page) as the worker answers them for
 * `origin` under `env`, and returns each response's bytes and headers, sorted by path.
 */
export type Renderer = (env: Env, origin: string, paths: readonly string[], databaseTimeoutMs?: number) => Promise<Map<string, EncodedResponse>>;

/** An app that hands every response it renders to `collect` instead of reading stored ones. */
export interface CollectingApp {
  request(url: string, init: RequestInit, env: Env): Response | Promise<Response>;
}

export function rendererOf(makeApp: (collect: Collector, databaseTimeoutMs?: number) => CollectingApp): Renderer {
  return async (env, origin, paths, databaseTimeoutMs) => {
    const rendered = new Map<string, EncodedResponse>();
    const app = makeApp((path, encoded) => rendered.set(path, encoded), databaseTimeoutMs);
    // All at once: a database read through wrangler (the import) then takes a few round trips, not one per path.
    await Promise.all(
      paths.map(async (path) => {
        // Any path no route takes is answered with the not-found page.
        const response = await app.request(`${origin}${path === NOT_FOUND_KEY ? "/.not-found" : path}`, {}, env);
        await response.arrayBuffer();
        const expected = path === NOT_FOUND_KEY ? 404 : 200;
        if (response.status !== expected) throw new Error(`rendering ${path} for ${origin} answered ${response.status}, not ${expected}`);
        if (!rendered.has(path)) throw new Error(`rendering ${path} for ${origin} stored nothing`);
      }),
    );
    return new Map([...rendered].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  };
}
