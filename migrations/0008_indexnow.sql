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

-- The same release puts polling hints in every RSS feed (<ttl>, sy:): the stored responses
-- are renderings only, rendered and stored again when asked for, so they are emptied rather
-- than left to serve the old bytes until the next change of content.
DELETE FROM responses;
