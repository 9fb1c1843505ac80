/**
 * One of the own hub's couriers: a Durable Object that delivers feed versions to the
 * subscribers the hub (src/websub/hub-object.ts) hands it, retries them, and reports each
 * outcome back. Subscribers are spread over COURIERS objects by their callback, each with
 * its own alarm, its own 6 connections and its own subrequests: a subscriber that hangs
 * holds up only the deliveries of its own courier's run, not the fan-out.
 *
 * Order: a courier holds one row per (feed, subscriber) with the version to send; a newer
 * version replaces an older one, and a delivery in flight clears its row only if no newer
 * version arrived meanwhile, so the newer one is sent after it, never before.
 */
import { DurableObject } from "cloudflare:workers";
import { HUB_PATH } from "../urls";
import { deliver, RETRY_DELAYS_S } from "./callbacks";
import type { Handed, HandedBody, HubApi, Outcome } from "./hub-api";

/** Deliveries per alarm invocation: under the Free plan's 50 subrequests, with one left for the report. */
const DELIVERIES_PER_RUN = 40;
/** Deliveries in flight at once: a Worker has 6 simultaneous connections. */
const IN_FLIGHT = 6;
/** Outcomes sent to the hub in one report, and how soon a report that failed is tried again. */
const REPORT_BATCH = 500;
const REPORT_RETRY_MS = 10_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  secret TEXT,
  version INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL,
  PRIMARY KEY (topic, callback)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_attempt);
CREATE TABLE IF NOT EXISTS bodies (topic TEXT PRIMARY KEY, version INTEGER NOT NULL, content_type TEXT NOT NULL, body BLOB NOT NULL);
-- Outcomes not yet reported to the hub: written with the delivery's own change, sent after each run until the hub has them.
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  version INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status TEXT NOT NULL,
  done INTEGER NOT NULL,
  gone INTEGER NOT NULL
);
`;

interface DueRow {
  topic: string;
  callback: string;
  secret: string | null;
  version: number;
  attempts: number;
  body: ArrayBuffer;
  content_type: string;
  [key: string]: SqlStorageValue;
}

interface HubBinding {
  HUB: { idFromName(name: string): DurableObjectId; get(id: DurableObjectId): HubApi };
}

export class WebSubCourier extends DurableObject {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  /** Takes deliveries over from the hub (with the bodies they need); each replaces an older version of its row, or the same one handed again (a renewed subscription: its secret, and a retry at once). */
  async enqueue(bodies: HandedBody[], items: Handed[]): Promise<void> {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const b of bodies) {
        this.sql.exec(
          `INSERT INTO bodies (topic, version, content_type, body) VALUES (?, ?, ?, ?)
           ON CONFLICT (topic) DO UPDATE SET version = excluded.version, content_type = excluded.content_type, body = excluded.body
           WHERE excluded.version > bodies.version`,
          b.topic,
          b.version,
          b.contentType,
          b.body,
        );
      }
      for (const item of items) {
        this.sql.exec(
          `INSERT INTO deliveries (topic, callback, secret, version, next_attempt) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (topic, callback) DO UPDATE SET secret = excluded.secret, version = excluded.version, attempts = 0, next_attempt = excluded.next_attempt
           WHERE excluded.version >= deliveries.version`,
          item.topic,
          item.callback,
          item.secret,
          item.version,
          now,
        );
      }
    });
    await this.scheduleAlarm();
  }

  /** Unsubscribed or expired subscriptions: nothing more is sent to them. */
  async forget(ended: { topic: string; callback: string }[]): Promise<void> {
    for (const { topic, callback } of ended) this.sql.exec("DELETE FROM deliveries WHERE topic = ? AND callback = ?", topic, callback);
  }

  /** Delivers what is due (a slice of it), reports the outcomes to the hub, and sets the next alarm. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.sql
      .exec<DueRow>(
        `SELECT d.topic, d.callback, d.secret, d.version, d.attempts, b.body, b.content_type
         FROM deliveries d JOIN bodies b ON b.topic = d.topic
         WHERE d.next_attempt <= ? ORDER BY d.next_attempt LIMIT ?`,
        now,
        DELIVERIES_PER_RUN,
      )
      .toArray();
    let next = 0;
    const work = async () => {
      for (let row = due[next++]; row !== undefined; row = due[next++]) await this.deliverOne(row);
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, due.length) }, work));
    this.sql.exec("DELETE FROM bodies WHERE topic NOT IN (SELECT topic FROM deliveries)");
    await this.report();
    await this.scheduleAlarm();
  }

  /** Sends the hub what the outbox holds; what it could not send stays for the next alarm. */
  private async report(): Promise<void> {
    const rows = this.sql.exec("SELECT * FROM outbox ORDER BY id LIMIT ?", REPORT_BATCH).toArray();
    if (rows.length === 0) return;
    const outcomes: Outcome[] = rows.map((r) => ({
      topic: r.topic as string,
      callback: r.callback as string,
      version: r.version as number,
      at: r.at as number,
      status: r.status as string,
      done: r.done === 1,
      gone: r.gone === 1,
    }));
    const hubs = (this.env as unknown as HubBinding).HUB;
    try {
      await hubs.get(hubs.idFromName("hub")).report(outcomes);
      this.sql.exec("DELETE FROM outbox WHERE id <= ?", rows.at(-1)!.id);
    } catch (error) {
      // The deliveries stand; GET /api/hub's view of them (and a 410's end) waits for the next try.
      console.error(`websub hub: a courier could not report ${outcomes.length} outcome(s) to the hub (${(error as Error).message}); trying again`);
    }
  }

  /** The outcome, kept in the outbox with the same (synchronous, so atomic) step as the delivery's own change. */
  private record(outcome: Outcome): void {
    this.sql.exec(
      "INSERT INTO outbox (topic, callback, version, at, status, done, gone) VALUES (?, ?, ?, ?, ?, ?, ?)",
      outcome.topic,
      outcome.callback,
      outcome.version,
      outcome.at,
      outcome.status,
      outcome.done ? 1 : 0,
      outcome.gone ? 1 : 0,
    );
  }

  private async deliverOne(row: DueRow): Promise<void> {
    const hub = `${new URL(row.topic).origin}${HUB_PATH}`;
    const answer = await deliver({ callback: row.callback, secret: row.secret, topic: row.topic, hub, body: row.body, contentType: row.content_type });
    const now = Date.now();
    const outcome = { topic: row.topic, callback: row.callback, version: row.version, at: now };
    if (answer.ok) {
      // Only the version sent is done: one that arrived meanwhile stays.
      this.sql.exec("DELETE FROM deliveries WHERE topic = ? AND callback = ? AND version = ?", row.topic, row.callback, row.version);
      this.record({ ...outcome, status: `delivered (${answer.status})`, done: true, gone: false });
      return;
    }
    const host = new URL(row.callback).host;
    if (answer.gone) {
      // WebSub §7: 410 Gone ends the subscription (the hub removes it on the report).
      this.sql.exec("DELETE FROM deliveries WHERE topic = ? AND callback = ?", row.topic, row.callback);
      console.error(`websub hub: ${host} answered 410 Gone for ${row.topic}; its subscription ended`);
      this.record({ ...outcome, status: "gone (410)", done: true, gone: true });
      return;
    }
    const delay = RETRY_DELAYS_S[row.attempts];
    if (delay === undefined) {
      this.sql.exec("DELETE FROM deliveries WHERE topic = ? AND callback = ? AND version = ?", row.topic, row.callback, row.version);
      console.error(`websub hub: gave up delivering ${row.topic} to ${host} after ${row.attempts + 1} tries: ${answer.detail}`);
      this.record({ ...outcome, status: `gave up: ${answer.detail}`, done: true, gone: false });
      return;
    }
    // Unless a newer version arrived meanwhile (then it is due at once, with its own tries).
    this.sql.exec(
      "UPDATE deliveries SET attempts = attempts + 1, next_attempt = ? WHERE topic = ? AND callback = ? AND version = ?",
      now + delay * 1000,
      row.topic,
      row.callback,
      row.version,
    );
    console.error(`websub hub: delivery of ${row.topic} to ${host} failed (${answer.detail}); retry ${row.attempts + 1} in ${delay} s`);
    this.record({ ...outcome, status: `retrying: ${answer.detail}`, done: false, gone: false });
  }

  private async scheduleAlarm(): Promise<void> {
    const due = this.sql.exec("SELECT MIN(next_attempt) AS at FROM deliveries").one().at as number | null;
    const unreported = this.sql.exec("SELECT COUNT(*) AS n FROM outbox").one().n as number;
    const report = unreported > 0 ? Date.now() + REPORT_RETRY_MS : null;
    const at = due === null ? report : report === null ? due : Math.min(due, report);
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(at, Date.now()));
  }
}
