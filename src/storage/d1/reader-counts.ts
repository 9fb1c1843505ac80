/**
 * Readers per feed and UTC day in D1 (migrations/0007_reader_counts.sql): what isolates
 * counted (src/readers/tally.ts) added in, the own hub's subscriptions recorded by the cron,
 * and days closed: each reader product's distinct clients counted, then their hashes and
 * the day's key deleted. Rows older than the retention are dropped.
 */
import type { D1Like, D1Statement } from "../../config/env";
import type { PollRow, SourceRow } from "../../readers/rows";
import { type Taken, utcDay } from "../../readers/tally";
import { hex } from "../../text/hash";
import { chunks, MAX_PARAMS } from "./sql";

/** After midnight (UTC), how long a day stays open for the isolates' last writes. */
const CLOSE_AFTER_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
/** Statements per D1 batch (each batch is one transaction). */
const BATCH = 200;

/** What a failed read or write of the counts says: the usual cause first. */
export function countsFailure(error: Error): string {
  return /no such table/.test(error.message)
    ? "the database has no reader_* tables: apply the migrations (npx wrangler d1 migrations apply DB --remote)"
    : error.message;
}

/** Whether `day` still takes distinct clients at `now`: the day itself and its grace after midnight. */
const isOpen = (day: string, now: number) => Date.parse(`${day}T00:00:00Z`) + DAY_MS + CLOSE_AFTER_MS > now;

/** The day's key: made by the first writer of the day, the same for every isolate. */
async function dayKey(db: D1Like, day: string): Promise<CryptoKey> {
  const fresh = hex(crypto.getRandomValues(new Uint8Array(32)).buffer as ArrayBuffer);
  const [, read] = await db.batch([
    db.prepare("INSERT INTO reader_keys (day, key) VALUES (?, ?) ON CONFLICT (day) DO NOTHING").bind(day, fresh),
    db.prepare("SELECT key FROM reader_keys WHERE day = ?").bind(day),
  ]);
  const key = (read!.results[0] as { key: string }).key;
  const bytes = new Uint8Array(key.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(key.slice(i * 2, i * 2 + 2), 16);
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** A client as stored: 128 bits of HMAC-SHA256(day key, "address\nUser-Agent"). */
async function clientHash(key: CryptoKey, client: string): Promise<string> {
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(client))).slice(0, 32);
}

export interface Written {
  polls: number;
  /** Clients of a day already closed when its counts arrived (an isolate idle past the grace): polls only. */
  late: number;
}

/** Adds one isolate's counts in: sums for polls, the largest for aggregators, distinct clients by hash. */
export async function writeTally(db: D1Like, taken: Taken, now: number): Promise<Written> {
  const statements: D1Statement[] = [];
  const written: Written = { polls: 0, late: 0 };
  const source = (day: string, feed: string, kind: string, name: string, feedId: string, readers: number, polls: number) =>
    db
      .prepare(
        `INSERT INTO reader_sources (day, feed, kind, name, feed_id, readers, polls) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (day, feed, kind, name, feed_id) DO UPDATE SET readers = MAX(readers, excluded.readers), polls = polls + excluded.polls`,
      )
      .bind(day, feed, kind, name, feedId, readers, polls);
  for (const [day, feeds] of taken.days) {
    const open = isOpen(day, now);
    const key = open ? await dayKey(db, day) : null;
    for (const [feed, t] of feeds) {
      written.polls += t.polls;
      statements.push(
        db
          .prepare(
            `INSERT INTO reader_polls (day, feed, polls, not_modified) VALUES (?, ?, ?, ?)
             ON CONFLICT (day, feed) DO UPDATE SET polls = polls + excluded.polls, not_modified = not_modified + excluded.not_modified`,
          )
          .bind(day, feed, t.polls, t.notModified),
      );
      for (const a of t.aggregators.values()) statements.push(source(day, feed, "aggregator", a.name, a.feedId, a.subscribers, a.polls));
      for (const [name, polls] of t.crawlers) statements.push(source(day, feed, "crawler", name, "", 0, polls));
      for (const [name, reader] of t.readers) {
        statements.push(source(day, feed, "reader", name, "", 0, reader.polls));
        if (key === null) {
          written.late += reader.clients.size;
          continue;
        }
        const hashes = await Promise.all([...reader.clients].map((c) => clientHash(key, c)));
        for (const group of chunks(hashes, Math.floor(MAX_PARAMS / 4))) {
          statements.push(
            db
              .prepare(`INSERT INTO reader_clients (day, feed, name, client) VALUES ${group.map(() => "(?, ?, ?, ?)").join(", ")} ON CONFLICT DO NOTHING`)
              .bind(...group.flatMap((h) => [day, feed, name, h])),
          );
        }
      }
    }
  }
  for (const batch of chunks(statements, BATCH)) await db.batch(batch);
  return written;
}

/**
 * The cron's part: closes the days past their grace (each reader product's distinct
 * clients counted into its row, then the hashes and the day's key deleted) and drops
 * what is older than `retentionDays`.
 */
export async function closeDays(db: D1Like, now: number, retentionDays: number): Promise<string[]> {
  const open = (await db.prepare("SELECT day FROM reader_keys").all<{ day: string }>()).results.map((r) => r.day);
  const closing = open.filter((day) => !isOpen(day, now));
  const oldest = utcDay(now - retentionDays * DAY_MS);
  const statements: D1Statement[] = [];
  for (const day of closing) {
    statements.push(
      db
        .prepare(
          `UPDATE reader_sources SET readers = (SELECT COUNT(*) FROM reader_clients c WHERE c.day = reader_sources.day AND c.feed = reader_sources.feed AND c.name = reader_sources.name)
           WHERE day = ? AND kind = 'reader'`,
        )
        .bind(day),
      db.prepare("DELETE FROM reader_clients WHERE day = ?").bind(day),
      db.prepare("DELETE FROM reader_keys WHERE day = ?").bind(day),
    );
  }
  // Hashes of a day whose key is gone (a write that raced the close) tell no one apart: dropped.
  statements.push(db.prepare("DELETE FROM reader_clients WHERE day NOT IN (SELECT day FROM reader_keys)"));
  statements.push(db.prepare("DELETE FROM reader_polls WHERE day < ?").bind(oldest), db.prepare("DELETE FROM reader_sources WHERE day < ?").bind(oldest));
  await db.batch(statements);
  return closing;
}

/** The own hub's active subscriptions per feed, as of now: today's row of each feed (0 for those that had some and have none). */
export async function recordHubSubscribers(db: D1Like, now: number, counts: ReadonlyMap<string, number>): Promise<void> {
  const day = utcDay(now);
  await db.batch([
    db.prepare("UPDATE reader_sources SET readers = 0 WHERE day = ? AND kind = 'hub'").bind(day),
    ...[...counts].map(([feed, n]) =>
      db
        .prepare(
          `INSERT INTO reader_sources (day, feed, kind, name, feed_id, readers, polls) VALUES (?, ?, 'hub', 'WebSub hub', '', ?, 0)
           ON CONFLICT (day, feed, kind, name, feed_id) DO UPDATE SET readers = excluded.readers`,
        )
        .bind(day, feed, n),
    ),
  ]);
}

/** Every row from `fromDay` on; an open day's readers are its distinct clients so far. */
export async function readCounts(db: D1Like, fromDay: string): Promise<{ sources: SourceRow[]; polls: PollRow[] }> {
  const [sources, clients, polls] = await db.batch([
    db.prepare("SELECT day, feed, kind, name, feed_id AS feedId, readers, polls FROM reader_sources WHERE day >= ?").bind(fromDay),
    db.prepare("SELECT day, feed, name, COUNT(*) AS readers FROM reader_clients WHERE day >= ? GROUP BY day, feed, name").bind(fromDay),
    db.prepare("SELECT day, feed, polls, not_modified AS notModified FROM reader_polls WHERE day >= ?").bind(fromDay),
  ]);
  const live = new Map<string, number>();
  for (const r of clients!.results as { day: string; feed: string; name: string; readers: number }[]) live.set(`${r.day}\n${r.feed}\n${r.name}`, r.readers);
  const rows = (sources!.results as SourceRow[]).map((r) =>
    r.kind === "reader" ? { ...r, readers: Math.max(r.readers, live.get(`${r.day}\n${r.feed}\n${r.name}`) ?? 0) } : r,
  );
  return { sources: rows, polls: polls!.results as PollRow[] };
}
