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
  if (env.DB === undefined) return;
  const db = env.DB as D1Like;
  const hub = settings.readerCounts && settings.ownHub ? ownHub(env) : null;
  if (hub !== null) {
    try {
      const counts = new Map<string, number>();
      for (const [topic, n] of Object.entries(await hub.subscriberCounts())) {
        const path = new URL(topic).pathname;
        // Topics are absolute URLs, possibly of several origins (no SITE_URL): counted per feed.
        counts.set(path, (counts.get(path) ?? 0) + n);
      }
      await recordHubSubscribers(db, now, counts);
    } catch (error) {
      log(`reader counts: the hub's subscriptions could not be recorded: ${countsFailure(error as Error)}`);
    }
  }
  // Also with counting off: a day counted before it was turned off is closed (its hashes and key deleted) and old rows dropped.
  try {
    await closeDays(db, now, settings.readerRetentionDays);
  } catch (error) {
    // A database of the bundled mode with no reader tables, and counting off: nothing to keep.
    if (!settings.readerCounts && /no such table/.test((error as Error).message)) return;
    log(`reader counts: the cron could not close days or drop old rows: ${countsFailure(error as Error)}`);
  }
}
