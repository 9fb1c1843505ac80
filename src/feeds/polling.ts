/**
 * How often a reader should poll, said in the feed itself: RSS 2.0 `<ttl>` (minutes) and
 * the RSS 1.0 Syndication module's `sy:updatePeriod` and `sy:updateFrequency`, both from
 * CACHE_MAX_AGE, so a reader that honours either polls no more often than the cache keeps a
 * feed fresh. JSON Feed 1.1 has no field for it (the HTTP Cache-Control header says it).
 */

/** https://web.resource.org/rss/1.0/modules/syndication/ */
export const SYNDICATION = "http://purl.org/rss/1.0/modules/syndication/";

export interface PollingHints {
  /** RSS `<ttl>`: minutes a copy may be kept before it is fetched again. */
  ttlMinutes: number;
  /** `sy:updatePeriod` and `sy:updateFrequency`: at most `frequency` polls per `period`. */
  period: "hourly" | "daily" | "weekly" | "monthly" | "yearly";
  frequency: number;
}

const PERIODS = [
  ["hourly", 3_600],
  ["daily", 86_400],
  ["weekly", 604_800],
  ["monthly", 2_592_000],
  ["yearly", 31_536_000],
] as const;

/** The hints for a feed cached `cacheMaxAge` seconds (at least a minute: no reader needs to poll more often). */
export function pollingHints(cacheMaxAge: number): PollingHints {
  const seconds = Math.max(60, cacheMaxAge);
  // The shortest period that holds one poll; polls in it spaced at least `seconds` apart.
  const [period, length] = PERIODS.find(([, length]) => length >= seconds) ?? PERIODS[PERIODS.length - 1]!;
  return { ttlMinutes: Math.ceil(seconds / 60), period, frequency: Math.max(1, Math.floor(length / seconds)) };
}
