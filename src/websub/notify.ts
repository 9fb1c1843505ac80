/**
 * WebSub publish notifications (W3C WebSub §7 leaves the publisher-to-hub notice to each
 * hub; the common one, which Google's hub, Superfeedr and WebSubHub take, is a form POST
 * of `hub.mode=publish` and `hub.url=` each topic URL). A hub fetches the feed itself when
 * told, so a notice is due only once every isolate serves the change: CONTENT_TTL after
 * it. Notices wait in D1 (`websub_pending`) until then; whoever runs next (the request
 * that made the change, when the wait is short, or the minutely cron) sends the due ones,
 * retrying a failing hub with backoff. A hub never fails a publish.
 */
import type { D1Like } from "../config/env";
import { type Attempt, MAX_ATTEMPTS, type OutboxReport, sendDue } from "../storage/d1/outbox";
import type { Statement } from "../storage/d1/sql";
import { FEED_FORMATS, type FeedScope, feedPath, groupOfKey } from "../urls";

/** How long one hub may take to answer. */
const HUB_TIMEOUT_MS = 10_000;

/** The feed URLs a change touched: the main feeds, and each changed group's (`groups`: scope keys, src/urls.ts), in every format. */
export function changedFeedUrls(origin: string, groups: readonly string[]): string[] {
  const scopes: FeedScope[] = [{}, ...groups.flatMap((key) => groupOfKey(key) ?? [])];
  return scopes.flatMap((scope) => FEED_FORMATS.map((format) => `${origin}${feedPath(scope, format)}`));
}

/** The statements that queue a notice of `urls` to every hub, due at `due` (epoch ms). */
export function queueNotices(hubs: readonly string[], urls: readonly string[], due: number): Statement[] {
  return hubs.map((hub) => ({ sql: "INSERT INTO websub_pending (hub, urls, due) VALUES (?, ?, ?)", params: [hub, JSON.stringify(urls), due] }));
}

/** The body of a publish notice: `hub.url` repeated, one per changed feed. */
function noticeBody(urls: readonly string[]): string {
  const form = new URLSearchParams({ "hub.mode": "publish" });
  for (const url of urls) form.append("hub.url", url);
  return form.toString();
}

/**
 * Sends every notice due at `now` (src/storage/d1/outbox.ts): a hub that fails or does not
 * answer in time gets it again after 1, 2, 4, 8 minutes, and after the last try it is
 * dropped with a log line.
 */
export function deliverDue(db: D1Like, now: number, send: typeof fetch = fetch, log: (line: string) => void = (l) => console.error(l)): Promise<OutboxReport> {
  return sendDue<{ id: number; attempts: number; hub: string; urls: string }>(
    db,
    "websub_pending",
    "hub, urls",
    now,
    async (notice): Promise<Attempt> => {
      try {
        const res = await send(notice.hub, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: noticeBody(JSON.parse(notice.urls) as string[]),
          signal: AbortSignal.timeout(HUB_TIMEOUT_MS),
        });
        await res.body?.cancel();
        return res.ok ? { sent: true } : { sent: false, failure: `answered ${res.status}` };
      } catch (error) {
        return {
          sent: false,
          failure: (error as Error).name === "TimeoutError" ? `did not answer within ${HUB_TIMEOUT_MS / 1000} s` : (error as Error).message,
        };
      }
    },
    {
      gaveUp: (notice, attempts, failure) =>
        `websub: gave up notifying ${notice.hub} of ${(JSON.parse(notice.urls) as string[]).length} feed(s) after ${attempts} attempts: ${failure}`,
      retry: (notice, failure, minutes, attempts) =>
        `websub: ${notice.hub} ${failure}; trying again in ${minutes} min (attempt ${attempts} of ${MAX_ATTEMPTS})`,
    },
    log,
  );
}
