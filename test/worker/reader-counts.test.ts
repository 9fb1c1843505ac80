/**
 * Readers per feed: a replayed day of polls across several isolates (app instances on one
 * database), written once a minute per isolate, read back through /stats.json and
 * /stats.csv, closed after midnight; nothing in the database holds an address or a
 * User-Agent.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { feedOf } from "../../src/serve/reader-counts";
import { freshDatabase } from "./d1-fixtures";
import { bundle, content } from "./fixtures";

beforeEach(freshDatabase);
afterEach(() => {
  vi.restoreAllMocks();
});

const ORIGIN = "https://news.example.org";
const TOKEN = "stats-token-for-tests";
const DAY = "2026-11-30";
const START = Date.parse(`${DAY}T00:00:05Z`);

const FEEDLY = (n: number) => `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${n} subscribers; )`;
const INOREADER = "Mozilla/5.0 (compatible; Inoreader/1.0; +http://www.inoreader.com/feed-fetcher; 114 subscribers; )";
const READERS = [
  "Mozilla/5.0 (compatible; Miniflux/2.2.0; +https://miniflux.app)",
  "NetNewsWire (RSS Reader; https://netnewswire.com/)",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "curl/8.5.0",
];

/** A site of `isolates` isolates on the test database, with a clock the test moves. */
async function site(isolates: number, hubCounts: Record<string, number> | null = null) {
  const clock = { now: START };
  const built = bundle(await content());
  const apps = Array.from({ length: isolates }, () => createApp(built, { clock: () => clock.now }));
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
  const hub =
    hubCounts === null
      ? {}
      : {
          // The hub's part the counts use (the cron's own check of the hub finds nothing to hand over).
          HUB: {
            idFromName: () => ({}),
            get: () => ({
              subscriberCounts: async () => hubCounts,
              // The cron's check hands the hub every subscribed feed: the site reads them, which is no one's poll.
              syncedVersion: async () => null,
              subscribedTopics: async () => Object.keys(hubCounts),
              publish: async (versions: unknown[]) => versions.length,
              markSynced: async () => {},
            }),
          },
        };
  const vars = { SITE_URL: ORIGIN, DB: env.DB, STATS_TOKEN: TOKEN, ...hub } as never;
  const settle = async () => {
    while (pending.length > 0) await Promise.all(pending.splice(0));
  };
  const poll = async (isolate: number, path: string, agent: string, address: string, etag?: string) => {
    const headers: Record<string, string> = { "User-Agent": agent, "CF-Connecting-IP": address };
    if (etag !== undefined) headers["If-None-Match"] = etag;
    const response = await apps[isolate % isolates]!.request(`${ORIGIN}${path}`, { headers }, vars, ctx);
    await response.arrayBuffer();
    return response;
  };
  /** Every isolate writes what it counted (the cron's turn in each), then the cron's own part runs. */
  const cron = async () => {
    for (const app of apps) await app.scheduled({ scheduledTime: clock.now }, vars, ctx);
    await settle();
  };
  const stats = (path: string, authorization = `Bearer ${TOKEN}`) =>
    apps[0]!.request(`${ORIGIN}${path}`, { headers: { Authorization: authorization } }, vars, ctx);
  return { clock, poll, cron, settle, stats };
}

/** Every row of every table, as text: what a look into the database would find. */
async function everything(): Promise<string> {
  const tables = (
    await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{ name: string }>()
  ).results;
  const dump: unknown[] = [];
  for (const { name } of tables) dump.push(name, (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
  return JSON.stringify(dump);
}

describe("which requests are polls", () => {
  it("a feed's first page, main or topic, any format; not its ?before= pages, pages, or other paths", () => {
    expect(feedOf(`${ORIGIN}/rss.xml`)).toBe("/rss.xml");
    expect(feedOf(`${ORIGIN}/feed.json?utm_source=x`)).toBe("/feed.json");
    expect(feedOf(`${ORIGIN}/topics/turkey/atom.xml`)).toBe("/topics/turkey/atom.xml");
    expect(feedOf(`${ORIGIN}/rss.xml?before=some-slug`)).toBeNull();
    expect(feedOf(`${ORIGIN}/topics/turkey`)).toBeNull();
    expect(feedOf(`${ORIGIN}/topics/a/b/rss.xml`)).toBeNull();
    expect(feedOf(`${ORIGIN}/topics//rss.xml`)).toBeNull();
    expect(feedOf(`${ORIGIN}/media/rss.xml`)).toBeNull();
    expect(feedOf(`${ORIGIN}/`)).toBeNull();
  });
});

describe("a replayed day", () => {
  it("counts aggregators by their largest report, other readers once each across isolates, crawlers apart, polls and 304s exactly; stores no address", async () => {
    const s = site(3);
    const { poll, cron, clock, stats } = await s;
    const first = await poll(0, "/rss.xml", "curl/8.5.0", "198.51.100.200");
    const etag = first.headers.get("ETag")!;
    let polls = 1;
    let notModified = 0;
    // Feedly from three addresses, every few minutes, reporting 460 to 462; conditional polls.
    for (let round = 0; round < 300; round++) {
      for (const [k, address] of ["203.0.113.1", "203.0.113.2", "203.0.113.3"].entries()) {
        const r = await poll(round + k, "/rss.xml", FEEDLY(460 + k), address, etag);
        expect(r.status).toBe(304);
        polls++;
        notModified++;
      }
      if (round % 3 === 0) {
        await poll(round, "/rss.xml", INOREADER, `203.0.113.${10 + (round % 2)}`);
        polls++;
      }
      clock.now += 4 * 60_000;
      if (round % 50 === 0) await cron();
    }
    // 500 other readers, each polling three times through different isolates, some conditionally.
    for (let i = 0; i < 500; i++) {
      const address = `10.${Math.floor(i / 250)}.${i % 250}.1`;
      for (let k = 0; k < 3; k++) {
        const r = await poll(i + k, "/rss.xml", READERS[i % READERS.length]!, address, k === 2 ? etag : undefined);
        polls++;
        if (r.status === 304) notModified++;
      }
    }
    // The same address with another User-Agent is another reader (two apps behind one NAT).
    await poll(0, "/rss.xml", READERS[0]!, "10.0.1.1");
    polls++;
    // Crawlers: listed apart, not readers.
    for (let i = 0; i < 7; i++) await poll(i, "/rss.xml", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "66.249.66.1");
    polls += 7;
    // Not polls: a page back, a page, a 404.
    await poll(0, "/rss.xml?before=nothing-here", FEEDLY(999), "203.0.113.9");
    await poll(0, "/", FEEDLY(999), "203.0.113.9");
    await poll(0, "/topics/nowhere/rss.xml", FEEDLY(999), "203.0.113.9");
    clock.now += 60_000;
    await cron();

    const json = (await (await stats("/stats.json")).json()) as {
      today: string;
      feeds: { feed: string; today: Record<string, number>; sources: unknown[]; crawlers: unknown[]; history: { day: string; readers: number }[] }[];
    };
    expect(json.today).toBe(DAY);
    expect(json.feeds.map((f) => f.feed)).toEqual(["/rss.xml"]);
    const feed = json.feeds[0]!;
    // curl's own first poll (198.51.100.200) is one more reader.
    expect(feed.today).toEqual({
      readers: 462 + 114 + 502,
      aggregators: 462 + 114,
      hub: 0,
      others: 502,
      polls,
      notModified,
      notModifiedShare: notModified / polls,
    });
    expect(feed.sources).toEqual([
      { kind: "aggregator", name: "Feedly", feedId: null, readers: 462, polls: 900 },
      { kind: "reader", name: "Miniflux", feedId: null, readers: 126, polls: 376 },
      { kind: "reader", name: "curl", feedId: null, readers: 126, polls: 376 },
      { kind: "reader", name: "NetNewsWire", feedId: null, readers: 125, polls: 375 },
      { kind: "reader", name: "browser", feedId: null, readers: 125, polls: 375 },
      { kind: "aggregator", name: "Inoreader", feedId: null, readers: 114, polls: 100 },
    ]);
    expect(feed.crawlers).toEqual([{ name: "Googlebot", polls: 7 }]);
    expect(feed.history.at(-1)).toEqual({ day: DAY, readers: 1078 });
    expect(feed.history).toHaveLength(90);

    // Nothing holds an address or a User-Agent: only hashes, for the day.
    const stored = await everything();
    for (const needle of ["203.0.113.1", "10.0.0.1", "198.51.100.200", "66.249.66.1", "Mozilla/5.0", "curl/8.5.0"]) expect(stored).not.toContain(needle);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM reader_clients").first<{ n: number }>())!.n).toBe(502);

    // After midnight and its grace, the cron closes the day: counts kept, hashes and key gone.
    clock.now = Date.parse("2026-12-01T00:11:00Z");
    await cron();
    expect(await env.DB.prepare("SELECT (SELECT COUNT(*) FROM reader_clients) + (SELECT COUNT(*) FROM reader_keys) AS n").first()).toEqual({ n: 0 });
    const next = (await (await stats("/stats.json")).json()) as typeof json;
    expect(next.today).toBe("2026-12-01");
    expect(next.feeds[0]!.history.slice(-2)).toEqual([
      { day: DAY, readers: 1078 },
      { day: "2026-12-01", readers: 0 },
    ]);
    expect(next.feeds[0]!.today.readers).toBe(0);
  });

  it("the own hub's subscriptions count as readers of their feed; the CSV has every row", async () => {
    const { poll, cron, clock, stats } = await site(1, { [`${ORIGIN}/atom.xml`]: 3, [`${ORIGIN}/topics/turkey/rss.xml`]: 1 });
    await poll(0, "/atom.xml", FEEDLY(7), "203.0.113.1");
    clock.now += 60_000;
    await cron();
    const json = (await (await stats("/stats.json")).json()) as { feeds: { feed: string; today: { readers: number; hub: number } }[] };
    expect(json.feeds.map((f) => [f.feed, f.today.readers, f.today.hub])).toEqual([
      ["/atom.xml", 10, 3],
      ["/topics/turkey/rss.xml", 1, 1],
    ]);
    const csv = await stats("/stats.csv");
    expect([csv.status, csv.headers.get("Content-Type"), csv.headers.get("Cache-Control")]).toEqual([
      200,
      "text/csv; charset=utf-8; header=present",
      "no-store",
    ]);
    expect(await csv.text()).toBe(
      [
        "day,feed,kind,name,feed_id,readers,polls,not_modified",
        `${DAY},/atom.xml,total,,,10,1,0`,
        `${DAY},/atom.xml,aggregator,Feedly,,7,1,`,
        `${DAY},/atom.xml,hub,WebSub hub,,3,0,`,
        `${DAY},/topics/turkey/rss.xml,total,,,1,0,0`,
        `${DAY},/topics/turkey/rss.xml,hub,WebSub hub,,1,0,`,
        "",
      ].join("\r\n"),
    );
  });
});

describe("keeping the counts", () => {
  it("drops rows older than READER_RETENTION_DAYS at the cron; keeps the rest", async () => {
    const { cron, clock } = await site(1);
    const day = (daysAgo: number) => new Date(clock.now - daysAgo * 86_400_000).toISOString().slice(0, 10);
    for (const daysAgo of [400, 399, 398]) {
      await env.DB.batch([
        env.DB.prepare("INSERT INTO reader_polls VALUES (?, '/rss.xml', 5, 1)").bind(day(daysAgo)),
        env.DB.prepare("INSERT INTO reader_sources VALUES (?, '/rss.xml', 'aggregator', 'Feedly', '', 9, 5)").bind(day(daysAgo)),
      ]);
    }
    await cron();
    const kept = async (table: string) => (await env.DB.prepare(`SELECT day FROM ${table} ORDER BY day`).all<{ day: string }>()).results.map((r) => r.day);
    // 400 days, today the last of them.
    expect(await kept("reader_polls")).toEqual([day(399), day(398)]);
    expect(await kept("reader_sources")).toEqual([day(399), day(398)]);
  });

  it("a write that fails logs one line with the polls it could not write, naming the usual cause", async () => {
    const clock = { now: START };
    const app = createApp(bundle(await content()), { clock: () => clock.now });
    const failing = {
      prepare: env.DB.prepare.bind(env.DB),
      batch: async () => {
        throw new Error("D1_ERROR: no such table: reader_polls: SQLITE_ERROR");
      },
    };
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const vars = { SITE_URL: ORIGIN, DB: failing } as never;
    // Written at the first request a minute after the isolate started.
    for (let i = 0; i < 3; i++) {
      await (await app.request(`${ORIGIN}/rss.xml`, { headers: { "User-Agent": FEEDLY(5) } }, vars, ctx)).arrayBuffer();
      clock.now += 30_000;
    }
    await Promise.all(pending);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([
      "reader counts: a write of 3 poll(s) failed and none of them was counted: the database has no reader_* tables: apply the migrations (npx wrangler d1 migrations apply DB --remote, or --local for npm start)",
    ]);
  });
});

describe("/stats", () => {
  it("needs a token (bearer, or a Basic password), answers 401 like the API without one, and is never cached", async () => {
    const { stats } = await site(1);
    const refused = await stats("/stats", "Bearer wrong");
    // Basic first, each challenge on a line of its own: a browser then asks for a name and password.
    expect([refused.status, refused.headers.get("WWW-Authenticate"), refused.headers.get("Cache-Control")]).toEqual([
      401,
      'Basic realm="stats", charset="UTF-8", Bearer realm="stats"',
      "no-store",
    ]);
    expect(await refused.text()).toBe("Authentication required: send Authorization: Bearer <token> (or the token as a Basic password).\n");
    const page = await stats("/stats", `Basic ${btoa(`anyone:${TOKEN}`)}`);
    expect([page.status, page.headers.get("Content-Type"), page.headers.get("Cache-Control"), page.headers.get("X-Robots-Tag")]).toEqual([
      200,
      "text/html; charset=utf-8",
      "no-store",
      "noindex",
    ]);
    expect(await page.text()).toContain("No feed has been polled since counting began.");
    expect((await stats("/stats.json", `Basic ${btoa("anyone:wrong")}`)).status).toBe(401);
  });

  it("without a database, counting is off and the page says in one line how to turn it on; READER_COUNTS=off counts nothing", async () => {
    const app = createApp(bundle(await content()));
    const page = await app.request(`${ORIGIN}/stats`, { headers: { Authorization: `Bearer ${TOKEN}` } }, { SITE_URL: ORIGIN, STATS_TOKEN: TOKEN } as never);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<p>Reader counts are off: bind a D1 database as DB in wrangler.toml and apply the migrations (README, Readers).</p>");
    // Off with a database: nothing is written, however long the isolate runs; the page says which setting.
    const clock = { now: START };
    const off = createApp(bundle(await content()), { clock: () => clock.now });
    const vars = { SITE_URL: ORIGIN, DB: env.DB, READER_COUNTS: "off", STATS_TOKEN: TOKEN } as never;
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const errors = vi.spyOn(console, "error");
    for (let i = 0; i < 3; i++) {
      await (await off.request(`${ORIGIN}/rss.xml`, { headers: { "User-Agent": FEEDLY(5) } }, vars, ctx)).arrayBuffer();
      clock.now += 61_000;
    }
    await off.scheduled({ scheduledTime: clock.now }, vars, ctx);
    await Promise.all(pending);
    expect(pending).toEqual([]);
    expect(await env.DB.prepare("SELECT (SELECT COUNT(*) FROM reader_polls) + (SELECT COUNT(*) FROM reader_sources) AS n").first()).toEqual({ n: 0 });
    expect(errors).not.toHaveBeenCalled();
    const json = await off.request(`${ORIGIN}/stats.json`, { headers: { Authorization: `Bearer ${TOKEN}` } }, vars, ctx);
    expect(await json.json()).toEqual({ counting: false, reason: 'Reader counts are off: READER_COUNTS is "off" in wrangler.toml (README, Readers).' });
  });
});
