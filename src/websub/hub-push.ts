/**
 * Handing the own hub what changed: the feeds that have subscribers, as the site serves
 * them at that moment. The worker's wiring supplies `served` (a request through its own
 * routes, identity coding), so what a subscriber receives is byte for byte what a reader
 * fetching the feed gets.
 */
import type { Env } from "../config/env";
import type { FeedVersion, HubApi } from "./hub-api";

/** The feed at `topic` (an absolute URL) as the site serves it now, or null if it serves none. */
export type ServedFeed = (topic: string) => Promise<FeedVersion | null>;

/** Feeds per call to the hub: each carries a whole feed document. */
const BATCH = 10;

/** The site's hub: one Durable Object for the worker, whatever the origin (topics are absolute URLs). */
export function ownHub(env: Env): HubApi | null {
  return env.HUB === undefined ? null : (env.HUB.get(env.HUB.idFromName("hub")) as HubApi);
}

export interface Pushed {
  /** Deliveries the hub scheduled. */
  scheduled: number;
  /** Subscribed feeds the site did not serve (a failing database): handed over at a later check. */
  missing: number;
}

/** Hands the hub the new versions of the changed feeds that have subscribers. */
export async function pushFeeds(hub: HubApi, changed: readonly string[] | "all", served: ServedFeed): Promise<Pushed> {
  const subscribed = await hub.subscribedTopics();
  const wanted = changed === "all" ? subscribed : subscribed.filter((topic) => changed.includes(topic));
  const pushed: Pushed = { scheduled: 0, missing: 0 };
  for (let i = 0; i < wanted.length; i += BATCH) {
    const versions = await Promise.all(wanted.slice(i, i + BATCH).map(served));
    const found = versions.filter((v): v is FeedVersion => v !== null);
    pushed.missing += versions.length - found.length;
    if (found.length > 0) pushed.scheduled += await hub.publish(found);
  }
  return pushed;
}

/** After a change: hands the hub the changed feeds (absolute URLs, or "all"). */
export type HubPusher = (env: Env, changed: readonly string[] | "all") => Promise<Pushed>;

/**
 * The cron's check, in both modes: when the content version differs from the one the hub
 * was last handed in full (a deploy of the bundled mode, an import, a write whose own push
 * failed), every subscribed feed is handed over again. The hub drops what it has seen.
 * A check that could not serve every feed is made again by the next cron.
 */
export async function syncFeeds(env: Env, version: string, push: HubPusher): Promise<Pushed> {
  const hub = ownHub(env);
  if (hub === null || (await hub.syncedVersion()) === version) return { scheduled: 0, missing: 0 };
  const pushed = await push(env, "all");
  if (pushed.missing === 0) await hub.markSynced(version);
  return pushed;
}
