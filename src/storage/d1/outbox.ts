/**
 * Messages to other services that wait in a D1 table until due (the WebSub notices to
 * other hubs, the IndexNow submissions): each claimed first by an atomic update, so that two
 * isolates, or a request and the cron, never send one twice; sent; then deleted, or tried
 * again after 1, 2, 4 and 8 minutes, or given up with a log line after MAX_ATTEMPTS.
 */
import type { D1Like } from "../../config/env";
import type { Statement } from "./sql";

/** Tries of one message before it is given up. */
const MAX_ATTEMPTS = 5;
/** How long a sender holds the messages it took. */
const CLAIM_MS = 60_000;

/** What became of one try: sent, or failed (`final`: trying again would get the same answer). */
export type Attempt = { sent: true } | { sent: false; failure: string; final?: boolean };

export interface OutboxReport {
  sent: number;
  retried: number;
  gaveUp: number;
}

interface Row {
  id: number;
  attempts: number;
}

/**
 * Sends every message of `table` due at `now` with `send`; `columns` are the table's own,
 * read for it; `say` words the log lines ("gave up …", "… trying again in N min").
 */
export async function sendDue<T extends Row>(
  db: D1Like,
  table: "websub_pending" | "indexnow_pending",
  columns: string,
  now: number,
  send: (message: T) => Promise<Attempt>,
  say: { gaveUp: (message: T, attempts: number, failure: string) => string; retry: (message: T, failure: string, minutes: number, attempts: number) => string },
  log: (line: string) => void,
): Promise<OutboxReport> {
  const [claimed] = await db.batch([
    db.prepare(`UPDATE ${table} SET claimed = ?1 WHERE due <= ?2 AND claimed < ?2 RETURNING id, attempts, ${columns}`).bind(now + CLAIM_MS, now),
  ]);
  const report: OutboxReport = { sent: 0, retried: 0, gaveUp: 0 };
  const done: Statement[] = [];
  await Promise.all(
    (claimed!.results as T[]).map(async (message) => {
      const attempt = await send(message);
      if (attempt.sent) {
        report.sent++;
        done.push({ sql: `DELETE FROM ${table} WHERE id = ?`, params: [message.id] });
        return;
      }
      const attempts = message.attempts + 1;
      if (attempt.final === true || attempts >= MAX_ATTEMPTS) {
        report.gaveUp++;
        log(say.gaveUp(message, attempts, attempt.failure));
        done.push({ sql: `DELETE FROM ${table} WHERE id = ?`, params: [message.id] });
        return;
      }
      report.retried++;
      const minutes = 2 ** (attempts - 1);
      log(say.retry(message, attempt.failure, minutes, attempts));
      done.push({ sql: `UPDATE ${table} SET attempts = ?, due = ?, claimed = 0 WHERE id = ?`, params: [attempts, now + minutes * 60_000, message.id] });
    }),
  );
  if (done.length > 0) await db.batch(done.map((s) => db.prepare(s.sql).bind(...s.params)));
  return report;
}

export { MAX_ATTEMPTS };
