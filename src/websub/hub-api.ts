/**
 * What the site's own WebSub hub's Durable Objects answer: the hub (src/websub/hub-object.ts,
 * the HUB binding), as the worker and the couriers call it, and a courier
 * (src/websub/courier-object.ts, HUB_COURIER), as the hub calls it. Plain data only: every
 * value crosses an RPC boundary.
 */
import type { HubLimits } from "../config/settings";

/** A subscriber's request (W3C WebSub §5.1), checked: the topic is one of the site's feeds. */
export interface IntentRequest {
  mode: "subscribe" | "unsubscribe";
  /** The feed's absolute URL, as the feeds name themselves (rel="self"). */
  topic: string;
  /** Where the hub verifies intent and delivers: an http(s) URL without user information. */
  callback: string;
  /** The lease the hub grants (already bounded); unused when unsubscribing. */
  leaseSeconds: number;
  /** The subscriber's HMAC key for X-Hub-Signature (at most 199 bytes, WebSub §5.1), or null. */
  secret: string | null;
}

export type Admission = { admitted: true } | { admitted: false; status: 403; reason: string };

/** One feed's document as the site serves it (identity coding), for the subscribers of `topic`. */
export interface FeedVersion {
  topic: string;
  body: ArrayBuffer;
  contentType: string;
  /** The D1 mode's content version the bytes were served at (it only grows), or null (the bundled mode). */
  contentVersion: number | null;
}

/** One subscription, as `GET /api/hub` lists it: the callback's host only, never its path or secret. */
export interface SubscriptionView {
  topic: string;
  callbackHost: string;
  leaseEnd: string;
  lastDelivery: string | null;
  /** "delivered (204)", "retrying: answered 500", "gave up: …", or null before the first. */
  lastStatus: string | null;
  /** A newer version waits to be delivered (or retried). */
  pending: boolean;
}

/** A feed version a courier (src/websub/courier-object.ts) is handed, once per topic of a hand-over. */
export interface HandedBody {
  topic: string;
  version: number;
  contentType: string;
  body: ArrayBuffer;
}

/** A delivery a courier takes over: the subscriber and the version of its feed it is to get. */
export interface Handed {
  topic: string;
  callback: string;
  secret: string | null;
  version: number;
}

/** What became of a delivery, as a courier reports it to the hub. */
export interface Outcome {
  topic: string;
  callback: string;
  version: number;
  at: number;
  status: string;
  /** Delivered, given up or gone: the version no longer waits. */
  done: boolean;
  /** 410 Gone: the subscription ends. */
  gone: boolean;
}

export interface CourierApi {
  enqueue(bodies: HandedBody[], items: Handed[]): Promise<void>;
  forget(ended: { topic: string; callback: string }[]): Promise<void>;
}

export interface HubApi {
  /** A courier's outcomes: each subscription's last delivery and status; 410 ends it. */
  report(outcomes: Outcome[]): Promise<void>;
  /** Counts a request from `client` (an address, kept for the minute only): false when it is over its rate. */
  allow(client: string, perMinute: number): Promise<boolean>;
  /** Whether a subscription may go on to verification: the caps per feed and per callback host. */
  admit(request: IntentRequest, limits: HubLimits): Promise<Admission>;
  /** Verifies intent with a GET to the callback (WebSub §5.3), then subscribes or unsubscribes. */
  verify(request: IntentRequest, limits: HubLimits): Promise<string>;
  /** The topics with at least one active subscription. */
  subscribedTopics(): Promise<string[]>;
  /** New versions of feeds: each subscriber of a changed one gets it (the newest only). Returns the deliveries scheduled. */
  publish(versions: FeedVersion[]): Promise<number>;
  /** The version a new subscriber starts from, if the hub has none of its feed yet: later changes are told against it. */
  remember(version: FeedVersion): Promise<void>;
  list(): Promise<SubscriptionView[]>;
  /** Active subscriptions per topic (absolute feed URL), for the reader counts. */
  subscriberCounts(): Promise<Record<string, number>>;
  /** The content version whose feeds the hub was last handed in full (the cron's check after a deploy or an import). */
  syncedVersion(): Promise<string | null>;
  markSynced(version: string): Promise<void>;
}
