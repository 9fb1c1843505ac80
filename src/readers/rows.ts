/** Readers per feed and UTC day, as stored (migrations/0007_reader_counts.sql) and read back. */

export interface SourceRow {
  /** YYYY-MM-DD, UTC. */
  day: string;
  /** The feed's path: /rss.xml, /topics/turkey/atom.xml. */
  feed: string;
  /**
   * aggregator: the most subscribers it reported that day (per feed id); hub: the own hub's
   * active subscriptions; reader: a product's distinct clients; crawler: polls only.
   */
  kind: "aggregator" | "hub" | "reader" | "crawler";
  name: string;
  /** The aggregator's own id of the feed, or "". */
  feedId: string;
  readers: number;
  polls: number;
}

export interface PollRow {
  day: string;
  feed: string;
  /** GET and HEAD of the feed's first page answered 200 or 304. */
  polls: number;
  notModified: number;
}
