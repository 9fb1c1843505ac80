/**
 * The site's own WebSub hub (W3C WebSub §5–8), in workerd with its Durable Object: intent
 * verified, foreign topics denied, leases, unsubscribing, signed deliveries of the bytes the
 * site serves, retries until a subscriber recovers (the newest version, once), no older
 * version after a newer one, 410, caps and rate limits, and the cron's check after a deploy.
 * Subscribers are stand-ins behind the global fetch (the hub's object runs in this isolate).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { packSiteImages } from "../../src/storage/bundle/site-images-pack";
import { WebSubCourier } from "../../src/websub/courier-object";
import { COURIERS, courierOf, WebSubHub } from "../../src/websub/hub-object";
import { freshDatabase } from "./d1-fixtures";
import { bundle, content, file, seedFile, story } from "./fixtures";
import { ORIGIN, publishing, TOKEN } from "./publishing";

interface Received {
  url: URL;
  method: string;
  headers: Headers;
  body: ArrayBuffer;
}

type Answer = (r: Received) => Response | Promise<Response>;

/** Echoes the challenge of a verification, takes every delivery. */
const willing: Answer = (r) => (r.method === "GET" ? new Response(r.url.searchParams.get("hub.challenge")) : new Response(null, { status: 204 }));

let tests = 0;
/** Subscribers on a host of this test's own (alarms of earlier tests may still fire). */
function subscriber(answer: Answer = willing) {
  const host = `sub${++tests}.example`;
  const received: Received[] = [];
  const state = { answer };
  const spy = vi.spyOn(globalThis, "fetch");
  const previous = spy.getMockImplementation();
  spy.mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const url = new URL(request.url);
    if (url.host !== host) return previous === undefined ? new Response(null, { status: 404 }) : previous(input, init);
    const r = { url, method: request.method, headers: request.headers, body: await request.arrayBuffer() };
    received.push(r);
    return state.answer(r);
  });
  const deliveries = () => received.filter((r) => r.method === "POST");
  return { host, callback: (path = "/cb") => `https://${host}${path}`, received, deliveries, state };
}

afterEach(() => {
  vi.restoreAllMocks();
});
beforeEach(freshDatabase);

const hubStub = () => env.HUB.get(env.HUB.idFromName("hub"));

/** A method of a Durable Object class (its objects run in this isolate) that throws once, then works; restored after the test. */
function refuseOnce<T extends object, K extends keyof T & string>(prototype: T, method: K, message: string) {
  return (
    vi.spyOn(prototype, method as never) as unknown as { mockImplementationOnce(f: () => Promise<never>): { mock: { calls: unknown[] } } }
  ).mockImplementationOnce(async () => {
    throw new Error(message);
  });
}

/** Waits for a condition the hub's alarm brings about (no fixed sleeps). */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs the hub's alarm (its hand-overs to the couriers) and, every retry made due, each courier's. */
async function retryNow(): Promise<void> {
  // An alarm is always set while a subscription lasts (at its lease end, or at a hand-over).
  expect(await runDurableObjectAlarm(hubStub())).toBe(true);
  for (let k = 0; k < COURIERS; k++) {
    const courier = env.HUB_COURIER.get(env.HUB_COURIER.idFromName(`courier-${k}`));
    const held = await runInDurableObject(courier, (_instance, state) => {
      state.storage.sql.exec("UPDATE deliveries SET next_attempt = 0");
      return state.storage.sql.exec("SELECT (SELECT COUNT(*) FROM deliveries) + (SELECT COUNT(*) FROM outbox) AS n").one().n as number;
    });
    // A courier that holds deliveries or unreported outcomes has its alarm set.
    if (held > 0) expect(await runDurableObjectAlarm(courier)).toBe(true);
  }
}

/** Waits until GET /api/hub shows `status` for the feed's first subscription (couriers report after their run). */
async function listedStatus(
  s: { listed: () => Promise<{ topics: { topic: string; subscriptions: Record<string, unknown>[] }[] }> },
  topic: string,
  expected: Record<string, unknown>,
) {
  let last: unknown;
  await until(
    async () => {
      last = (await s.listed()).topics.find((t) => t.topic === topic)?.subscriptions[0];
      return Object.entries(expected).every(([key, value]) => (last as Record<string, unknown> | undefined)?.[key] === value);
    },
    `the hub to list ${JSON.stringify(expected)}`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; it lists ${JSON.stringify(last)}`);
  });
}

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": `192.0.2.${tests}` },
  body: new URLSearchParams(fields).toString(),
});

function site(vars: Record<string, string> = {}) {
  const w = publishing(vars, undefined, { hub: true });
  const subscribe = async (callback: string, topic = `${ORIGIN}/rss.xml`, extra: Record<string, string> = {}) => {
    const response = await w.request("/websub", form({ "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": callback, ...extra }));
    const text = await response.text();
    await w.settle();
    return { status: response.status, text };
  };
  const unsubscribe = async (callback: string, topic = `${ORIGIN}/rss.xml`) => {
    const response = await w.request("/websub", form({ "hub.mode": "unsubscribe", "hub.topic": topic, "hub.callback": callback }));
    await w.settle();
    return response.status;
  };
  const publish = async (id: string, headline: string, topics = "") => {
    const front = topics === "" ? "" : `---\ntopics: [${topics}]\n---\n`;
    const response = await w.put(id, `${front}${story(headline, `${headline}, the text.`)}`);
    expect(response.status).toBeLessThan(300);
    await w.settle();
  };
  /** The feed as a reader gets it, uncompressed. */
  const served = async (path: string) => new Uint8Array(await (await w.request(path, { headers: { "Accept-Encoding": "identity" } })).arrayBuffer());
  const listed = async () => (await (await w.api("/api/hub")).json()) as { topics: { topic: string; subscriptions: Record<string, unknown>[] }[] };
  return { ...w, subscribe, unsubscribe, publish, served, listed };
}

const text = (body: ArrayBuffer | Uint8Array) => new TextDecoder().decode(body);

/** Whether a delivery's X-Hub-Signature is the HMAC-SHA256 of its body under `secret`, checked by WebCrypto's own verify. */
async function signedWith(secret: string, delivery: Received): Promise<boolean> {
  const header = delivery.headers.get("X-Hub-Signature");
  if (header === null || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const mac = new Uint8Array(
    header
      .slice("sha256=".length)
      .match(/../g)!
      .map((h) => Number.parseInt(h, 16)),
  );
  return crypto.subtle.verify("HMAC", key, mac, delivery.body);
}

describe("subscribing", () => {
  it("verifies intent with a GET carrying the challenge and the granted lease; the subscription exists once it is echoed", async () => {
    const s = site();
    const sub = subscriber();
    expect(await s.subscribe(sub.callback("/cb?feed=1"), `${ORIGIN}/rss.xml`, { "hub.lease_seconds": "60" })).toEqual({
      status: 202,
      text: "Accepted: the hub will verify this subscribe request with a GET to the callback.\n",
    });
    expect(sub.received).toHaveLength(1);
    const verification = sub.received[0]!;
    expect(verification.method).toBe("GET");
    expect(verification.url.pathname).toBe("/cb");
    expect([...verification.url.searchParams.keys()]).toEqual(["feed", "hub.mode", "hub.topic", "hub.challenge", "hub.lease_seconds"]);
    expect(verification.url.searchParams.get("hub.mode")).toBe("subscribe");
    expect(verification.url.searchParams.get("hub.topic")).toBe(`${ORIGIN}/rss.xml`);
    // Asked for 60 s: held to the hub's least, an hour, and told so.
    expect(verification.url.searchParams.get("hub.lease_seconds")).toBe("3600");
    expect(verification.url.searchParams.get("hub.challenge")).toMatch(/^[0-9a-f-]{36}$/);
    const [entry] = (await s.listed()).topics;
    expect(entry!.topic).toBe(`${ORIGIN}/rss.xml`);
    expect(entry!.subscriptions).toHaveLength(1);
    expect(entry!.subscriptions[0]).toMatchObject({ callbackHost: sub.host, lastDelivery: null, lastStatus: null, pending: false });
    const leaseEnd = Date.parse(entry!.subscriptions[0]!.leaseEnd as string);
    expect(Math.abs(leaseEnd - (Date.now() + 3_600_000))).toBeLessThan(60_000);
  });

  it("a callback that does not echo the challenge, or answers an error, is not subscribed", async () => {
    const s = site();
    const wrong = subscriber((r) => new Response(r.method === "GET" ? "something else" : null));
    const failing = subscriber(() => new Response("no", { status: 404 }));
    expect((await s.subscribe(wrong.callback())).status).toBe(202);
    expect((await s.subscribe(failing.callback())).status).toBe(202);
    expect(wrong.received).toHaveLength(1);
    expect(failing.received).toHaveLength(1);
    expect((await s.listed()).topics).toEqual([]);
    await s.publish("a", "Nobody hears this");
    expect(wrong.deliveries()).toEqual([]);
    expect(failing.deliveries()).toEqual([]);
  });

  it("the default lease is 10 days; renewing extends it; an expired subscription is removed and gets nothing", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    expect(sub.received[0]!.url.searchParams.get("hub.lease_seconds")).toBe("864000");
    await s.subscribe(sub.callback(), `${ORIGIN}/rss.xml`, { "hub.lease_seconds": "7200" });
    const subscriptions = (await s.listed()).topics[0]!.subscriptions;
    expect(subscriptions).toHaveLength(1);
    const leaseEnd = Date.parse(subscriptions[0]!.leaseEnd as string);
    expect(Math.abs(leaseEnd - (Date.now() + 7_200_000))).toBeLessThan(60_000);
    // The hub wakes at the lease's end by itself, to remove it.
    expect(await runInDurableObject(hubStub(), (_instance, state) => state.storage.getAlarm())).toBe(leaseEnd);
    await runInDurableObject(hubStub(), (_instance, state) => {
      state.storage.sql.exec("UPDATE subscriptions SET lease_end = ?", Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(hubStub())).toBe(true);
    const rows = await runInDurableObject(hubStub(), (_instance, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM subscriptions").one().n);
    expect(rows).toBe(0);
    await s.publish("a", "After the lease");
    expect(sub.deliveries()).toEqual([]);
  });

  it("unsubscribing is verified the same way, and ends deliveries", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    sub.state.answer = () => new Response("not me");
    expect(await s.unsubscribe(sub.callback())).toBe(202);
    expect(sub.received.at(-1)!.url.searchParams.get("hub.mode")).toBe("unsubscribe");
    expect(sub.received.at(-1)!.url.searchParams.has("hub.lease_seconds")).toBe(false);
    expect((await s.listed()).topics).toHaveLength(1);
    sub.state.answer = willing;
    expect(await s.unsubscribe(sub.callback())).toBe(202);
    expect((await s.listed()).topics).toEqual([]);
    await s.publish("a", "Unheard");
    expect(sub.deliveries()).toEqual([]);
  });

  it("a courier that could not be told of an unsubscribe is told at the hub's next alarm: its retries stop", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    sub.state.answer = (r) => (r.method === "POST" ? new Response("down", { status: 503 }) : willing(r));
    await s.publish("one", "First story");
    await until(() => sub.deliveries().length === 1, "the first try");
    // The courier refuses the first news of the ended subscription (its class is patched, then restored).
    const forget = refuseOnce(WebSubCourier.prototype, "forget", "the courier is busy");
    sub.state.answer = willing;
    expect(await s.unsubscribe(sub.callback())).toBe(202);
    expect(errors.mock.calls.map((c) => String(c[0]))).toContain(
      `websub hub: could not tell ${courierOf(sub.callback())} that 1 subscription(s) ended (the courier is busy); trying again in 10 s`,
    );
    const courier = env.HUB_COURIER.get(env.HUB_COURIER.idFromName(courierOf(sub.callback())));
    const held = () => runInDurableObject(courier, (_instance, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM deliveries").one().n as number);
    expect(await held()).toBe(1);
    // The hub's alarm is set for the retry (no lease is left to set it), and tells the courier.
    await retryNow();
    expect(forget.mock.calls).toHaveLength(2);
    expect(await held()).toBe(0);
    expect(await runInDurableObject(hubStub(), (_instance, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM ended").one().n)).toBe(0);
    expect(sub.deliveries()).toHaveLength(1);
  });

  it("a topic that is not one of the site's feeds is refused with a 4xx and a denial GET naming the reason", async () => {
    const s = site();
    const sub = subscriber();
    const cases = [`https://elsewhere.example/rss.xml`, `${ORIGIN}/rss.xml?before=x`, `${ORIGIN}/articles/x`, `${ORIGIN}/topics/no-such-topic/rss.xml`];
    for (const topic of cases) {
      const { status, text: line } = await s.subscribe(sub.callback(), topic);
      expect([topic, status]).toEqual([topic, 400]);
      expect(line).toMatch(/^Refused: hub\.topic .+\.\n$/);
    }
    expect(sub.received.map((r) => [r.method, r.url.searchParams.get("hub.mode"), r.url.searchParams.get("hub.topic")])).toEqual(
      cases.map((t) => ["GET", "denied", t]),
    );
    for (const r of sub.received) expect(r.url.searchParams.get("hub.reason")).toMatch(/^hub\.topic /);
    expect((await s.listed()).topics).toEqual([]);
  });

  it("bad requests get a 4xx with one line, never a 5xx; no callback hears of them", async () => {
    const s = site();
    const sub = subscriber();
    const ok = { "hub.mode": "subscribe", "hub.topic": `${ORIGIN}/rss.xml`, "hub.callback": sub.callback() };
    const refusals: [Record<string, string>, number, RegExp][] = [
      [{ ...ok, "hub.mode": "publish" }, 400, /takes no publish notices/],
      [{ ...ok, "hub.mode": "" }, 400, /hub\.mode must be/],
      [{ ...ok, "hub.callback": "ftp://x.example/" }, 400, /hub\.callback must be an http/],
      [{ ...ok, "hub.callback": `https://user:pw@${sub.host}/` }, 400, /user name or password/],
      [{ ...ok, "hub.lease_seconds": "ten" }, 400, /lease_seconds/],
      [{ ...ok, "hub.secret": "x".repeat(200) }, 400, /at most 199 bytes/],
    ];
    for (const [fields, status, line] of refusals) {
      const response = await s.request("/websub", form(fields));
      expect([fields, response.status]).toEqual([fields, status]);
      expect(await response.text()).toMatch(line);
    }
    const notAForm = await s.request("/websub", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    expect(notAForm.status).toBe(415);
    const get = await s.request("/websub");
    expect([get.status, get.headers.get("Allow")]).toEqual([405, "POST"]);
    const big = await s.request("/websub", form({ ...ok, pad: "x".repeat(20_000) }));
    expect(big.status).toBe(413);
    await s.settle();
    expect(sub.received).toEqual([]);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom("hub.mode", "hub.topic", "hub.callback", "hub.lease_seconds", "hub.secret", "x"), fc.string({ maxLength: 300 })),
        async (fields) => {
          const response = await s.request("/websub", {
            ...form(fields),
            headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "198.51.100.7" },
          });
          expect(response.status).toBeGreaterThanOrEqual(200);
          expect(response.status).toBeLessThan(500);
          if (response.status !== 202) expect((await response.text()).split("\n")).toHaveLength(2);
        },
      ),
      { numRuns: 40 },
    );
    await s.settle();
  });

  it("caps subscriptions per feed and per callback host, and rate-limits a client's requests", async () => {
    const s = site({ HUB_MAX_PER_FEED: "1", HUB_MAX_PER_HOST: "2", HUB_REQUESTS_PER_MINUTE: "5" });
    const sub = subscriber();
    expect((await s.subscribe(sub.callback("/a"))).status).toBe(202);
    const full = await s.subscribe(sub.callback("/b"));
    expect(full).toEqual({ status: 403, text: "Refused: this feed has the most subscriptions the hub takes (1).\n" });
    expect((await s.subscribe(sub.callback("/c"), `${ORIGIN}/atom.xml`)).status).toBe(202);
    expect(await s.subscribe(sub.callback("/d"), `${ORIGIN}/feed.json`)).toEqual({
      status: 403,
      text: `Refused: callbacks on ${sub.host} have the most subscriptions the hub takes (2).\n`,
    });
    // Renewing is not a new subscription: within the caps.
    expect((await s.subscribe(sub.callback("/a"))).status).toBe(202);
    const limited = await s.request("/websub", form({ "hub.mode": "subscribe", "hub.topic": `${ORIGIN}/rss.xml`, "hub.callback": sub.callback("/a") }));
    expect([limited.status, limited.headers.get("Retry-After"), await limited.text()]).toEqual([
      429,
      "60",
      "Refused: more than 5 subscription requests a minute from one client; try again in a minute.\n",
    ]);
    expect((await s.listed()).topics.map((t) => t.subscriptions.length)).toEqual([1, 1]);
  });
  it("a topic written with a bare ? or # is the feed itself; a request over the rate sends no denial anywhere", async () => {
    const s = site({ HUB_REQUESTS_PER_MINUTE: "3" });
    const sub = subscriber();
    expect((await s.subscribe(sub.callback(), `${ORIGIN}/rss.xml?`)).status).toBe(202);
    expect((await s.subscribe(sub.callback(), `${ORIGIN}/rss.xml#`)).status).toBe(202);
    expect((await s.listed()).topics.map((t) => [t.topic, t.subscriptions.length])).toEqual([[`${ORIGIN}/rss.xml`, 1]]);
    expect(sub.received.map((r) => r.url.searchParams.get("hub.topic"))).toEqual([`${ORIGIN}/rss.xml`, `${ORIGIN}/rss.xml`]);
    expect((await s.subscribe(sub.callback(), "https://elsewhere.example/rss.xml")).status).toBe(400);
    expect((await s.subscribe(sub.callback(), "https://elsewhere.example/rss.xml")).status).toBe(429);
    expect(sub.received.map((r) => r.url.searchParams.get("hub.mode"))).toEqual(["subscribe", "subscribe", "denied"]);
  });

  it("a subscription the caps refuse once verified (others were verified meanwhile) is told so: a denial GET", async () => {
    const s = site({ HUB_MAX_PER_FEED: "1" });
    const sub = subscriber();
    // Both admitted while neither is verified yet; the second to be verified finds the feed full.
    const asks = await Promise.all(
      ["/a", "/b"].map((path) => s.request("/websub", form({ "hub.mode": "subscribe", "hub.topic": `${ORIGIN}/rss.xml`, "hub.callback": sub.callback(path) }))),
    );
    expect(asks.map((r) => r.status)).toEqual([202, 202]);
    vi.spyOn(console, "error").mockImplementation(() => {});
    await s.settle();
    const modes = sub.received.map((r) => `${r.url.pathname} ${r.url.searchParams.get("hub.mode")}`);
    expect(modes.filter((m) => m.endsWith("denied"))).toHaveLength(1);
    const denial = sub.received.find((r) => r.url.searchParams.get("hub.mode") === "denied")!;
    expect(denial.url.searchParams.get("hub.reason")).toBe("this feed has the most subscriptions the hub takes (1)");
    expect((await s.listed()).topics[0]!.subscriptions).toHaveLength(1);
  });
});

describe("delivering", () => {
  it("a publish over the API reaches each subscriber of each changed feed at once: the served bytes, their type, the links and the signature", async () => {
    const s = site();
    const sub = subscriber();
    const secret = "a subscriber's secret";
    // A topic's feeds exist once it has an article (the D1 mode knows no topic before).
    await s.publish("calm", "A calm week ahead", "Weather");
    await s.publish("match", "Home side wins the match", "Sport");
    await s.subscribe(sub.callback("/main"), `${ORIGIN}/rss.xml`, { "hub.secret": secret });
    await s.subscribe(sub.callback("/weather"), `${ORIGIN}/topics/weather/feed.json`);
    await s.subscribe(sub.callback("/sport"), `${ORIGIN}/topics/sport/atom.xml`);
    expect(sub.received.map((r) => r.url.searchParams.get("hub.mode"))).toEqual(["subscribe", "subscribe", "subscribe"]);
    await s.publish("storm", "Storm reaches the coast", "Weather");
    await until(() => sub.deliveries().length >= 2, "two deliveries");
    const byPath = new Map(sub.deliveries().map((d) => [d.url.pathname, d]));
    expect([...byPath.keys()].sort()).toEqual(["/main", "/weather"]);
    const main = byPath.get("/main")!;
    expect(text(main.body)).toBe(text(await s.served("/rss.xml")));
    expect(text(main.body)).toContain("Storm reaches the coast");
    expect(main.headers.get("Content-Type")).toBe("application/rss+xml; charset=utf-8");
    expect(main.headers.get("Link")).toBe(`<${ORIGIN}/websub>; rel="hub", <${ORIGIN}/rss.xml>; rel="self"`);
    expect(await signedWith(secret, main)).toBe(true);
    const weather = byPath.get("/weather")!;
    expect(weather.headers.get("X-Hub-Signature")).toBeNull();
    expect(weather.headers.get("Content-Type")).toBe("application/feed+json; charset=utf-8");
    expect(text(weather.body)).toBe(text(await s.served("/topics/weather/feed.json")));
    await listedStatus(s, `${ORIGIN}/rss.xml`, { lastStatus: "delivered (204)", pending: false });
    // Nothing leaks into the list: no path, no secret.
    expect(JSON.stringify(await s.listed())).not.toContain(secret);
    expect(JSON.stringify(await s.listed())).not.toContain("/main");
  });

  it("a subscriber failing several times gets, once it recovers, the newest version once; each failure logs one line", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    sub.state.answer = (r) => (r.method === "POST" ? new Response("down", { status: 503 }) : willing(r));
    await s.publish("one", "First story");
    await until(() => sub.deliveries().length === 1, "the first try");
    await retryNow();
    await s.publish("two", "Second story");
    await until(() => sub.deliveries().length === 3, "the newer version's try");
    const failures = errors.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith("websub hub:"));
    expect(failures).toHaveLength(3);
    expect(failures[0]).toBe(`websub hub: delivery of ${ORIGIN}/rss.xml to ${sub.host} failed (answered 503); retry 1 in 10 s`);
    await listedStatus(s, `${ORIGIN}/rss.xml`, { lastStatus: "retrying: answered 503", pending: true });
    sub.state.answer = willing;
    await retryNow();
    await until(() => sub.deliveries().length === 4, "the recovery");
    const last = text(sub.deliveries()[3]!.body);
    expect(last).toBe(text(await s.served("/rss.xml")));
    expect(last).toContain("Second story");
    await retryNow();
    expect(sub.deliveries()).toHaveLength(4);
    await listedStatus(s, `${ORIGIN}/rss.xml`, { lastStatus: "delivered (204)", pending: false });
  });

  it("a version published while an older one is in flight is delivered after it, never before", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    sub.state.answer = async (r) => {
      if (r.method === "POST" && sub.deliveries().length === 1) await held;
      return willing(r);
    };
    await s.publish("one", "First story");
    await until(() => sub.deliveries().length === 1, "the first delivery to start");
    await s.publish("two", "Second story");
    release();
    await until(() => sub.deliveries().length === 2, "the second delivery");
    const [first, second] = sub.deliveries().map((d) => text(d.body));
    expect(first).toContain("First story");
    expect(first).not.toContain("Second story");
    expect(second).toContain("Second story");
    await retryNow();
    expect(sub.deliveries()).toHaveLength(2);
  });

  it("a late copy never overtakes: bytes seen before, with no version or an older one, are not sent", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    await s.publish("one", "First story");
    await until(() => sub.deliveries().length === 1, "the first delivery");
    const first = await s.served("/rss.xml");
    await s.publish("two", "Second story");
    await until(() => sub.deliveries().length === 2, "the second delivery");
    const hub = hubStub();
    const topic = `${ORIGIN}/rss.xml`;
    const late = (body: Uint8Array, contentVersion: number | null) =>
      hub.publish([{ topic, body: body.slice().buffer, contentType: "application/rss+xml; charset=utf-8", contentVersion }]);
    // The first version's bytes again (a cron that read them before the second write): old news.
    expect(await late(first, null)).toBe(0);
    // The same bytes labelled with an older content version (a slow publisher): dropped too.
    const meta = await env.DB.prepare("SELECT value FROM meta WHERE key = 'version'").first<{ value: string }>();
    expect(await late(first, Number(meta!.value) - 1)).toBe(0);
    await retryNow();
    expect(sub.deliveries().map((d) => text(d.body).includes("Second story"))).toEqual([false, true]);
  });

  it("a change that brings a feed back to bytes it had before (a delete) is delivered: it is newer", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    await s.publish("one", "First story");
    await until(() => sub.deliveries().length === 1, "the first delivery");
    await s.publish("two", "Second story");
    await until(() => sub.deliveries().length === 2, "the second delivery");
    const deleted = await s.api("/api/articles/two", { method: "DELETE" });
    expect(deleted.status).toBe(200);
    await s.settle();
    await until(() => sub.deliveries().length === 3, "the delivery after the delete");
    expect(text(sub.deliveries()[2]!.body)).toBe(text(sub.deliveries()[0]!.body));
    expect(text(sub.deliveries()[2]!.body)).not.toContain("Second story");
  });

  it("a subscriber that comes back with a new secret while a delivery waits for its retry gets it at once, signed with the new secret", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback(), `${ORIGIN}/rss.xml`, { "hub.secret": "old secret" });
    vi.spyOn(console, "error").mockImplementation(() => {});
    sub.state.answer = (r) => (r.method === "POST" ? new Response(null, { status: 503 }) : willing(r));
    await s.publish("one", "First story");
    await until(() => sub.deliveries().length === 1, "the failed try");
    await listedStatus(s, `${ORIGIN}/rss.xml`, { lastStatus: "retrying: answered 503", pending: true });
    sub.state.answer = willing;
    await s.subscribe(sub.callback(), `${ORIGIN}/rss.xml`, { "hub.secret": "new secret" });
    // No wait for the 10-s retry: the renewal hands it over again, due now.
    await until(() => sub.deliveries().length === 2, "the delivery after the renewal");
    const again = sub.deliveries()[1]!;
    expect(await signedWith("new secret", again)).toBe(true);
    await listedStatus(s, `${ORIGIN}/rss.xml`, { lastStatus: "delivered (204)", pending: false });
  });

  it("subscribers that hang hold up no one on another courier: its subscribers get theirs meanwhile", async () => {
    const s = site();
    const slow = subscriber();
    const fast = subscriber();
    // Six hanging subscribers fill one courier's six connections; another courier is untouched.
    const slowCourier = courierOf(slow.callback("/0"));
    const slowCallbacks: string[] = [];
    for (let i = 0; slowCallbacks.length < 6 && i < 1000; i++)
      if (courierOf(slow.callback(`/${i}`)) === slowCourier) slowCallbacks.push(slow.callback(`/${i}`));
    let fastCallback = fast.callback("/0");
    for (let i = 1; courierOf(fastCallback) === slowCourier && i < 1000; i++) fastCallback = fast.callback(`/${i}`);
    expect(slowCallbacks).toHaveLength(6);
    expect(courierOf(fastCallback)).not.toBe(slowCourier);
    for (const callback of [...slowCallbacks, fastCallback]) expect((await s.subscribe(callback)).status).toBe(202);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    slow.state.answer = async (r) => {
      if (r.method === "POST") await held;
      return willing(r);
    };
    await s.publish("one", "First story");
    await until(() => slow.deliveries().length === 6 && fast.deliveries().length === 1, "six hanging deliveries and the other courier's");
    expect(text(fast.deliveries()[0]!.body)).toContain("First story");
    release();
    await until(async () => (await s.listed()).topics[0]!.subscriptions.every((sub) => sub.lastStatus === "delivered (204)"), "every delivery answered");
  });

  it("an outcome the hub could not take is reported again on the courier's next run", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    // The hub refuses the first report (its object is in this isolate: its class is patched, then restored).
    refuseOnce(WebSubHub.prototype, "report", "the hub is busy");
    await s.publish("one", "First story");
    await until(() => errors.mock.calls.some((c) => String(c[0]).includes("could not report 1 outcome(s) to the hub (the hub is busy)")), "the failed report");
    expect(sub.deliveries()).toHaveLength(1);
    expect((await s.listed()).topics[0]!.subscriptions[0]).toMatchObject({ lastStatus: null, pending: true });
    await retryNow();
    await listedStatus(s, `${ORIGIN}/rss.xml`, { lastStatus: "delivered (204)", pending: false });
    expect(sub.deliveries()).toHaveLength(1);
  });

  it("a callback that cannot be reached is listed and logged without the runtime's message, which may quote its URL", async () => {
    const s = site();
    const sub = subscriber();
    const callback = sub.callback("/hook?token=callback-private");
    await s.subscribe(callback);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    sub.state.answer = (r) => {
      if (r.method === "POST") throw new TypeError(`connect failed for ${callback}`);
      return willing(r);
    };
    await s.publish("one", "First story");
    await until(() => sub.deliveries().length === 1, "the try");
    await listedStatus(s, `${ORIGIN}/rss.xml`, { lastStatus: "retrying: could not be reached", pending: true });
    const logged = errors.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith("websub hub:"));
    expect(logged).toEqual([`websub hub: delivery of ${ORIGIN}/rss.xml to ${sub.host} failed (could not be reached); retry 1 in 10 s`]);
  });

  it("POST /api/hub/sync (what npm run import calls) hands over at once what a write from outside the worker changed; again, nothing", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    // A writer the hub does not hear from (as an import, which writes the database from Node).
    const importer = publishing({}, undefined, { hub: false });
    expect((await importer.put("imported", story("An imported story", "Text."))).status).toBe(201);
    await importer.settle();
    expect(sub.deliveries()).toEqual([]);
    expect((await s.request("/api/hub/sync", { method: "POST" })).status).toBe(401);
    const get = await s.api("/api/hub/sync");
    expect([get.status, get.headers.get("Allow"), await get.json()]).toEqual([
      405,
      "POST",
      { error: "Method not allowed: POST hands the hub the feeds an import changed." },
    ]);
    const told = await s.api("/api/hub/sync", { method: "POST" });
    expect([told.status, told.headers.get("Cache-Control"), await told.json()]).toEqual([200, "no-store", { scheduled: 1, missing: 0 }]);
    await until(() => sub.deliveries().length === 1, "the import's delivery");
    expect(text(sub.deliveries()[0]!.body)).toBe(text(await s.served("/rss.xml")));
    expect(text(sub.deliveries()[0]!.body)).toContain("An imported story");
    expect(await (await s.api("/api/hub/sync", { method: "POST" })).json()).toEqual({ scheduled: 0, missing: 0 });
    const off = publishing({ WEBSUB_OWN_HUB: "off" }, undefined, { hub: true });
    expect(await (await off.api("/api/hub/sync", { method: "POST" })).json()).toEqual({ error: "This site runs no WebSub hub." });
  });

  it("410 Gone from a callback ends its subscription", async () => {
    const s = site();
    const sub = subscriber();
    await s.subscribe(sub.callback());
    sub.state.answer = (r) => (r.method === "POST" ? new Response(null, { status: 410 }) : willing(r));
    vi.spyOn(console, "error").mockImplementation(() => {});
    await s.publish("one", "First story");
    const rows = async () => runInDurableObject(hubStub(), (_i, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM subscriptions").one().n);
    await until(async () => (await rows()) === 0, "the subscription to end");
    expect(sub.deliveries()).toHaveLength(1);
    await s.publish("two", "Second story");
    expect(sub.deliveries()).toHaveLength(1);
  });

  it("the same bytes again deliver nothing: a write that changes no subscribed feed is not sent", async () => {
    const s = site();
    const sub = subscriber();
    await s.publish("match", "Home side wins the match", "Sport");
    await s.subscribe(sub.callback(), `${ORIGIN}/topics/sport/rss.xml`);
    expect((await s.listed()).topics).toHaveLength(1);
    await s.publish("storm", "Storm reaches the coast", "Weather");
    await s.cron(Date.now() + 60_000);
    await retryNow();
    expect(sub.deliveries()).toEqual([]);
  });
});

describe("the bundled mode and the feeds", () => {
  it("feeds name the own hub first (rel=hub, JSON Feed hubs, Link); WEBSUB_OWN_HUB=off names none and /websub is 404", async () => {
    const s = site({ WEBSUB_HUB: "https://hub.example/" });
    const rss = await s.request("/rss.xml");
    expect(rss.headers.get("Link")).toBe(`<${ORIGIN}/websub>; rel="hub", <https://hub.example/>; rel="hub", <${ORIGIN}/rss.xml>; rel="self"`);
    expect(await rss.text()).toContain(`<atom:link rel="hub" href="${ORIGIN}/websub"/>\n        <atom:link rel="hub" href="https://hub.example/"/>`);
    expect(await (await s.request("/atom.xml")).text()).toContain(`<link rel="hub" href="${ORIGIN}/websub"/>`);
    expect(((await (await s.request("/feed.json")).json()) as { hubs: unknown }).hubs).toEqual([
      { type: "WebSub", url: `${ORIGIN}/websub` },
      { type: "WebSub", url: "https://hub.example/" },
    ]);
    const off = site({ WEBSUB_OWN_HUB: "off" });
    const plain = await off.request("/rss.xml");
    expect(plain.headers.get("Link")).toBeNull();
    expect(await plain.text()).not.toContain("websub");
    const refused = await off.request("/websub", form({ "hub.mode": "subscribe" }));
    expect([refused.status, await refused.text()]).toEqual([404, "This site runs no WebSub hub (WEBSUB_OWN_HUB is off).\n"]);
    expect((await off.api("/api/hub")).status).toBe(404);
  });

  it("a deploy whose content changed is delivered by the first cron after it; an unchanged one is not", async () => {
    const sub = subscriber();
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const vars = { SITE_URL: ORIGIN, HUB: env.HUB, PUBLISH_TOKEN: TOKEN } as never;
    const deployed = async (files = [seedFile()]) => createApp(bundle(await content(files)));
    const before = await deployed();
    const pending: Promise<unknown>[] = [];
    const response = await before.request(
      `${ORIGIN}/websub`,
      form({ "hub.mode": "subscribe", "hub.topic": `${ORIGIN}/atom.xml`, "hub.callback": sub.callback() }),
      vars,
      { ...ctx, waitUntil: (p: Promise<unknown>) => void pending.push(p) } as ExecutionContext,
    );
    expect(response.status).toBe(202);
    await Promise.all(pending);
    await before.scheduled({ scheduledTime: Date.now() }, vars, ctx);
    await retryNow();
    expect(sub.deliveries()).toEqual([]);
    const after = await deployed([seedFile(), file("001_00000000000000a1.txt", `---\ndate: 2026-11-30T10:00:00Z\n---\n${story("A deployed story", "Text.")}`)]);
    await after.scheduled({ scheduledTime: Date.now() }, vars, ctx);
    await until(() => sub.deliveries().length === 1, "the deploy's delivery");
    const served = await (await after.request(`${ORIGIN}/atom.xml`, { headers: { "Accept-Encoding": "identity" } }, vars, ctx)).text();
    expect(text(sub.deliveries()[0]!.body)).toBe(served);
    expect(served).toContain("A deployed story");
    await after.scheduled({ scheduledTime: Date.now() + 60_000 }, vars, ctx);
    await retryNow();
    expect(sub.deliveries()).toHaveLength(1);
    const listed = async () => (await (await after.request(`${ORIGIN}/api/hub`, { headers: { Authorization: `Bearer ${TOKEN}` } }, vars, ctx)).json()) as never;
    await listedStatus({ listed }, `${ORIGIN}/atom.xml`, { callbackHost: sub.host, lastStatus: "delivered (204)" });
    // A deploy of the same articles with another logo changes every feed's bytes: delivered too.
    const logo = { src: "/media/0123456789abcdef.png", type: "image/png", width: 400, height: 200 };
    const images = {
      rss: logo,
      atomIcon: logo,
      atomLogo: logo,
      jsonIcon: logo,
      jsonFavicon: logo,
      appleTouchIcon: logo,
      favicon: new Uint8Array([0, 0, 1, 0]),
    };
    const relogoed = createApp({
      ...bundle(await content([seedFile(), file("001_00000000000000a1.txt", `---\ndate: 2026-11-30T10:00:00Z\n---\n${story("A deployed story", "Text.")}`)])),
      images: packSiteImages(images),
    });
    await relogoed.scheduled({ scheduledTime: Date.now() + 120_000 }, vars, ctx);
    await until(() => sub.deliveries().length === 2, "the new logo's delivery");
    expect(text(sub.deliveries()[1]!.body)).toContain(`<logo>${ORIGIN}/media/0123456789abcdef.png</logo>`);
  });
});
