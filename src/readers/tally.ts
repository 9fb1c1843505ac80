/**
 * One isolate's count of feed polls since it last wrote them (src/storage/d1/reader-counts.ts),
 * per UTC day and feed: polls and 304s, the most subscribers each aggregator reported, the
 * crawlers' polls, and the clients of readers that report no count. Those clients are
 * "address\nUser-Agent" strings held in memory only, until the write hashes them with the
 * day's key: no address is stored, and none outlives the minute between writes.
 */
import type { Poller } from "./user-agent";

/** Distinct clients held between writes, over all feeds: memory and the write stay bounded whatever the traffic. */
export const MAX_CLIENTS = 20_000;
/**
 * Distinct aggregators (with feed ids), crawlers and reader products per feed between
 * writes: names come from User-Agents, which anyone writes, so past this many the rest
 * are folded into "other" of their kind.
 */
export const MAX_SOURCES = 50;
const OTHER = "other";

interface AggregatorTally {
  name: string;
  /** The aggregator's own id of the feed, or "" (counts of different ids are different subscribers). */
  feedId: string;
  /** The most it reported: it polls from several addresses, each reporting the same readers. */
  subscribers: number;
  polls: number;
}

interface FeedTally {
  polls: number;
  notModified: number;
  /** Keyed by name and feed id. */
  aggregators: Map<string, AggregatorTally>;
  /** Crawler name → polls. */
  crawlers: Map<string, number>;
  /** Reader product → its polls and distinct clients ("address\nUser-Agent"). */
  readers: Map<string, { polls: number; clients: Set<string> }>;
}

/** day (YYYY-MM-DD, UTC) → feed path → its tally. */
export type DayTallies = Map<string, Map<string, FeedTally>>;

export interface Taken {
  days: DayTallies;
  /** Polls whose client was not told apart because MAX_CLIENTS were held (counted as polls only). */
  untold: number;
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const DAY_MS = 86_400_000;

export class Tally {
  private days: DayTallies = new Map();
  private clients = 0;
  private untold = 0;
  /** The current UTC day and its bounds: a day's name is made once, not for every poll. */
  private day = "";
  private dayStart = 0;
  private dayEnd = 0;

  get empty(): boolean {
    return this.days.size === 0;
  }

  record(now: number, feed: string, poller: Poller, client: string, notModified: boolean): void {
    if (now < this.dayStart || now >= this.dayEnd) {
      this.dayStart = now - (now % DAY_MS);
      this.dayEnd = this.dayStart + DAY_MS;
      this.day = utcDay(now);
    }
    const day = this.day;
    let feeds = this.days.get(day);
    if (feeds === undefined) {
      feeds = new Map();
      this.days.set(day, feeds);
    }
    let tally = feeds.get(feed);
    if (tally === undefined) {
      tally = { polls: 0, notModified: 0, aggregators: new Map(), crawlers: new Map(), readers: new Map() };
      feeds.set(feed, tally);
    }
    tally.polls++;
    if (notModified) tally.notModified++;
    const full = tally.aggregators.size + tally.crawlers.size + tally.readers.size >= MAX_SOURCES;
    if (poller.kind === "aggregator") {
      let feedId = poller.feedId ?? "";
      let key = `${poller.name}\n${feedId}`;
      let known = tally.aggregators.get(key);
      if (known === undefined && full) {
        feedId = "";
        key = `${OTHER}\n`;
        known = tally.aggregators.get(key);
      }
      if (known === undefined) tally.aggregators.set(key, { name: full ? OTHER : poller.name, feedId, subscribers: poller.subscribers, polls: 1 });
      else {
        known.subscribers = Math.max(known.subscribers, poller.subscribers);
        known.polls++;
      }
    } else if (poller.kind === "crawler") {
      const name = full && !tally.crawlers.has(poller.name) ? OTHER : poller.name;
      tally.crawlers.set(name, (tally.crawlers.get(name) ?? 0) + 1);
    } else {
      const name = full && !tally.readers.has(poller.name) ? OTHER : poller.name;
      let reader = tally.readers.get(name);
      if (reader === undefined) {
        reader = { polls: 0, clients: new Set() };
        tally.readers.set(name, reader);
      }
      reader.polls++;
      if (reader.clients.has(client)) return;
      if (this.clients >= MAX_CLIENTS) {
        this.untold++;
        return;
      }
      reader.clients.add(client);
      this.clients++;
    }
  }

  /** Everything counted since the last take; the tally starts again empty. */
  take(): Taken {
    const taken = { days: this.days, untold: this.untold };
    this.days = new Map();
    this.clients = 0;
    this.untold = 0;
    return taken;
  }
}
