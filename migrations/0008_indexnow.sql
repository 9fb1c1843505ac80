-- IndexNow submissions waiting to be sent (src/publish/indexnow.ts): the URLs a change made
-- new, sent once every isolate serves them (CONTENT_TTL), retried with backoff.
CREATE TABLE indexnow_pending (
  id INTEGER PRIMARY KEY,
  urls TEXT NOT NULL,      -- JSON array of absolute URLs
  due INTEGER NOT NULL,    -- epoch milliseconds
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed INTEGER NOT NULL DEFAULT 0 -- epoch milliseconds until which a sender holds it
);

CREATE INDEX indexnow_pending_due ON indexnow_pending (due);
