-- Responses rendered ahead of requests (src/storage/d1/responses.ts): written by `npm run import`
-- for what an import changed, and by the worker for what it rendered on request, so a
-- fresh isolate answers with one indexed read. A response's bytes (src/http/response-bytes.ts)
-- are split over rows of at most 48,000 bytes, `part` 0, 1, ..., each kept as base64 text
-- (D1 hands BLOBs to a worker as arrays of numbers, much slower to read).

CREATE TABLE responses (
  site TEXT NOT NULL,      -- origin and rendering settings, hashed (src/serve/representations.ts)
  path TEXT NOT NULL,      -- path with its ?before= cursor, or "(not found)"
  part INTEGER NOT NULL,
  scope TEXT NOT NULL,     -- what it shows: main, topic:<slug>, article:<slug> or site; an import deletes by scope
  version INTEGER NOT NULL, -- the content version it was rendered from
  data TEXT NOT NULL,       -- base64
  PRIMARY KEY (site, path, part)
) WITHOUT ROWID;

CREATE INDEX responses_by_scope ON responses (scope);
