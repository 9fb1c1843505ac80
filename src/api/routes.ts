/**
 * The publishing API, D1 mode only: `PUT`, `GET` and `DELETE /api/articles/{id}` and
 * `GET /api/articles?after=` and `POST /api/hub/sync` (the own hub told of an import); and,
 * in both modes, `GET /api/hub`, the own WebSub hub's subscriptions. It exists only where a PUBLISH_TOKEN secret is set; its
 * answers are JSON and never cached (`Cache-Control: no-store`), and a write that cannot
 * land answers 4xx with the database unchanged.
 */
import type { Context, Hono } from "hono";
import type { Renderer } from "../ahead/renderer";
import { ArticleConflict, ContentError } from "../compile/errors";
import type { D1Like, Env } from "../config/env";
import { idProblem } from "../content/ids";
import { authorized, publishTokens } from "../http/bearer";
import { readCapped } from "../http/read-capped";
import { afterChange } from "../publish/after-change";
import type { AppVariables } from "../routes/context";
import type { ArticleInfo, Change, D1Publisher } from "../storage/d1/publisher";
import type { D1Store } from "../storage/d1/store";
import { articlePath } from "../urls";
import { type HubPusher, ownHub, type Pushed } from "../websub/hub-push";

/** Largest article body taken (Cloudflare's own request limit is far above). */
const MAX_BODY_BYTES = 1024 * 1024;
/** Ids listed per page of `GET /api/articles`. */
const LIST_LIMIT = 500;
const TYPES: Record<string, boolean> = { "text/plain": false, "text/markdown": true };

type ApiContext = Context<{ Bindings: Env; Variables: AppVariables }>;

export interface ApiOptions {
  /** The D1 publisher for a database (one per binding, kept by the app). */
  publisher: (db: D1Like) => D1Publisher;
  /** Renders what a change made stale, as the worker answers it. */
  render: Renderer;
  /** How WebSub hubs are reached (tests give a stand-in). */
  send?: typeof fetch;
  /** Hands the own WebSub hub the feeds a change made new. */
  pushHub: HubPusher;
  /** The own hub's check against the content version (what the cron runs): after an import, at once. */
  syncHub: (env: Env) => Promise<Pushed>;
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body, null, 2)}\n`, {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...headers },
  });
}

const problem = (status: number, message: string, headers: Record<string, string> = {}) => json({ error: message }, status, headers);

/** The article's JSON, with its page's URL. */
function describe(article: ArticleInfo, origin: string, status: string) {
  return { ...article, url: article.slug === null ? null : `${origin}${articlePath(article.slug)}`, status };
}

export function apiRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>, options: ApiOptions): void {
  // Everything under /api: absent unless enabled, then authenticated, before any method rule.
  app.use("/api/*", async (c, next) => {
    const { settings } = c.get("site");
    const tokens = publishTokens(c.env?.PUBLISH_TOKEN);
    // The hub's list is there in both modes; the articles only where they can be written (D1).
    if (tokens.length === 0 || (settings.storage !== "d1" && c.req.path !== "/api/hub")) return problem(404, "Not found.");
    if (!(await authorized(c.req.header("Authorization") ?? null, tokens))) {
      // RFC 6750 §3: the challenge; no hint whether a token was missing or wrong.
      return problem(401, "Authentication required: send Authorization: Bearer <token>.", { "WWW-Authenticate": 'Bearer realm="publishing"' });
    }
    await next();
  });

  const publisher = (c: ApiContext) => options.publisher(c.env.DB!);
  const store = (c: ApiContext) => c.get("store") as D1Store;
  /** When the responses a write made stale are rendered again: the end of its window. */
  const renderDue = (c: ApiContext, now: number) => now + c.get("site").settings.renderWindowMs;
  const after = (c: ApiContext, change: Change | null, now: number) => {
    if (change === null) return;
    // This isolate serves the change at once; others within CONTENT_TTL.
    store(c).invalidate();
    const work = afterChange({
      db: c.env.DB!,
      env: c.env,
      settings: c.get("site").settings,
      now,
      render: options.render,
      send: options.send,
      pushHub: options.pushHub,
    });
    try {
      c.executionCtx.waitUntil(work);
    } catch {
      // No execution context (app.request in tests): the work runs on its own.
    }
  };

  app.get("/api/articles", async (c) => {
    const after = c.req.query("after") ?? "";
    const { items, more } = await publisher(c).list(after, LIST_LIMIT);
    const next = more ? `${c.get("site").origin}/api/articles?after=${encodeURIComponent(items.at(-1)!.id)}` : null;
    return json({ articles: items, next });
  });
  app.all("/api/articles", () => problem(405, "Method not allowed: GET lists the articles.", { Allow: "GET, HEAD" }));

  app.get("/api/articles/:id", async (c) => {
    const article = await publisher(c).get(c.req.param("id"));
    return article === null ? problem(404, "No article has this id.") : json(describe(article, c.get("site").origin, article.status));
  });

  app.put("/api/articles/:id", async (c) => {
    const id = c.req.param("id");
    const invalid = idProblem(id);
    if (invalid !== null) return problem(422, `The id in the URL is refused: ${invalid}.`);
    const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!(type in TYPES)) return problem(415, "Send the article as text/plain (wire copy) or text/markdown, UTF-8.");
    const declared = Number(c.req.header("Content-Length") ?? 0);
    const body = declared > MAX_BODY_BYTES ? null : await readCapped(c.req.raw.body, MAX_BODY_BYTES);
    if (body === null) return problem(413, `An article may be at most ${MAX_BODY_BYTES / 1024 / 1024} MiB.`);
    const now = Date.now();
    let result: Awaited<ReturnType<D1Publisher["put"]>>;
    try {
      result = await publisher(c).put(id, body, TYPES[type]!, now, c.get("site").origin, renderDue(c, now));
    } catch (error) {
      // The build's own one-line reason; nothing was written.
      if (error instanceof ContentError) return problem(422, error.reason);
      // RFC 9110 §15.5.10: the request conflicts with the current state of the archive.
      if (error instanceof ArticleConflict) return problem(409, `${error.reason}.`);
      throw error;
    }
    after(c, result.change, now);
    const status = { added: 201, updated: 200, unchanged: 200, scheduled: 202 }[result.status] as 200 | 201 | 202;
    return json(describe(result.article, c.get("site").origin, result.status), status);
  });

  app.delete("/api/articles/:id", async (c) => {
    const now = Date.now();
    const { found, change } = await publisher(c).remove(c.req.param("id"), now, { origin: c.get("site").origin, due: renderDue(c, now) });
    if (!found) return problem(404, "No article has this id.");
    after(c, change, now);
    return json({ id: c.req.param("id"), status: "deleted" });
  });
  app.all("/api/articles/:id", () => problem(405, "Method not allowed here.", { Allow: "GET, HEAD, PUT, DELETE" }));
  app.get("/api/hub", async (c) => {
    const hub = ownHub(c.env);
    if (hub === null || !c.get("site").settings.ownHub) return problem(404, "This site runs no WebSub hub.");
    const topics = new Map<string, unknown[]>();
    for (const { topic, ...subscription } of await hub.list())
      topics
        .set(topic, topics.get(topic) ?? [])
        .get(topic)!
        .push(subscription);
    return json({ topics: [...topics].map(([topic, subscriptions]) => ({ topic, subscriptions })) });
  });
  app.all("/api/hub", () => problem(405, "Method not allowed: GET lists the hub's subscriptions.", { Allow: "GET, HEAD" }));
  // `npm run import` writes the database from outside the worker: this hands the own hub the
  // subscribed feeds the import changed at once, rather than at the next cron.
  app.post("/api/hub/sync", async (c) => {
    if (ownHub(c.env) === null || !c.get("site").settings.ownHub) return problem(404, "This site runs no WebSub hub.");
    const { scheduled, missing } = await options.syncHub(c.env);
    return json({ scheduled, missing });
  });
  app.all("/api/hub/sync", () => problem(405, "Method not allowed: POST hands the hub the feeds an import changed.", { Allow: "POST" }));
  app.all("/api/*", () => problem(404, "Not found: the API has /api/articles, /api/articles/{id}, /api/hub and /api/hub/sync."));
}
