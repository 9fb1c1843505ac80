-- Readers per feed and UTC day (src/storage/d1/reader-counts.ts, README "Readers"). Feeds
-- are paths (/rss.xml, /topics/turkey/atom.xml). Nothing here names a person: aggregators
-- by name, readers that report no count as keyed hashes that live for their day only.

-- Polls of a feed's first page (GET and HEAD answered 200 or 304) and how many were 304.
CREATE TABLE reader_polls (
  day TEXT NOT NULL,            -- YYYY-MM-DD, UTC
  feed TEXT NOT NULL,
  polls INTEGER NOT NULL,
  not_modified INTEGER NOT NULL,
  PRIMARY KEY (day, feed)
) WITHOUT ROWID;

-- Who polled: kind 'aggregator' (name, its feed id or '', and the most subscribers it
-- reported that day), 'hub' (the own WebSub hub's active subscriptions), 'reader' (a
-- product that reports no count; readers = its distinct clients, filled in when the day
-- closes) and 'crawler' (not readers: polls only).
CREATE TABLE reader_sources (
  day TEXT NOT NULL,
  feed TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  feed_id TEXT NOT NULL,
  readers INTEGER NOT NULL,
  polls INTEGER NOT NULL,
  PRIMARY KEY (day, feed, kind, name, feed_id)
) WITHOUT ROWID;

-- The open day's distinct clients of each reader product: an HMAC of (address, User-Agent)
-- under the day's key. Deleted, with the key, when the day closes.
CREATE TABLE reader_clients (
  day TEXT NOT NULL,
  feed TEXT NOT NULL,
  name TEXT NOT NULL,
  client TEXT NOT NULL,
  PRIMARY KEY (day, feed, name, client)
) WITHOUT ROWID;

-- One random key per open day, kept apart from the counts and deleted when the day closes.
CREATE TABLE reader_keys (
  day TEXT PRIMARY KEY,
  key TEXT NOT NULL
) WITHOUT ROWID;
