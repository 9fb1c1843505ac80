-- Publishing at a cost that does not grow with the archive (src/storage/d1/statements.ts,
-- src/storage/d1/render-queue.ts).

-- The newest `updated` of any article, after an article is deleted: the last entry of an
-- index, not a read of every row.
CREATE INDEX articles_updated ON articles (updated);

-- Responses to render again after writes, coalesced: a write adds the scopes it made stale
-- (src/storage/d1/responses.ts: main, site, topic:<slug>, article:<slug>, or all), and
-- one renderer per window takes every scope due and renders each once, for all the writes
-- in it. A scope written again while it is being rendered is released from the claim, so
-- that it is rendered once more with the newest content.
CREATE TABLE render_queue (
  origin TEXT NOT NULL,     -- the origin the responses are rendered and stored for
  scope TEXT NOT NULL,
  due INTEGER NOT NULL,     -- epoch milliseconds: the end of the window of the first write that queued it
  claim TEXT NOT NULL DEFAULT '', -- the renderer holding it ('' when none)
  claimed_until INTEGER NOT NULL DEFAULT 0, -- epoch milliseconds; after it another renderer may take it
  PRIMARY KEY (origin, scope)
) WITHOUT ROWID;

CREATE INDEX render_queue_due ON render_queue (due);
