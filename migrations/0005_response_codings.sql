-- Each content coding of a stored response in rows of its own (src/storage/d1/responses.ts), so that
-- a fresh isolate reads only the coding it sends: for a feed, the 30 KB of brotli rather
-- than every coding's 210 KB. The table holds renderings only, each of which the worker
-- renders and stores again when asked for it: it is emptied, not converted.

DROP TABLE responses;

CREATE TABLE responses (
  site TEXT NOT NULL,      -- origin and rendering settings, hashed (src/serve/representations.ts)
  path TEXT NOT NULL,      -- path with its ?before= cursor, or "(not found)"
  coding TEXT NOT NULL,    -- identity, gzip or br
  part INTEGER NOT NULL,   -- the coding's bytes (src/http/response-bytes.ts, serializeCoding) in rows of at most 48,000 bytes
  scope TEXT NOT NULL,     -- what it shows: main, topic:<slug>, article:<slug> or site; an import deletes by scope
  version INTEGER NOT NULL, -- the content version it was rendered from
  data TEXT NOT NULL,       -- base64
  PRIMARY KEY (site, path, coding, part)
) WITHOUT ROWID;

CREATE INDEX responses_by_scope ON responses (scope);
