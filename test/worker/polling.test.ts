/** Polling hints in the feeds (RSS ttl, sy:updatePeriod and sy:updateFrequency) agree with CACHE_MAX_AGE. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pollingHints, SYNDICATION } from "../../src/feeds/polling";
import { content, worker } from "./fixtures";
import { child, children, parseXml } from "./xml";

const PERIOD_SECONDS = { hourly: 3_600, daily: 86_400, weekly: 604_800, monthly: 2_592_000, yearly: 31_536_000 } as const;

describe("polling hints", () => {
  it("are the cache's lifetime, at least a minute, in the shortest period that holds one poll", () => {
    expect(pollingHints(300)).toEqual({ ttlMinutes: 5, period: "hourly", frequency: 12 });
    expect(pollingHints(0)).toEqual({ ttlMinutes: 1, period: "hourly", frequency: 60 });
    expect(pollingHints(90)).toEqual({ ttlMinutes: 2, period: "hourly", frequency: 40 });
    expect(pollingHints(3_600)).toEqual({ ttlMinutes: 60, period: "hourly", frequency: 1 });
    expect(pollingHints(7_200)).toEqual({ ttlMinutes: 120, period: "daily", frequency: 12 });
    expect(pollingHints(31_536_000)).toEqual({ ttlMinutes: 525_600, period: "yearly", frequency: 1 });
  });

  it("a reader honouring either hint never polls more often than the cache allows, nor waits past a period", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 31_536_000 }), (maxAge) => {
        const { ttlMinutes, period, frequency } = pollingHints(maxAge);
        const interval = PERIOD_SECONDS[period] / frequency;
        const fresh = Math.max(60, maxAge);
        expect(ttlMinutes * 60).toBeGreaterThanOrEqual(fresh);
        expect(ttlMinutes * 60).toBeLessThan(fresh + 60);
        expect(interval).toBeGreaterThanOrEqual(fresh);
        expect(interval).toBeLessThan(2 * fresh);
      }),
    );
  });

  it("RSS carries them in the channel, with the Syndication module's namespace; Atom and JSON Feed carry none", async () => {
    const get = worker(await content(), { SITE_URL: "https://news.example.org", CACHE_MAX_AGE: "600" });
    const rss = await (await get("https://news.example.org/rss.xml")).text();
    const root = parseXml(rss);
    expect(root.attributes["xmlns:sy"]).toBe(SYNDICATION);
    const named = (name: string) => children(child(root, "channel"), name).map((c) => c.text);
    expect([named("ttl"), named("sy:updatePeriod"), named("sy:updateFrequency")]).toEqual([["10"], ["hourly"], ["6"]]);
    const atom = await (await get("https://news.example.org/atom.xml")).text();
    const json = await (await get("https://news.example.org/feed.json")).text();
    expect([atom.includes("sy:"), atom.includes("<ttl>"), json.includes("ttl"), json.includes("updatePeriod")]).toEqual([false, false, false, false]);
  });
});
