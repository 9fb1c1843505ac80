/**
 * What follows every write in the worker (a publish over HTTP, a scheduled release): the
 * responses it made stale rendered again and stored, then WebSub hubs told, once every
 * isolate serves the change. Runs after the response has been sent (ExecutionContext
 * waitUntil): a reader's request never waits for it, and a failure here never undoes the
 * write, which has landed whole.
 */

import type { Renderer } from "../ahead/renderer";
import { renderStaleResponses } from "../ahead/stale";
import type { D1Like, Env } from "../config/env";
import type { Settings } from "../config/settings";
import { applyStatements } from "../storage/d1/apply";
import type { Change } from "../storage/d1/publisher";
import { changedFeedUrls, deliverDue, queueNotices } from "../websub/notify";

/** Waits up to this long inside the request's waitUntil for isolates to catch up before notifying hubs; longer waits are left to the cron. */
const WAIT_IN_REQUEST_MS = 20_000;

export interface AfterChange {
  db: D1Like;
  env: Env;
  settings: Settings;
  /** The public origin (SITE_URL, or the origin the write came in on); null when unknown (the cron without SITE_URL). */
  origin: string | null;
  now: number;
  /** Renders the responses the change made stale, as the worker answers them. */
  render: Renderer;
  /** How hubs are reached (fetch; a stand-in in tests). */
  send?: typeof fetch;
  log?: (line: string) => void;
}

export async function afterChange(change: Change, context: AfterChange): Promise<void> {
  const { db, settings, origin, now } = context;
  const log = context.log ?? ((line: string) => console.error(line));
  if (origin === null) {
    log("after a change: SITE_URL is not set, so no responses were rendered ahead and no WebSub hub was told (set SITE_URL)");
    return;
  }
  try {
    const stored = await renderStaleResponses(db, change, context.env, origin, context.render);
    await applyStatements(db, stored.statements);
  } catch (error) {
    // The write stands; what is not stored is rendered on its first request.
    log(`after a change: storing the rendered responses failed: ${(error as Error).message}`);
  }
  if (settings.websubHubs.length === 0) return;
  const wait = settings.contentTtl * 1000;
  await applyStatements(db, queueNotices(settings.websubHubs, changedFeedUrls(origin, change.changedTopics), now + wait));
  if (wait > WAIT_IN_REQUEST_MS) return;
  await new Promise((resolve) => setTimeout(resolve, wait));
  await deliverDue(db, Date.now(), context.send, log);
}
