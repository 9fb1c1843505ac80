/**
 * The site's own WebSub hub (W3C WebSub Recommendation §5–8): one Durable Object per site
 * origin, with SQLite storage holding the subscriptions, the newest version of every
 * subscribed feed, and which subscriber still waits for it. Deliveries run in the object's
 * alarm, at most DELIVERIES_PER_RUN an invocation (the Free plan allows 50 subrequests)
 * and IN_FLIGHT at once (a Worker opens 6 connections at a time); what is left sets the
 * alarm again at once, so a fan-out to thousands is split across invocations. Everything is
 * in durable storage before the alarm is set, so an object evicted mid-fan-out loses
 * nothing: the next alarm delivers what was not confirmed (at least once).
 *
 * Order: a subscriber is sent only the newest version, and never two at once (alarms of
 * one object do not overlap); a version that lands while an older one is in flight is
 * delivered after it. So no subscriber receives an older document after a newer one.
 */
import { DurableObject } from "cloudflare:workers";
import type { HubLimits } from "../config/settings";
import { sha256Hex } from "../text/hash";
import { HUB_PATH } from "../urls";
import { deliver, RETRY_DELAYS_S, sendDenial, verifyIntent } from "./callbacks";
import type { Admission, FeedVersion, HubApi, IntentRequest, SubscriptionView } from "./hub-api";

/** Deliveries per alarm invocation: under the Free plan's 50 subrequests, with room for verifications. */
const DELIVERIES_PER_RUN = 40;
/** Deliveries in flight at once: a Worker has 6 simultaneous connections. */
const IN_FLIGHT = 6;
/** Versions of a feed whose bytes are remembered: a late copy of any of them is never sent again. */
const RECENT = 8;
/** Durable Object SQLite stores at most 2 MB in a row: a feed larger than this is not taken (one log line). */
const MAX_FEED_BYTES = 1_900_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS subscriptions (
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  host TEXT NOT NULL,
  secret TEXT,
  lease_end INTEGER NOT NULL,
  -- The topic's version still to be delivered, or NULL when the subscriber has the newest.
  pending INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL DEFAULT 0,
  last_delivery INTEGER,
  last_status TEXT,
  PRIMARY KEY (topic, callback)
);
CREATE INDEX IF NOT EXISTS subscriptions_due ON subscriptions (next_attempt) WHERE pending IS NOT NULL;
CREATE INDEX IF NOT EXISTS subscriptions_host ON subscriptions (host);
CREATE INDEX IF NOT EXISTS subscriptions_lease ON subscriptions (lease_end);
CREATE TABLE IF NOT EXISTS topics (
  topic TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  hash TEXT NOT NULL,
  -- The hashes of the last RECENT versions, space-separated: bytes seen before are old news.
  recent TEXT NOT NULL,
  -- The content version the bytes were served at (D1 mode), or NULL: an older one is dropped.
  content_version INTEGER,
  content_type TEXT NOT NULL,
  body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

interface DueRow {
  topic: string;
  callback: string;
  secret: string | null;
  pending: number;
  attempts: number;
  body: ArrayBuffer;
  content_type: string;
  [key: string]: SqlStorageValue;
}

/** Requests per client address in the current minute; kept in memory only, so no address outlives the minute or the object. */
interface Window {
  minute: number;
  count: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const sha256 = (body: ArrayBuffer) => sha256Hex(new Uint8Array(body));

export class WebSubHub extends DurableObject implements HubApi {
  private readonly windows = new Map<string, Window>();

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  async allow(client: string, perMinute: number): Promise<boolean> {
    const minute = Math.floor(Date.now() / 60_000);
    const window = this.windows.get(client);
    if (window === undefined || window.minute !== minute) {
      // Old minutes are dropped as they pass: the map holds this minute's clients only.
      for (const [key, w] of this.windows) if (w.minute !== minute) this.windows.delete(key);
      this.windows.set(client, { minute, count: 1 });
      return true;
    }
    return ++window.count <= perMinute;
  }

  async admit(request: IntentRequest, limits: HubLimits): Promise<Admission> {
    return request.mode === "unsubscribe" ? { admitted: true } : this.capsAllow(request, limits);
  }

  private capsAllow(request: IntentRequest, limits: HubLimits): Admission {
    const now = Date.now();
    const exists =
      this.sql.exec("SELECT 1 FROM subscriptions WHERE topic = ? AND callback = ? AND lease_end > ?", request.topic, request.callback, now).toArray().length >
      0;
    // Renewing a subscription adds none.
    if (exists) return { admitted: true };
    const perTopic = this.sql.exec("SELECT COUNT(*) AS n FROM subscriptions WHERE topic = ? AND lease_end > ?", request.topic, now).one().n as number;
    if (perTopic >= limits.perTopic) return { admitted: false, status: 403, reason: `this feed has the most subscriptions the hub takes (${limits.perTopic})` };
    const host = new URL(request.callback).host;
    const perHost = this.sql.exec("SELECT COUNT(*) AS n FROM subscriptions WHERE host = ? AND lease_end > ?", host, now).one().n as number;
    if (perHost >= limits.perHost)
      return { admitted: false, status: 403, reason: `callbacks on ${host} have the most subscriptions the hub takes (${limits.perHost})` };
    return { admitted: true };
  }

  async verify(request: IntentRequest, limits: HubLimits): Promise<string> {
    const refused = await verifyIntent(request);
    if (refused !== null) {
      console.error(`websub hub: ${request.mode} of ${new URL(request.callback).host} to ${request.topic} not verified: ${refused}`);
      return `not verified: ${refused}`;
    }
    const now = Date.now();
    if (request.mode === "unsubscribe") {
      this.sql.exec("DELETE FROM subscriptions WHERE topic = ? AND callback = ?", request.topic, request.callback);
      return "unsubscribed";
    }
    // Checked again: other subscriptions may have been verified while this one waited on its
    // callback. The subscriber believes itself subscribed: WebSub §5.2 has it told otherwise.
    const caps = this.capsAllow(request, limits);
    if (!caps.admitted) {
      console.error(`websub hub: subscription of ${new URL(request.callback).host} to ${request.topic} refused after verification: ${caps.reason}`);
      await sendDenial(request.callback, request.topic, caps.reason);
      return `refused: ${caps.reason}`;
    }
    const leaseEnd = now + request.leaseSeconds * 1000;
    this.sql.exec(
      `INSERT INTO subscriptions (topic, callback, host, secret, lease_end) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (topic, callback) DO UPDATE SET secret = excluded.secret, lease_end = excluded.lease_end`,
      request.topic,
      request.callback,
      new URL(request.callback).host,
      request.secret,
      leaseEnd,
    );
    await this.scheduleAlarm();
    return "subscribed";
  }

  async subscribedTopics(): Promise<string[]> {
    return this.sql
      .exec("SELECT DISTINCT topic FROM subscriptions WHERE lease_end > ? ORDER BY topic", Date.now())
      .toArray()
      .map((row) => row.topic as string);
  }

  async publish(versions: FeedVersion[]): Promise<number> {
    const now = Date.now();
    let scheduled = 0;
    try {
      for (const version of versions) {
        if (version.body.byteLength > MAX_FEED_BYTES) {
          console.error(`websub hub: ${version.topic} is ${version.body.byteLength} bytes, more than the hub stores (${MAX_FEED_BYTES}); not delivered`);
          continue;
        }
        const hash = await sha256(version.body);
        const current = this.sql.exec("SELECT version, recent, content_version FROM topics WHERE topic = ?", version.topic).toArray()[0];
        const recent = ((current?.recent as string | undefined) ?? "").split(" ").filter((h) => h !== "");
        // The same bytes as a recent version (a re-render, the cron's check, an old worker during a deploy): nothing new.
        if (recent.includes(hash)) continue;
        // Served at an older content version than the one delivered (a late publisher): never sent after the newer.
        const known = (current?.content_version as number | null | undefined) ?? null;
        if (known !== null && version.contentVersion !== null && version.contentVersion < known) continue;
        const next = current === undefined ? 1 : (current.version as number) + 1;
        this.ctx.storage.transactionSync(() => {
          this.sql.exec(
            `INSERT INTO topics (topic, version, hash, recent, content_version, content_type, body) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (topic) DO UPDATE SET version = excluded.version, hash = excluded.hash, recent = excluded.recent,
             content_version = excluded.content_version, content_type = excluded.content_type, body = excluded.body`,
            version.topic,
            next,
            hash,
            [hash, ...recent].slice(0, RECENT).join(" "),
            version.contentVersion ?? known,
            version.contentType,
            version.body,
          );
          // A newer version replaces a pending older one, and starts its retries afresh.
          scheduled += this.sql
            .exec(
              "UPDATE subscriptions SET pending = ?, attempts = 0, next_attempt = ? WHERE topic = ? AND lease_end > ? RETURNING 1",
              next,
              now,
              version.topic,
              now,
            )
            .toArray().length;
        });
      }
    } finally {
      // Whatever was marked pending before a failure is sent.
      if (scheduled > 0) await this.scheduleAlarm();
    }
    return scheduled;
  }

  async remember(version: FeedVersion): Promise<void> {
    if (version.body.byteLength > MAX_FEED_BYTES) return;
    const hash = await sha256(version.body);
    this.sql.exec(
      "INSERT INTO topics (topic, version, hash, recent, content_version, content_type, body) VALUES (?, 1, ?, ?, ?, ?, ?) ON CONFLICT (topic) DO NOTHING",
      version.topic,
      hash,
      hash,
      version.contentVersion,
      version.contentType,
      version.body,
    );
  }

  async list(): Promise<SubscriptionView[]> {
    return this.sql
      .exec(
        "SELECT topic, host, lease_end, last_delivery, last_status, pending FROM subscriptions WHERE lease_end > ? ORDER BY topic, host, callback",
        Date.now(),
      )
      .toArray()
      .map((row) => ({
        topic: row.topic as string,
        callbackHost: row.host as string,
        leaseEnd: iso(row.lease_end as number)!,
        lastDelivery: iso(row.last_delivery as number | null),
        lastStatus: row.last_status as string | null,
        pending: row.pending !== null,
      }));
  }

  async syncedVersion(): Promise<string | null> {
    return (this.sql.exec("SELECT value FROM state WHERE key = 'synced'").toArray()[0]?.value as string | undefined) ?? null;
  }

  async markSynced(version: string): Promise<void> {
    this.sql.exec("INSERT INTO state (key, value) VALUES ('synced', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", version);
  }

  /** Removes expired subscriptions, delivers what is due (a slice of it), and sets the next alarm. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec("DELETE FROM subscriptions WHERE lease_end <= ?", now);
    const due = this.sql
      .exec<DueRow>(
        `SELECT s.topic, s.callback, s.secret, s.pending, s.attempts, t.body, t.content_type
         FROM subscriptions s JOIN topics t ON t.topic = s.topic
         WHERE s.pending IS NOT NULL AND s.next_attempt <= ? ORDER BY s.next_attempt LIMIT ?`,
        now,
        DELIVERIES_PER_RUN,
      )
      .toArray();
    let next = 0;
    const work = async () => {
      for (let row = due[next++]; row !== undefined; row = due[next++]) await this.deliverOne(row);
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, due.length) }, work));
    await this.scheduleAlarm();
  }

  private async deliverOne(row: DueRow): Promise<void> {
    const hub = `${new URL(row.topic).origin}${HUB_PATH}`;
    const answer = await deliver({ callback: row.callback, secret: row.secret, topic: row.topic, hub, body: row.body, contentType: row.content_type });
    const now = Date.now();
    if (answer.ok) {
      // Only the version sent is done: one that arrived meanwhile stays pending.
      this.sql.exec(
        `UPDATE subscriptions SET pending = CASE WHEN pending = ? THEN NULL ELSE pending END, attempts = 0,
         last_delivery = ?, last_status = ? WHERE topic = ? AND callback = ?`,
        row.pending,
        now,
        `delivered (${answer.status})`,
        row.topic,
        row.callback,
      );
      return;
    }
    const host = new URL(row.callback).host;
    if (answer.gone) {
      // WebSub §7: 410 Gone ends the subscription.
      this.sql.exec("DELETE FROM subscriptions WHERE topic = ? AND callback = ?", row.topic, row.callback);
      console.error(`websub hub: ${host} answered 410 Gone for ${row.topic}; its subscription ended`);
      return;
    }
    const delay = RETRY_DELAYS_S[row.attempts];
    if (delay === undefined) {
      this.sql.exec(
        "UPDATE subscriptions SET pending = NULL, attempts = 0, last_status = ? WHERE topic = ? AND callback = ? AND pending = ?",
        `gave up: ${answer.detail}`,
        row.topic,
        row.callback,
        row.pending,
      );
      console.error(`websub hub: gave up delivering ${row.topic} to ${host} after ${row.attempts + 1} tries: ${answer.detail}`);
      return;
    }
    // Unless a newer version arrived meanwhile (then it is due at once, with its own tries).
    this.sql.exec(
      "UPDATE subscriptions SET attempts = attempts + 1, next_attempt = ?, last_status = ? WHERE topic = ? AND callback = ? AND pending = ?",
      now + delay * 1000,
      `retrying: ${answer.detail}`,
      row.topic,
      row.callback,
      row.pending,
    );
    console.error(`websub hub: delivery of ${row.topic} to ${host} failed (${answer.detail}); retry ${row.attempts + 1} in ${delay} s`);
  }

  /** The alarm at the next due delivery or lease end, or none. */
  private async scheduleAlarm(): Promise<void> {
    const row = this.sql
      .exec(
        `SELECT MIN(t) AS at FROM (
           SELECT MIN(next_attempt) AS t FROM subscriptions WHERE pending IS NOT NULL
           UNION ALL SELECT MIN(lease_end) FROM subscriptions)`,
      )
      .one();
    if (row.at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(row.at as number, Date.now()));
  }
}
