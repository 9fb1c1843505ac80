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
import type { Statement } from "../storage/d1/sql";
import { FEED_FORMATS, feedPath } from "../urls";

/** Tries of one notice before it is given up (and logged). */
const MAX_ATTEMPTS = 5;
/** How long one hub may take to answer. */
const HUB_TIMEOUT_MS = 10_000;
/** How long a sender holds the notices it took, so that two senders never send one twice. */
const CLAIM_MS = 60_000;

/** The feed URLs a change touched: the main feeds, and each changed topic's, in every format. */
export function changedFeedUrls(origin: string, topics: readonly string[]): string[] {
  return [{}, ...topics.map((topic) => ({ topic }))].flatMap((scope) => FEED_FORMATS.map((format) => `${origin}${feedPath(scope, format)}`));
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

export interface DeliveryReport {
  sent: number;
  retried: number;
  gaveUp: number;
}

/**
 * Sends every notice due at `now`. Each is claimed first (an atomic update), so that two
 * isolates or a request and the cron never send the same one; a hub that fails or does not
 * answer in time gets it again after 1, 2, 4, 8 minutes, and after MAX_ATTEMPTS it is
 * dropped with a log line.
 */
export async function deliverDue(
  db: D1Like,
  now: number,
  send: typeof fetch = fetch,
  log: (line: string) => void = (l) => console.error(l),
): Promise<DeliveryReport> {
  const [claimed] = await db.batch([
    db.prepare("UPDATE websub_pending SET claimed = ?1 WHERE due <= ?2 AND claimed < ?2 RETURNING id, hub, urls, attempts").bind(now + CLAIM_MS, now),
  ]);
  const report: DeliveryReport = { sent: 0, retried: 0, gaveUp: 0 };
  const done: Statement[] = [];
  await Promise.all(
    (claimed!.results as { id: number; hub: string; urls: string; attempts: number }[]).map(async (notice) => {
      const urls = JSON.parse(notice.urls) as string[];
      let failure: string | null = null;
      try {
        const res = await send(notice.hub, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: noticeBody(urls),
          signal: AbortSignal.timeout(HUB_TIMEOUT_MS),
        });
        await res.body?.cancel();
        if (!res.ok) failure = `answered ${res.status}`;
      } catch (error) {
        failure = (error as Error).name === "TimeoutError" ? `did not answer within ${HUB_TIMEOUT_MS / 1000} s` : (error as Error).message;
      }
      if (failure === null) {
        report.sent++;
        done.push({ sql: "DELETE FROM websub_pending WHERE id = ?", params: [notice.id] });
        return;
      }
      const attempts = notice.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        report.gaveUp++;
        log(`websub: gave up notifying ${notice.hub} of ${urls.length} feed(s) after ${attempts} attempts: ${failure}`);
        done.push({ sql: "DELETE FROM websub_pending WHERE id = ?", params: [notice.id] });
        return;
      }
      report.retried++;
      log(`websub: ${notice.hub} ${failure}; trying again in ${2 ** (attempts - 1)} min (attempt ${attempts} of ${MAX_ATTEMPTS})`);
      done.push({
        sql: "UPDATE websub_pending SET attempts = ?, due = ?, claimed = 0 WHERE id = ?",
        params: [attempts, now + 2 ** (attempts - 1) * 60_000, notice.id],
      });
    }),
  );
  if (done.length > 0) await db.batch(done.map((s) => db.prepare(s.sql).bind(...s.params)));
  return report;
}
