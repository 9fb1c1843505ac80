/**
 * The cron's part of the reader counts: today's own-hub subscriptions per feed recorded,
 * the days past their grace closed (their client hashes and key deleted), and rows older
 * than READER_RETENTION_DAYS dropped.
 */
import type { D1Like, Env } from "../config/env";
import type { Settings } from "../config/settings";
import { closeDays, countsFailure, recordHubSubscribers } from "../storage/d1/reader-counts";
import { ownHub } from "../websub/hub-push";

export async function keepReaderDays(env: Env, settings: Settings, now: number, log: (line: string) => void = console.error): Promise<void> {
  if (!settings.readerCounts || env.DB === undefined) return;
  const db = env.DB as D1Like;
  try {
    const hub = settings.ownHub ? ownHub(env) : null;
    if (hub !== null) {
      const counts = new Map<string, number>();
      for (const [topic, n] of Object.entries(await hub.subscriberCounts())) {
        const path = new URL(topic).pathname;
        // Topics are absolute URLs, possibly of several origins (no SITE_URL): counted per feed.
        counts.set(path, (counts.get(path) ?? 0) + n);
      }
      await recordHubSubscribers(db, now, counts);
    }
    await closeDays(db, now, settings.readerRetentionDays);
  } catch (error) {
    log(`reader counts: the cron's update failed: ${countsFailure(error as Error)}`);
  }
}
