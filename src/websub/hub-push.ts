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

/** The site's hub: one Durable Object for the worker, whatever the origin (topics are absolute URLs). */
export function ownHub(env: Env): HubApi | null {
  return env.HUB === undefined ? null : env.HUB.get(env.HUB.idFromName("hub"));
}

/** Hands the hub the new versions of the changed feeds that have subscribers; returns the deliveries scheduled. */
export async function pushFeeds(hub: HubApi, changed: readonly string[] | "all", served: ServedFeed): Promise<number> {
  const subscribed = await hub.subscribedTopics();
  const wanted = changed === "all" ? subscribed : subscribed.filter((topic) => changed.includes(topic));
  if (wanted.length === 0) return 0;
  const versions = await Promise.all(wanted.map(served));
  return hub.publish(versions.filter((v): v is FeedVersion => v !== null));
}

/** After a change: hands the hub the changed feeds (absolute URLs, or "all"); returns the deliveries scheduled. */
export type HubPusher = (env: Env, changed: readonly string[] | "all") => Promise<number>;

/**
 * The cron's check, in both modes: when the content version differs from the one the hub
 * was last handed in full (a deploy of the bundled mode, an import, a write whose own push
 * failed), every subscribed feed is handed over again. The hub drops what has not changed.
 */
export async function syncFeeds(env: Env, version: string, push: HubPusher): Promise<number> {
  const hub = ownHub(env);
  if (hub === null || (await hub.syncedVersion()) === version) return 0;
  const scheduled = await push(env, "all");
  await hub.markSynced(version);
  return scheduled;
}
