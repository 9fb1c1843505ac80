/**
 * A subscription request to the own hub (W3C WebSub §5.1), parsed and bounded: a pure
 * function of the form and the site's origin. Whether the topic's feed exists is the
 * content's to say (src/routes/hub.ts).
 */
import { type FeedFormat, type FeedScope, feedPath, parseFeedPath } from "../urls";
import type { IntentRequest } from "./hub-api";

/** Leases (WebSub §5.1: the hub decides): asked-for values are held within these bounds. */
const LEASE_DEFAULT_S = 10 * 86_400;
const LEASE_MIN_S = 3_600;
const LEASE_MAX_S = 30 * 86_400;
/** WebSub §5.1: a hub.secret "MUST be less than 200 bytes". */
const SECRET_MAX_BYTES = 199;
/** Longest callback or topic URL taken. */
const URL_MAX = 2_048;

export type ParsedRequest =
  | { ok: true; request: IntentRequest; feed: { scope: FeedScope; format: FeedFormat } }
  /** `deny`: the callback is sound and should hear the refusal (WebSub §5.2) too. */
  | { ok: false; reason: string; deny: boolean; callback?: string; topic?: string };

function httpUrl(value: string): URL | null {
  if (value.length > URL_MAX) return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

export function parseHubRequest(form: URLSearchParams, origin: string): ParsedRequest {
  const mode = form.get("hub.mode");
  if (mode === "publish") return { ok: false, reason: "this hub takes no publish notices: it publishes the site's own feeds when they change", deny: false };
  if (mode !== "subscribe" && mode !== "unsubscribe") return { ok: false, reason: 'hub.mode must be "subscribe" or "unsubscribe"', deny: false };
  const callbackText = form.get("hub.callback") ?? "";
  const callback = httpUrl(callbackText);
  if (callback === null) return { ok: false, reason: "hub.callback must be an http or https URL of at most 2048 characters", deny: false };
  if (callback.username !== "" || callback.password !== "") return { ok: false, reason: "hub.callback must not carry a user name or password", deny: false };
  const topicText = form.get("hub.topic") ?? "";
  const topic = httpUrl(topicText);
  const feed = topic === null || topic.origin !== origin || topic.search !== "" || topic.hash !== "" ? null : parseFeedPath(topic.pathname);
  if (feed === null) {
    const reason = `hub.topic must be one of this site's feeds, such as ${origin}/rss.xml (pages with ?before= are not topics)`;
    return { ok: false, reason, deny: true, callback: callback.href, topic: topicText.slice(0, URL_MAX) };
  }
  let leaseSeconds = LEASE_DEFAULT_S;
  const lease = form.get("hub.lease_seconds");
  if (lease !== null && lease !== "") {
    if (!/^\d{1,10}$/.test(lease)) return { ok: false, reason: "hub.lease_seconds must be a whole number of seconds", deny: false };
    leaseSeconds = Math.min(LEASE_MAX_S, Math.max(LEASE_MIN_S, Number(lease)));
  }
  const secret = form.get("hub.secret");
  if (secret !== null && new TextEncoder().encode(secret).byteLength > SECRET_MAX_BYTES) {
    return { ok: false, reason: `hub.secret must be at most ${SECRET_MAX_BYTES} bytes`, deny: false };
  }
  return {
    ok: true,
    // The feed's own URL, as it names itself (rel="self"): `…/rss.xml?` or `…#` are the same topic.
    request: {
      mode,
      topic: `${origin}${feedPath(feed.scope, feed.format)}`,
      callback: callback.href,
      leaseSeconds,
      secret: secret === null || secret === "" ? null : secret,
    },
    feed,
  };
}
