-- Publishing over HTTP (src/api/), scheduled articles and WebSub notifications.

-- Articles accepted with a date in the future: invisible until the cron releases them
-- (src/publish/release.ts). `draft` is the parsed article (src/compile/parse-article.ts
-- ArticleDraft) as JSON; its slug and topics are settled when it is released.
CREATE TABLE scheduled (
  id TEXT PRIMARY KEY,
  published TEXT NOT NULL, -- RFC 3339, UTC: when it is released
  updated TEXT NOT NULL,
  draft TEXT NOT NULL,
  content_hash TEXT NOT NULL
);

CREATE INDEX scheduled_due ON scheduled (published);

-- Pages of deleted articles answer 410 Gone, not 404: a reader's link was right once.
CREATE TABLE gone (
  slug TEXT PRIMARY KEY,
  article_id TEXT NOT NULL,
  deleted TEXT NOT NULL
);

-- WebSub publish notifications waiting to be sent: each is due once every isolate serves
-- the change (CONTENT_TTL after it), and retried with backoff when a hub fails.
CREATE TABLE websub_pending (
  id INTEGER PRIMARY KEY,
  hub TEXT NOT NULL,
  urls TEXT NOT NULL,      -- JSON array of the feed URLs that changed
  due INTEGER NOT NULL,    -- epoch milliseconds
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed INTEGER NOT NULL DEFAULT 0 -- epoch milliseconds until which a sender holds it
);

CREATE INDEX websub_pending_due ON websub_pending (due);

-- next_release: the earliest `published` of a scheduled article (empty when none): an
-- isolate checks the content version again once it passes. topic_definitions: the topic
-- file the import used (JSON), so that the API files articles as the import does.
INSERT INTO meta (key, value) VALUES ('next_release', ''), ('topic_definitions', '');
