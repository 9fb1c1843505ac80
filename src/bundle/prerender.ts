/**
 * Rendering responses ahead of requests, through the worker's own routes and renderers:
 * the build stores what a reader or crawler asks for first, and the import (D1 mode)
 * what it changed. Runs in Node (the commands) and in workerd (the tests).
 */
import { createApp } from "../app";
import type { ContentStore } from "../content/store";
import type { EncodedResponse } from "../http/representation";
import { assetPaths } from "../routes/assets";
import { NOT_FOUND_RECENT } from "../routes/pages";
import { NOT_FOUND_KEY } from "../routes/representations";
import type { Env, Settings } from "../settings";
import { resolveSite } from "../site";
import { FEED_FORMATS, feedPath, type FeedScope } from "../urls";
import { PAGE_SIZE } from "../views/pages";
import type { Bundle } from "../app";
import { packResponses } from "./response-pack";
import { PackedStore } from "./packed-store";

/**
 * The first page of every feed (main and each topic, all three formats), the home page,
 * the topic index and each topic's page, OPML, the assets, the not-found page, and the
 * page of every article any of those lists.
 */
export async function firstPaths(store: ContentStore, settings: Settings): Promise<string[]> {
  const snapshot = await store.snapshot();
  const scopes: FeedScope[] = [{}, ...snapshot.topics.map((t) => ({ topic: t.topic.slug }))];
  const paths = new Set<string>(["/", "/topics", "/opml.xml", "/favicon.ico", ...Object.values(await assetPaths()), NOT_FOUND_KEY]);
  const listed = Math.max(settings.feedItemLimit, PAGE_SIZE, NOT_FOUND_RECENT);
  for (const scope of scopes) {
    for (const format of FEED_FORMATS) paths.add(feedPath(scope, format));
    if (scope.topic !== undefined) paths.add(`/topics/${scope.topic}`);
    for (const article of (await store.listing(scope, listed, null))?.articles ?? []) paths.add(`/articles/${article.slug}`);
  }
  return [...paths];
}

/**
 * Renders `paths` (NOT_FOUND_KEY for the not-found page) as the worker would answer them
 * for `origin` under `env`, and returns each response's bytes and headers.
 */
export async function renderPaths(bundle: Bundle, env: Env, origin: string, paths: readonly string[], databaseTimeoutMs?: number): Promise<Map<string, EncodedResponse>> {
  const rendered = new Map<string, EncodedResponse>();
  const app = createApp(bundle, { collect: (path, encoded) => rendered.set(path, encoded), databaseTimeoutMs });
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
}

/** The build's stored responses for `origin`: the data module src/generated/responses.bin. */
export async function buildResponses(content: Uint8Array<ArrayBuffer>, env: Env, origin: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; count: number }> {
  const site = resolveSite(env, `${origin}/`);
  const paths = await firstPaths(new PackedStore(content), site.settings);
  const rendered = await renderPaths({ content, responses: null }, env, origin, paths);
  return { bytes: packResponses(origin, site.fingerprint, rendered), count: rendered.size };
}

/** A responses file that matches no origin: what the build writes when it stores none. */
export function noResponses(): Uint8Array<ArrayBuffer> {
  return packResponses("", "", new Map());
}
