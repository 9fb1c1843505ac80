/**
 * What the own hub sends to subscribers' callbacks (W3C WebSub §5.3 verification, §5.2
 * denial, §7 content distribution), and how it reads their answers: never more of a body
 * than it needs, never longer than CALLBACK_TIMEOUT_MS.
 */
import { readCapped } from "../http/read-capped";
import { hex } from "../text/hash";
import type { IntentRequest } from "./hub-api";

/** How long a callback may take to answer (the "about 10 s"). */
const CALLBACK_TIMEOUT_MS = 10_000;

/**
 * Delays before each retry of a failed delivery: 14 tries over about 28 hours, so that a
 * subscriber down for a day still gets the newest version (the README states it).
 */
export const RETRY_DELAYS_S = [10, 30, 60, 300, 900, 1800, 3600, 7200, 14_400, 14_400, 14_400, 14_400, 14_400, 14_400] as const;

export type CallbackAnswer = { ok: true; status: number } | { ok: false; gone: boolean; detail: string };

/** Why a callback could not be heard. The runtime's message may quote the callback URL (its path or query could carry a token): not kept. */
function unreachable(error: unknown): string {
  const name = (error as Error).name;
  return name === "TimeoutError" || name === "AbortError" ? `did not answer within ${CALLBACK_TIMEOUT_MS / 1000} s` : "could not be reached";
}

/** The callback URL with the hub's query parameters added to its own (WebSub §5.3). */
function withParams(callback: string, params: Record<string, string>): string {
  const url = new URL(callback);
  for (const [key, value] of Object.entries(params)) url.searchParams.append(key, value);
  return url.href;
}

/**
 * Verification of intent (WebSub §5.3): a GET with a fresh challenge, which the subscriber
 * must echo as the whole body with a 2xx. It carries no secret. Answers null when intent
 * is confirmed, else why not.
 */
export async function verifyIntent(request: IntentRequest): Promise<string | null> {
  const challenge = crypto.randomUUID();
  const params: Record<string, string> = { "hub.mode": request.mode, "hub.topic": request.topic, "hub.challenge": challenge };
  if (request.mode === "subscribe") params["hub.lease_seconds"] = String(request.leaseSeconds);
  try {
    const response = await fetch(withParams(request.callback, params), { signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS), redirect: "manual" });
    // The challenge is 36 characters: a body longer than that by more than a line end is not the echo.
    const body = await readCapped(response.body, challenge.length + 2);
    if (response.status < 200 || response.status > 299) return `the callback answered ${response.status}`;
    if (body === null || new TextDecoder().decode(body).trim() !== challenge) return "the callback did not echo the challenge";
    return null;
  } catch (error) {
    return `the callback ${unreachable(error)}`;
  }
}

/** WebSub §5.2: a subscription the hub will not take is told to the callback, with why. */
export async function sendDenial(callback: string, topic: string, reason: string): Promise<void> {
  try {
    const response = await fetch(withParams(callback, { "hub.mode": "denied", "hub.topic": topic, "hub.reason": reason }), {
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      redirect: "manual",
    });
    await response.body?.cancel();
  } catch {
    // A callback that cannot hear the denial has nothing to lose: no subscription exists.
  }
}

/** `sha256=` and the hex HMAC-SHA256 of the body under the subscriber's secret (WebSub §8). */
async function signature(secret: string, body: ArrayBuffer): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `sha256=${hex(await crypto.subtle.sign("HMAC", key, body))}`;
}

export interface Delivery {
  callback: string;
  secret: string | null;
  topic: string;
  hub: string;
  body: ArrayBuffer;
  contentType: string;
}

/** Content distribution (WebSub §7): the feed's bytes, its type, the hub and self links, and a signature when there is a secret. */
export async function deliver(delivery: Delivery): Promise<CallbackAnswer> {
  const headers: Record<string, string> = {
    "Content-Type": delivery.contentType,
    Link: `<${delivery.hub}>; rel="hub", <${delivery.topic}>; rel="self"`,
  };
  if (delivery.secret !== null) headers["X-Hub-Signature"] = await signature(delivery.secret, delivery.body);
  try {
    const response = await fetch(delivery.callback, {
      method: "POST",
      headers,
      body: delivery.body,
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      redirect: "manual",
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status <= 299) return { ok: true, status: response.status };
    return { ok: false, gone: response.status === 410, detail: `answered ${response.status}` };
  } catch (error) {
    return { ok: false, gone: false, detail: unreachable(error) };
  }
}
