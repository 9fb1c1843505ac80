/** An isolate's tally between writes: aggregators by their largest report, clients bounded and the rest counted. */
import { describe, expect, it } from "vitest";
import { MAX_CLIENTS, MAX_SOURCES, Tally } from "../../src/readers/tally";

const NOW = Date.parse("2026-11-30T12:00:00Z");

describe("Tally", () => {
  it("keeps the largest report of an aggregator and feed id, sums polls, and tells clients apart per reader product", () => {
    const tally = new Tally();
    expect(tally.empty).toBe(true);
    for (const n of [460, 462, 461]) tally.record(NOW, "/rss.xml", { kind: "aggregator", name: "Feedly", feedId: null, subscribers: n }, "ignored", true);
    tally.record(NOW, "/rss.xml", { kind: "aggregator", name: "Feedbin", feedId: "1", subscribers: 5 }, "x", false);
    tally.record(NOW, "/rss.xml", { kind: "aggregator", name: "Feedbin", feedId: "2", subscribers: 3 }, "x", false);
    tally.record(NOW, "/rss.xml", { kind: "reader", name: "Miniflux" }, "192.0.2.1\nMiniflux", false);
    tally.record(NOW, "/rss.xml", { kind: "reader", name: "Miniflux" }, "192.0.2.1\nMiniflux", true);
    tally.record(NOW, "/rss.xml", { kind: "crawler", name: "Googlebot" }, "66.249.66.1\nGooglebot", false);
    // A poll just after midnight belongs to the next day.
    tally.record(Date.parse("2026-12-01T00:00:01Z"), "/atom.xml", { kind: "reader", name: "curl" }, "192.0.2.1\ncurl", false);
    const { days, untold } = tally.take();
    expect(tally.empty).toBe(true);
    expect(untold).toBe(0);
    expect([...days.keys()]).toEqual(["2026-11-30", "2026-12-01"]);
    const feed = days.get("2026-11-30")!.get("/rss.xml")!;
    expect([feed.polls, feed.notModified]).toEqual([8, 4]);
    expect([...feed.aggregators.values()]).toEqual([
      { name: "Feedly", feedId: "", subscribers: 462, polls: 3 },
      { name: "Feedbin", feedId: "1", subscribers: 5, polls: 1 },
      { name: "Feedbin", feedId: "2", subscribers: 3, polls: 1 },
    ]);
    expect(feed.readers.get("Miniflux")).toEqual({ polls: 2, clients: new Set(["192.0.2.1\nMiniflux"]) });
    expect([...feed.crawlers]).toEqual([["Googlebot", 1]]);
  });

  it("names come from User-Agents: past MAX_SOURCES per feed, new ones are folded into other of their kind", () => {
    const tally = new Tally();
    for (let i = 0; i < MAX_SOURCES; i++) tally.record(NOW, "/rss.xml", { kind: "crawler", name: `Bot${i}` }, "x", false);
    tally.record(NOW, "/rss.xml", { kind: "aggregator", name: "Invented", feedId: "1", subscribers: 999_999_999 }, "x", false);
    tally.record(NOW, "/rss.xml", { kind: "aggregator", name: "Invented", feedId: "2", subscribers: 5 }, "x", false);
    tally.record(NOW, "/rss.xml", { kind: "crawler", name: "Bot0" }, "x", false);
    tally.record(NOW, "/rss.xml", { kind: "crawler", name: "Bot99" }, "x", false);
    tally.record(NOW, "/rss.xml", { kind: "reader", name: "Miniflux" }, "a", false);
    const feed = tally.take().days.get("2026-11-30")!.get("/rss.xml")!;
    // One aggregator row for all the newcomers, by its largest claim (never a sum), and the known names go on counting.
    expect([...feed.aggregators.values()]).toEqual([{ name: "other", feedId: "", subscribers: 999_999_999, polls: 2 }]);
    expect([feed.crawlers.get("Bot0"), feed.crawlers.get("other"), feed.crawlers.size]).toEqual([2, 1, MAX_SOURCES + 1]);
    expect([...feed.readers.keys()]).toEqual(["other"]);
    expect(feed.polls).toBe(MAX_SOURCES + 5);
  });

  it("holds at most MAX_CLIENTS clients between writes; the polls of the others are counted and said to be untold", () => {
    const tally = new Tally();
    for (let i = 0; i < MAX_CLIENTS + 5; i++) tally.record(NOW, "/rss.xml", { kind: "reader", name: "other" }, `client ${i}`, false);
    const { days, untold } = tally.take();
    const feed = days.get("2026-11-30")!.get("/rss.xml")!;
    expect([feed.polls, feed.readers.get("other")!.clients.size, untold]).toEqual([MAX_CLIENTS + 5, MAX_CLIENTS, 5]);
    // The bound is per write: the next minute starts with room again.
    tally.record(NOW, "/rss.xml", { kind: "reader", name: "other" }, "client new", false);
    expect(tally.take().days.get("2026-11-30")!.get("/rss.xml")!.readers.get("other")!.clients.size).toBe(1);
  });
});
