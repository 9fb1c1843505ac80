/**
 * What follows every write in the worker (a publish over HTTP, a scheduled release): the
 * responses it made stale rendered again and stored, the site's own WebSub hub handed the
 * changed feeds at once (src/websub/hub-push.ts), and other WebSub hubs and IndexNow
 * (src/publish/indexnow.ts) told once every isolate serves the change. Runs after the response has been sent (ExecutionContext
 * waitUntil): a reader's request never waits for it, and a failure here never undoes the
 * write, which has landed whole.
 *
 * A write queues what it made stale in its own transaction (src/storage/d1/render-queue.ts)
 * and then waits out the render window (RENDER_WINDOW_MS): the writes of a burst that land
 * meanwhile queue theirs, and whichever wakes first renders every scope due, once, for all
 * of them; the others find nothing left. So a burst costs a rendering per response it
 * touches per window, not one per write, and hubs hear of each feed once per window.
 */

import type { Renderer } from "../ahead/renderer";
import { renderStaleResponses } from "../ahead/stale";
import type { D1Like, Env } from "../config/env";
import type { Settings } from "../config/settings";
import { applyStatements } from "../storage/d1/apply";
import { claimDue, releaseClaim } from "../storage/d1/render-queue";
import type { Statement } from "../storage/d1/sql";
import { groupOfKey } from "../urls";
import type { HubPusher } from "../websub/hub-push";
import { changedFeedUrls, deliverDue, queueNotices } from "../websub/notify";
import { changedPageUrls, queueSubmissions, submitDue } from "./indexnow";

/** Waits up to this long inside the request's waitUntil for isolates to catch up before notifying hubs; longer waits are left to the cron. */
const WAIT_IN_REQUEST_MS = 20_000;

export interface AfterChange {
  db: D1Like;
  env: Env;
  settings: Settings;
  /** When the write landed (epoch ms): its window ends RENDER_WINDOW_MS after. */
  now: number;
  /** Renders the responses a change made stale, as the worker answers them. */
  render: Renderer;
  /** How hubs are reached (fetch; a stand-in in tests). */
  send?: typeof fetch;
  /** Hands the own WebSub hub the feeds that changed, at once (their bytes are stored by then). */
  pushHub?: HubPusher;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** After a write that queued its renderings: the end of its window, then whatever is due. */
export async function afterChange(context: AfterChange): Promise<void> {
  await sleep(Math.max(0, context.now + context.settings.renderWindowMs - Date.now()));
  try {
    await renderQueued({ ...context, now: undefined });
  } catch (error) {
    // The database failed: the queue keeps what was not rendered, for the next write's pass or the cron's.
    (context.log ?? ((line: string) => console.error(line)))(`after a change: the rendering queue could not be read or updated: ${(error as Error).message}`);
  }
}

/**
 * Takes every queued scope that is due and no one holds, renders and stores its responses
 * (per origin), queues one WebSub notice per hub for the feeds they changed, and, when the
 * wait for every isolate to serve the change is short, sends it. Also what the cron runs:
 * scopes a renderer died holding are taken again once its claim lapses.
 */
export async function renderQueued(context: Omit<AfterChange, "now"> & { now?: number }): Promise<void> {
  const { db, settings } = context;
  const log = context.log ?? ((line: string) => console.error(line));
  // The cron's time, when it is later than the clock's (a test's cron fired ahead), else now.
  const at = Math.max(context.now ?? 0, Date.now());
  const claimed = await claimDue(db, at);
  const notices: Statement[] = [];
  const submissions: Statement[] = [];
  try {
    for (const [origin, scopes] of claimed.byOrigin) {
      const all = scopes.includes("all");
      const written = scopes.filter((s) => s.startsWith("article:")).map((s) => s.slice("article:".length));
      try {
        const stored = await renderStaleResponses(db, { staleScopes: all ? "all" : scopes, written }, context.env, origin, context.render);
        await applyStatements(db, stored.statements);
      } catch (error) {
        // The writes stand, and what they made stale was deleted with them: what is not stored is rendered on its first request.
        log(`after a change: storing the rendered responses failed: ${(error as Error).message}`);
      }
      const groups = scopes.filter((s) => groupOfKey(s) !== null);
      const feedsChanged = all || groups.length > 0 || scopes.includes("main");
      if (feedsChanged && context.pushHub !== undefined) {
        try {
          await context.pushHub(context.env, all ? "all" : changedFeedUrls(origin, groups));
        } catch (error) {
          // The cron hands the hub every subscribed feed again once it sees the new content version.
          log(`after a change: the WebSub hub could not be handed the changed feeds: ${(error as Error).message}`);
        }
      }
      if (settings.websubHubs.length > 0 && feedsChanged)
        notices.push(...queueNotices(settings.websubHubs, changedFeedUrls(origin, groups), at + settings.contentTtl * 1000));
      if (settings.indexNow !== null) submissions.push(...queueSubmissions(changedPageUrls(origin, scopes, written), at + settings.contentTtl * 1000));
    }
  } finally {
    await applyStatements(db, [releaseClaim(claimed.token), ...notices]);
  }
  if (submissions.length > 0) {
    // A batch of its own: a database without IndexNow's table yet loses neither the notices nor the claim's release.
    await applyStatements(db, submissions).catch((error: Error) => log(`after a change: the IndexNow submission could not be queued: ${error.message}`));
  }
  if (notices.length + submissions.length === 0) return;
  const wait = settings.contentTtl * 1000;
  if (wait <= WAIT_IN_REQUEST_MS) {
    await sleep(wait);
    await sendOutboxes(db, Date.now(), settings, context.send, log);
  }
}

/** The WebSub notices and IndexNow submissions due, side by side: one failing holds up neither the other nor the rest. */
export async function sendOutboxes(db: D1Like, now: number, settings: Settings, send: typeof fetch | undefined, log: (line: string) => void): Promise<void> {
  const results = await Promise.allSettled([
    settings.websubHubs.length > 0 ? deliverDue(db, now, send, log) : null,
    settings.indexNow !== null ? submitDue(db, now, settings.indexNow, send, log) : null,
  ]);
  for (const r of results) if (r.status === "rejected") log(`the notices to other services could not be read or updated: ${(r.reason as Error).message}`);
}
