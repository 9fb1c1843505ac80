/**
 * The readers of each feed, as `/stats`, `/stats.json`, `/stats.csv` and `npm run stats`
 * show them, from the stored rows (src/storage/d1/reader-counts.ts). A day's readers are
 * the subscribers the aggregators reported (the largest of the day for each aggregator and
 * feed id: never a sum over its addresses or polls), the own hub's subscriptions, and the
 * distinct clients of readers that report no count. Crawlers are listed apart.
 */
import type { PollRow, SourceRow } from "./rows";
import { DAY_MS, utcDay } from "./tally";

/** Days the chart and the history cover, today included. */
const HISTORY_DAYS = 90;

interface DayReaders {
  day: string;
  readers: number;
}

interface ReaderSource {
  kind: "aggregator" | "hub" | "reader";
  name: string;
  /** The aggregator's own id of the feed, or null. */
  feedId: string | null;
  readers: number;
  polls: number;
}

export interface FeedReaders {
  /** The feed's path: /rss.xml, /topics/turkey/atom.xml. */
  feed: string;
  today: {
    readers: number;
    aggregators: number;
    hub: number;
    others: number;
    polls: number;
    notModified: number;
    /** Polls answered 304, as a share of all polls (0 when none). */
    notModifiedShare: number;
  };
  /** Oldest first, one entry per day of the last HISTORY_DAYS (0 where nothing was counted). */
  history: DayReaders[];
  /** Today's readers by source, most first. */
  sources: ReaderSource[];
  /** Today's crawler polls, most first. */
  crawlers: { name: string; polls: number }[];
}

export interface ReaderReport {
  /** The UTC day the report counts as today. */
  today: string;
  feeds: FeedReaders[];
}

/** The HISTORY_DAYS days ending at `now`'s UTC day, oldest first. */
export function reportDays(now: number): string[] {
  const days: string[] = [];
  for (let i = HISTORY_DAYS - 1; i >= 0; i--) days.push(utcDay(now - i * DAY_MS));
  return days;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function buildReport(now: number, sources: readonly SourceRow[], polls: readonly PollRow[]): ReaderReport {
  const days = reportDays(now);
  const today = days.at(-1)!;
  const feeds = new Set<string>();
  for (const r of sources) feeds.add(r.feed);
  for (const r of polls) feeds.add(r.feed);
  const readersOn = new Map<string, number>();
  for (const r of sources) {
    if (r.kind === "crawler") continue;
    const key = `${r.feed}\n${r.day}`;
    readersOn.set(key, (readersOn.get(key) ?? 0) + r.readers);
  }
  // Rows grouped by feed once: the page of a site with many topic feeds stays linear in its rows.
  const todaysByFeed = new Map<string, SourceRow[]>();
  for (const r of sources) {
    if (r.day !== today) continue;
    const list = todaysByFeed.get(r.feed);
    if (list === undefined) todaysByFeed.set(r.feed, [r]);
    else list.push(r);
  }
  const pollsToday = new Map(polls.filter((r) => r.day === today).map((r) => [r.feed, r]));
  const report: FeedReaders[] = [...feeds].map((feed) => {
    const todays = todaysByFeed.get(feed) ?? [];
    const sum = (kind: SourceRow["kind"]) => todays.filter((r) => r.kind === kind).reduce((n, r) => n + r.readers, 0);
    const poll = pollsToday.get(feed);
    const pollCount = poll?.polls ?? 0;
    const notModified = poll?.notModified ?? 0;
    return {
      feed,
      today: {
        readers: readersOn.get(`${feed}\n${today}`) ?? 0,
        aggregators: sum("aggregator"),
        hub: sum("hub"),
        others: sum("reader"),
        polls: pollCount,
        notModified,
        notModifiedShare: pollCount === 0 ? 0 : notModified / pollCount,
      },
      history: days.map((day) => ({ day, readers: readersOn.get(`${feed}\n${day}`) ?? 0 })),
      sources: todays
        .filter((r): r is SourceRow & { kind: ReaderSource["kind"] } => r.kind !== "crawler" && (r.readers > 0 || r.polls > 0))
        .map((r) => ({ kind: r.kind, name: r.name, feedId: r.feedId === "" ? null : r.feedId, readers: r.readers, polls: r.polls }))
        .sort((a, b) => b.readers - a.readers || byName(a, b)),
      crawlers: todays
        .filter((r) => r.kind === "crawler")
        .map((r) => ({ name: r.name, polls: r.polls }))
        .sort((a, b) => b.polls - a.polls || byName(a, b)),
    };
  });
  report.sort((a, b) => b.today.readers - a.today.readers || (a.feed < b.feed ? -1 : a.feed > b.feed ? 1 : 0));
  return { today, feeds: report };
}

/** One field of RFC 4180 CSV: quoted when it holds a comma, quote or line break. */
function csvField(value: string | number): string {
  // Names come from User-Agents: one that starts like a formula is not run by a spreadsheet (OWASP, CSV injection).
  const text = typeof value === "string" && /^[=+\-@\t\r]/.test(value) ? `\u0027${value}` : String(value);
  const quoted = [",", '"', "\r", "\n"].some((c) => text.includes(c));
  return quoted ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Every stored row as RFC 4180 CSV: one line per day, feed and source (crawlers included,
 * kind "crawler", readers 0), and a "total" line per day and feed with its readers, polls
 * and 304s. Days oldest first.
 */
export function reportCsv(sources: readonly SourceRow[], polls: readonly PollRow[]): string {
  const lines = [["day", "feed", "kind", "name", "feed_id", "readers", "polls", "not_modified"].join(",")];
  const totals = new Map<string, { day: string; feed: string; readers: number; polls: number; notModified: number }>();
  const total = (day: string, feed: string) => {
    const key = `${day}\n${feed}`;
    let t = totals.get(key);
    if (t === undefined) {
      t = { day, feed, readers: 0, polls: 0, notModified: 0 };
      totals.set(key, t);
    }
    return t;
  };
  for (const r of sources) if (r.kind !== "crawler") total(r.day, r.feed).readers += r.readers;
  for (const r of polls) Object.assign(total(r.day, r.feed), { polls: r.polls, notModified: r.notModified });
  const rows: (string | number)[][] = [
    ...sources.map((r) => [r.day, r.feed, r.kind, r.name, r.feedId, r.readers, r.polls, ""]),
    ...[...totals.values()].map((t) => [t.day, t.feed, "total", "", "", t.readers, t.polls, t.notModified]),
  ];
  const order = ["total", "aggregator", "hub", "reader", "crawler"];
  rows.sort((a, b) => {
    for (const i of [0, 1]) if (a[i] !== b[i]) return String(a[i]) < String(b[i]) ? -1 : 1;
    const k = order.indexOf(String(a[2])) - order.indexOf(String(b[2]));
    return k !== 0 ? k : String(a[3]) < String(b[3]) ? -1 : String(a[3]) > String(b[3]) ? 1 : 0;
  });
  for (const row of rows) lines.push(row.map(csvField).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
