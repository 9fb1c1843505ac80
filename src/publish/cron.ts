/**
 * The minutely Cron Trigger (wrangler.toml [triggers]), D1 mode: releases the scheduled
 * articles whose time has come (rendering what that changed, queueing WebSub notices and
 * IndexNow submissions), and sends those that are due, retrying failed ones. (The own hub's check after
 * a deploy or an import, in both modes, is src/websub/hub-push.ts syncFeeds.)
 */

import type { Renderer } from "../ahead/renderer";
import type { D1Like, Env } from "../config/env";
import type { Settings } from "../config/settings";
import type { D1Publisher } from "../storage/d1/publisher";
import type { D1Store } from "../storage/d1/store";
import type { HubPusher } from "../websub/hub-push";
import { renderQueued, sendOutboxes } from "./after-change";

export interface CronContext {
  env: Env;
  settings: Settings;
  publisher: D1Publisher;
  store: D1Store;
  now: number;
  render: Renderer;
  send?: typeof fetch;
  /** Hands the own WebSub hub the feeds a release changed. */
  pushHub?: HubPusher;
  log?: (line: string) => void;
}

export async function runCron(context: CronContext): Promise<{ released: string[] }> {
  const { env, settings, now } = context;
  const log = context.log ?? ((line: string) => console.log(line));
  if (settings.storage !== "d1") return { released: [] };
  const db = env.DB as D1Like;
  // No request to take an origin from: SITE_URL, else the one the articles were scheduled for.
  const origin = settings.siteUrl ?? (await db.prepare("SELECT value FROM meta WHERE key = 'origin'").first<{ value: string }>())?.value ?? null;
  // The cron's releases are one batch already: rendered at once, with no window to wait for.
  const { released, change } = await context.publisher.releaseDue(now, origin === null ? null : { origin, due: now });
  if (change !== null) {
    context.store.invalidate();
    log(`cron: released ${released.length} scheduled article(s): ${released.join(", ")}`);
    if (origin === null) log("cron: SITE_URL is not set, so no responses were rendered ahead and no WebSub hub was told (set SITE_URL)");
  }
  // What is due, the releases among it, and whatever a renderer that died was holding.
  try {
    await renderQueued({ db, env, settings, now, render: context.render, send: context.send, pushHub: context.pushHub, log: context.log });
  } catch (error) {
    // The hubs' retries below go on whatever happened to the queue.
    (context.log ?? ((line: string) => console.error(line)))(`cron: the rendering queue could not be read or updated: ${(error as Error).message}`);
  }
  await sendOutboxes(db, now, settings, context.send, context.log ?? ((line: string) => console.error(line)));
  return { released };
}
