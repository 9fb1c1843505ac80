/**
 * The site's own WebSub hub (W3C WebSub Recommendation §5–8): one Durable Object for the
 * worker, with SQLite storage holding the subscriptions, the newest version of every
 * subscribed feed, and which subscriber still waits for it. Deliveries are handed over, in
 * the object's alarm, to COURIERS courier objects (src/websub/courier-object.ts) chosen by
 * each callback's fingerprint, which send and retry them on alarms of their own and report
 * back: a fan-out to thousands runs on many invocations at once, and one slow subscriber
 * holds up only its own courier's run. A version is stored here before anything is
 * handed over, and a subscriber stays pending here until its courier has taken the
 * delivery, so an object evicted mid-fan-out loses nothing (at least once).
 *
 * Order: only the newest version of a feed is handed over; a courier replaces an older
 * version with a newer one and never sends two to one subscriber at once.
 */
import { DurableObject } from "cloudflare:workers";
import type { HubLimits } from "../config/settings";
import { fingerprint, sha256Hex } from "../text/hash";
import { sendDenial, verifyIntent } from "./callbacks";
import type { Admission, CourierApi, FeedVersion, Handed, HandedBody, HubApi, IntentRequest, Outcome, SubscriptionView } from "./hub-api";

/** Courier objects the subscribers are spread over (by callback): each has its own 6 connections and subrequests. */
export const COURIERS = 8;
/** Subscribers handed over per alarm run (each hand-over is one call per courier). */
const HANDED_PER_RUN = 2_000;
/** Feed bodies per call to a courier: bounded, whatever the number of subscribed feeds. */
const HAND_OVER_BYTES = 4 * 1024 * 1024;
/** After a courier could not take a hand-over (or an ended subscription), when it is tried again. */
const HAND_OVER_RETRY_MS = 10_000;
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
  -- The topic's version still to be handed to the subscriber's courier, or NULL.
  pending INTEGER,
  next_attempt INTEGER NOT NULL DEFAULT 0,
  -- The last version handed to its courier, and the last its courier reported done (delivered or given up).
  delivering INTEGER,
  done INTEGER,
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
-- Ended subscriptions whose courier has not yet confirmed it dropped their deliveries.
CREATE TABLE IF NOT EXISTS ended (topic TEXT NOT NULL, callback TEXT NOT NULL, PRIMARY KEY (topic, callback));
`;

/** Requests per client address in the current minute; kept in memory only, so no address outlives the minute or the object. */
interface Window {
  minute: number;
  count: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const sha256 = (body: ArrayBuffer) => sha256Hex(new Uint8Array(body));

interface CourierBinding {
  HUB_COURIER: { idFromName(name: string): DurableObjectId; get(id: DurableObjectId): CourierApi };
}

/** The courier of a subscriber: always the same one for one callback. */
export function courierOf(callback: string): string {
  return `courier-${Number.parseInt(fingerprint(new TextEncoder().encode(callback)).slice(0, 8), 16) % COURIERS}`;
}

/** Items grouped by their subscriber's courier. */
function byCourier<T extends { callback: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = courierOf(item.callback);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [item]);
    else group.push(item);
  }
  return groups;
}

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
      await this.forget([{ topic: request.topic, callback: request.callback }]);
      await this.scheduleAlarm();
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
    // Subscribed again before its courier heard that it had ended: nothing to tell it now.
    this.sql.exec("DELETE FROM ended WHERE topic = ? AND callback = ?", request.topic, request.callback);
    // A renewal while a delivery waits for its retry: handed over again, so that the retry is
    // signed with the secret the subscriber now holds, and sent at once (it is back).
    this.sql.exec(
      `UPDATE subscriptions SET pending = COALESCE(pending, delivering), next_attempt = ?
       WHERE topic = ? AND callback = ? AND delivering IS NOT NULL AND delivering > COALESCE(done, 0)`,
      now,
      request.topic,
      request.callback,
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
        // The same bytes as now (a re-render, the cron's check): nothing new.
        if (recent[0] === hash) continue;
        const known = (current?.content_version as number | null | undefined) ?? null;
        if (version.contentVersion === null || known === null) {
          // The bundled mode has no order of versions: bytes seen lately are an old worker's
          // during a gradual deploy, not news (a rollback to them is not pushed; the next change is).
          if (recent.includes(hash)) continue;
        } else if (version.contentVersion < known && recent.includes(hash)) {
          // A late copy (a cron that read the feed before a write, a slow isolate): never sent
          // after the newer. Bytes at a newer version are sent even if seen before (a delete
          // that brings a feed back to an earlier state), and unseen bytes at a lower version
          // are news too (a new database counts its versions from 0 again).
          continue;
        }
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
            .exec("UPDATE subscriptions SET pending = ?, next_attempt = ? WHERE topic = ? AND lease_end > ? RETURNING 1", next, now, version.topic, now)
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

  async report(outcomes: Outcome[]): Promise<void> {
    for (const o of outcomes) {
      if (o.gone) {
        this.sql.exec("DELETE FROM subscriptions WHERE topic = ? AND callback = ?", o.topic, o.callback);
        continue;
      }
      // `done` only grows: a report may come before the hand-over that sent it is recorded.
      this.sql.exec(
        `UPDATE subscriptions SET last_status = ?, last_delivery = CASE WHEN ? THEN ? ELSE last_delivery END,
         done = CASE WHEN ? THEN MAX(COALESCE(done, 0), ?) ELSE done END WHERE topic = ? AND callback = ?`,
        o.status,
        o.status.startsWith("delivered") ? 1 : 0,
        o.at,
        o.done ? 1 : 0,
        o.version,
        o.topic,
        o.callback,
      );
    }
  }

  async list(): Promise<SubscriptionView[]> {
    return this.sql
      .exec(
        "SELECT topic, host, lease_end, last_delivery, last_status, pending, delivering, done FROM subscriptions WHERE lease_end > ? ORDER BY topic, host, callback",
        Date.now(),
      )
      .toArray()
      .map((row) => ({
        topic: row.topic as string,
        callbackHost: row.host as string,
        leaseEnd: iso(row.lease_end as number)!,
        lastDelivery: iso(row.last_delivery as number | null),
        lastStatus: row.last_status as string | null,
        pending: row.pending !== null || (row.delivering !== null && (row.delivering as number) > ((row.done as number | null) ?? 0)),
      }));
  }

  async subscriberCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const row of this.sql.exec("SELECT topic, COUNT(*) AS n FROM subscriptions WHERE lease_end > ? GROUP BY topic", Date.now()))
      counts[row.topic as string] = row.n as number;
    return counts;
  }

  async syncedVersion(): Promise<string | null> {
    return (this.sql.exec("SELECT value FROM state WHERE key = 'synced'").toArray()[0]?.value as string | undefined) ?? null;
  }

  async markSynced(version: string): Promise<void> {
    this.sql.exec("INSERT INTO state (key, value) VALUES ('synced', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", version);
  }

  /** Removes expired subscriptions, hands what is due to the couriers, and sets the next alarm. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const expired = this.sql.exec("DELETE FROM subscriptions WHERE lease_end <= ? RETURNING topic, callback", now).toArray();
    for (const row of expired) this.sql.exec("INSERT INTO ended (topic, callback) VALUES (?, ?) ON CONFLICT DO NOTHING", row.topic, row.callback);
    // The expired ones, with what earlier calls could not tell the couriers: one call per courier.
    await this.tellCouriers();
    const due = this.sql
      .exec(
        "SELECT topic, callback, secret, pending FROM subscriptions WHERE pending IS NOT NULL AND next_attempt <= ? ORDER BY next_attempt LIMIT ?",
        now,
        HANDED_PER_RUN,
      )
      .toArray()
      .map((row) => ({ topic: row.topic as string, callback: row.callback as string, secret: row.secret as string | null, version: row.pending as number }));
    await Promise.all([...byCourier(due)].map(([name, items]) => this.handOver(name, items)));
    await this.scheduleAlarm();
  }

  /** Hands `items` to the courier `name` with the bodies they need; once it has them, they are its to deliver. */
  /**
   * Hands `offered` to the courier `name` with the bodies they need, in calls of at most
   * HAND_OVER_BYTES of bodies each (a call and an object's memory are bounded); once the
   * courier has a call's deliveries, they are its to deliver.
   */
  private async handOver(name: string, offered: Handed[]): Promise<void> {
    const byTopic = new Map<string, Handed[]>();
    for (const item of offered) {
      const list = byTopic.get(item.topic);
      if (list === undefined) byTopic.set(item.topic, [item]);
      else list.push(item);
    }
    let bodies: HandedBody[] = [];
    let items: Handed[] = [];
    let bytes = 0;
    for (const [topic, waiting] of byTopic) {
      const row = this.sql.exec("SELECT version, content_type, body FROM topics WHERE topic = ?", topic).toArray()[0];
      if (row === undefined) {
        // A subscriber is marked pending only with its feed's version stored; a feed with none
        // (a topics row lost, say) is cleared rather than handed over with nothing to send.
        for (const i of waiting)
          this.sql.exec("UPDATE subscriptions SET pending = NULL WHERE topic = ? AND callback = ? AND pending = ?", i.topic, i.callback, i.version);
        continue;
      }
      const body = row.body as ArrayBuffer;
      if (bytes > 0 && bytes + body.byteLength > HAND_OVER_BYTES) {
        await this.send(name, bodies, items);
        bodies = [];
        items = [];
        bytes = 0;
      }
      bodies.push({ topic, version: row.version as number, contentType: row.content_type as string, body });
      items.push(...waiting);
      bytes += body.byteLength;
    }
    if (items.length > 0) await this.send(name, bodies, items);
  }

  private async send(name: string, bodies: HandedBody[], items: Handed[]): Promise<void> {
    try {
      await this.courier(name).enqueue(bodies, items);
    } catch (error) {
      console.error(
        `websub hub: ${name} could not take ${items.length} deliveries (${(error as Error).message}); trying again in ${HAND_OVER_RETRY_MS / 1000} s`,
      );
      for (const i of items) {
        this.sql.exec(
          "UPDATE subscriptions SET next_attempt = ? WHERE topic = ? AND callback = ? AND pending = ?",
          Date.now() + HAND_OVER_RETRY_MS,
          i.topic,
          i.callback,
          i.version,
        );
      }
      return;
    }
    for (const i of items) {
      // A newer version that arrived meanwhile stays pending, to be handed over next.
      this.sql.exec(
        "UPDATE subscriptions SET pending = NULL, delivering = ? WHERE topic = ? AND callback = ? AND pending = ?",
        i.version,
        i.topic,
        i.callback,
        i.version,
      );
    }
  }

  private courier(name: string): CourierApi {
    const couriers = (this.env as unknown as CourierBinding).HUB_COURIER;
    return couriers.get(couriers.idFromName(name));
  }

  /**
   * Ends subscriptions at their couriers: the couriers drop what they hold for them. Kept
   * in `ended` until the courier has it, and told again at each alarm until then, so that
   * no retry reaches a callback that unsubscribed, however the first call fared.
   */
  private async forget(ended: { topic: string; callback: string }[]): Promise<void> {
    if (ended.length === 0) return;
    for (const { topic, callback } of ended) this.sql.exec("INSERT INTO ended (topic, callback) VALUES (?, ?) ON CONFLICT DO NOTHING", topic, callback);
    await this.tellCouriers();
  }

  /** One call per courier with its ended subscriptions (subrequests are counted), whatever their number. */
  private async tellCouriers(): Promise<void> {
    const ended = this.sql
      .exec("SELECT topic, callback FROM ended LIMIT ?", HANDED_PER_RUN)
      .toArray()
      .map((row) => ({ topic: row.topic as string, callback: row.callback as string }));
    await Promise.all(
      [...byCourier(ended)].map(async ([name, list]) => {
        try {
          await this.courier(name).forget(list);
        } catch (error) {
          console.error(
            `websub hub: could not tell ${name} that ${list.length} subscription(s) ended (${(error as Error).message}); trying again in ${HAND_OVER_RETRY_MS / 1000} s`,
          );
          return;
        }
        for (const { topic, callback } of list) this.sql.exec("DELETE FROM ended WHERE topic = ? AND callback = ?", topic, callback);
      }),
    );
  }

  /** The alarm at the next hand-over, lease end or retry of an ended subscription's news, or none. */
  private async scheduleAlarm(): Promise<void> {
    const row = this.sql
      .exec(
        `SELECT MIN(t) AS at FROM (
           SELECT MIN(next_attempt) AS t FROM subscriptions WHERE pending IS NOT NULL
           UNION ALL SELECT MIN(lease_end) FROM subscriptions)`,
      )
      .one();
    const untold = this.sql.exec("SELECT EXISTS (SELECT 1 FROM ended) AS e").one().e === 1;
    const at = untold ? Math.min((row.at as number | null) ?? Number.POSITIVE_INFINITY, Date.now() + HAND_OVER_RETRY_MS) : (row.at as number | null);
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(at, Date.now()));
  }
}
