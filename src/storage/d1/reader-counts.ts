/**
 * Readers per feed and UTC day in D1 (migrations/0007_reader_counts.sql): what isolates
 * counted (src/readers/tally.ts) added in, the own hub's subscriptions recorded by the cron,
 * and days closed: each reader product's distinct clients counted, then their hashes and
 * the day's key deleted. Rows older than the retention are dropped.
 *
 * A write is a handful of statements whatever it holds (rows travel as JSON arrays,
 * unpacked by json_each): a Worker invocation may make only 50 queries on the Free plan,
 * and every statement of a batch counts.
 */
import type { D1Like, D1Statement } from "../../config/env";
import type { PollRow, SourceRow } from "../../readers/rows";
import { DAY_MS, type Taken, utcDay } from "../../readers/tally";
import { hex } from "../../text/hash";

/** After midnight (UTC), how long isolates may still add clients to the day before. */
const WRITE_GRACE_MS = 5 * 60_000;
/** After midnight, when the cron closes the day before: after the writers' grace, so no write races the close. */
const CLOSE_AFTER_MS = 10 * 60_000;
/** Characters of JSON per bound value: well within D1's limits on a statement and a value. */
const JSON_CHARS = 60_000;

/** What a failed read or write of the counts says: the usual cause first. */
export function countsFailure(error: Error): string {
  return /no such table/.test(error.message)
    ? "the database has no reader_* tables: apply the migrations (npx wrangler d1 migrations apply DB --remote, or --local for npm start)"
    : error.message;
}

const midnightAfter = (day: string) => Date.parse(`${day}T00:00:00Z`) + DAY_MS;

/** Rows as JSON arrays of at most JSON_CHARS characters each. */
function jsonChunks(rows: readonly unknown[]): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (parts.length > 0 && size + text.length + 1 > JSON_CHARS) {
      out.push(`[${parts.join(",")}]`);
      parts = [];
      size = 2;
    }
    parts.push(text);
    size += text.length + 1;
  }
  if (parts.length > 0) out.push(`[${parts.join(",")}]`);
  return out;
}

const UPSERT_POLLS = `INSERT INTO reader_polls (day, feed, polls, not_modified)
  SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?2) WHERE true
  ON CONFLICT (day, feed) DO UPDATE SET polls = polls + excluded.polls, not_modified = not_modified + excluded.not_modified`;

/** Aggregators keep the largest count of the day; every source adds its polls. */
const UPSERT_SOURCES = `INSERT INTO reader_sources (day, feed, kind, name, feed_id, readers, polls)
  SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'),
         json_extract(value, '$[4]'), json_extract(value, '$[5]') FROM json_each(?2) WHERE true
  ON CONFLICT (day, feed, kind, name, feed_id) DO UPDATE SET readers = MAX(readers, excluded.readers), polls = polls + excluded.polls`;

const INSERT_CLIENTS = `INSERT INTO reader_clients (day, feed, name, client)
  SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?2) WHERE true
  ON CONFLICT DO NOTHING`;

/**
 * The day's key, or null when the day no longer takes clients. Only today's is made (by
 * the first writer of the day, the same for every isolate); the day before is read during
 * the grace, never made again once the cron has closed it.
 */
async function dayKey(db: D1Like, day: string, now: number): Promise<CryptoKey | null> {
  const today = utcDay(now);
  if (day !== today && !(day < today && now < midnightAfter(day) + WRITE_GRACE_MS)) return null;
  const read = db.prepare("SELECT key FROM reader_keys WHERE day = ?").bind(day);
  let row: { key: string } | undefined;
  if (day === today) {
    const fresh = hex(crypto.getRandomValues(new Uint8Array(32)).buffer as ArrayBuffer);
    const [, selected] = await db.batch([db.prepare("INSERT INTO reader_keys (day, key) VALUES (?, ?) ON CONFLICT (day) DO NOTHING").bind(day, fresh), read]);
    row = selected!.results[0] as { key: string } | undefined;
  } else {
    row = (await read.first<{ key: string }>()) ?? undefined;
  }
  if (row === undefined) return null;
  const bytes = new Uint8Array(row.key.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(row.key.slice(i * 2, i * 2 + 2), 16);
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** A client as stored: 128 bits of HMAC-SHA256(day key, "address\nUser-Agent"). */
async function clientHash(key: CryptoKey, client: string): Promise<string> {
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(client))).slice(0, 32);
}

export interface Written {
  polls: number;
  /** Clients of a day that no longer took them (an isolate that held its polls past midnight's grace): counted as polls only. */
  late: number;
}

/** Adds one isolate's counts in: sums for polls, the largest for aggregators, distinct clients by hash. */
export async function writeTally(db: D1Like, taken: Taken, now: number): Promise<Written> {
  const statements: D1Statement[] = [];
  const written: Written = { polls: 0, late: 0 };
  for (const [day, feeds] of taken.days) {
    const key = await dayKey(db, day, now);
    const polls: unknown[] = [];
    const sources: unknown[] = [];
    const clients: Promise<unknown>[] = [];
    for (const [feed, t] of feeds) {
      written.polls += t.polls;
      polls.push([feed, t.polls, t.notModified]);
      for (const a of t.aggregators.values()) sources.push([feed, "aggregator", a.name, a.feedId, a.subscribers, a.polls]);
      for (const [name, count] of t.crawlers) sources.push([feed, "crawler", name, "", 0, count]);
      for (const [name, reader] of t.readers) {
        sources.push([feed, "reader", name, "", 0, reader.polls]);
        if (key === null) written.late += reader.clients.size;
        else for (const client of reader.clients) clients.push(clientHash(key, client).then((hash) => [feed, name, hash]));
      }
    }
    for (const json of jsonChunks(polls)) statements.push(db.prepare(UPSERT_POLLS).bind(day, json));
    for (const json of jsonChunks(sources)) statements.push(db.prepare(UPSERT_SOURCES).bind(day, json));
    for (const json of jsonChunks(await Promise.all(clients))) statements.push(db.prepare(INSERT_CLIENTS).bind(day, json));
  }
  // One transaction: the write lands whole or not at all.
  if (statements.length > 0) await db.batch(statements);
  return written;
}

/** The oldest day kept: the last `retentionDays` days, today included. */
export function keptSince(now: number, retentionDays: number): string {
  return utcDay(now - (retentionDays - 1) * DAY_MS);
}

/**
 * The cron's part: closes the days past their grace (each reader product's distinct
 * clients counted into its row, then the hashes and the day's key deleted) and drops
 * what is older than `retentionDays`. Closing twice changes nothing.
 */
export async function closeDays(db: D1Like, now: number, retentionDays: number): Promise<string[]> {
  const keyed = (await db.prepare("SELECT day FROM reader_keys").all<{ day: string }>()).results.map((r) => r.day);
  const closing = keyed.filter((day) => now >= midnightAfter(day) + CLOSE_AFTER_MS);
  const statements: D1Statement[] = [];
  for (const day of closing) {
    statements.push(
      db
        .prepare(
          `UPDATE reader_sources SET readers = MAX(readers, (SELECT COUNT(*) FROM reader_clients c
             WHERE c.day = reader_sources.day AND c.feed = reader_sources.feed AND c.name = reader_sources.name))
           WHERE day = ?1 AND kind = 'reader' AND EXISTS (SELECT 1 FROM reader_keys WHERE day = ?1)`,
        )
        .bind(day),
      db.prepare("DELETE FROM reader_clients WHERE day = ?").bind(day),
      db.prepare("DELETE FROM reader_keys WHERE day = ?").bind(day),
    );
  }
  // Hashes of a closed day (a write that raced its close) tell no one apart: a range of the key, not a scan.
  const open = keyed.filter((day) => !closing.includes(day)).sort()[0] ?? utcDay(now - WRITE_GRACE_MS);
  statements.push(db.prepare("DELETE FROM reader_clients WHERE day < ?").bind(open));
  const oldest = keptSince(now, retentionDays);
  statements.push(db.prepare("DELETE FROM reader_polls WHERE day < ?").bind(oldest), db.prepare("DELETE FROM reader_sources WHERE day < ?").bind(oldest));
  await db.batch(statements);
  return closing;
}

/**
 * The own hub's active subscriptions per feed, as of now: today's row of each feed, written
 * only where the count changed (the cron runs every minute), 0 for feeds that had some and have none.
 */
export async function recordHubSubscribers(db: D1Like, now: number, counts: ReadonlyMap<string, number>): Promise<void> {
  const day = utcDay(now);
  const rows = JSON.stringify([...counts]);
  await db.batch([
    db
      .prepare(
        `UPDATE reader_sources SET readers = 0 WHERE day = ? AND kind = 'hub' AND readers <> 0
         AND feed NOT IN (SELECT json_extract(value, '$[0]') FROM json_each(?))`,
      )
      .bind(day, rows),
    db
      .prepare(
        `INSERT INTO reader_sources (day, feed, kind, name, feed_id, readers, polls)
         SELECT ?, json_extract(value, '$[0]'), 'hub', 'WebSub hub', '', json_extract(value, '$[1]'), 0 FROM json_each(?) WHERE true
         ON CONFLICT (day, feed, kind, name, feed_id) DO UPDATE SET readers = excluded.readers WHERE readers <> excluded.readers`,
      )
      .bind(day, rows),
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
