-- Articles as the content pipeline compiles them (src/build/), for the D1 storage mode.
-- Written by `npm run import`; read by the worker (src/storage/d1/store.ts).

-- One row per article; the columns are the fields of src/content/types.ts Article.
CREATE TABLE articles (
  id TEXT PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  html TEXT NOT NULL,
  source TEXT,
  author TEXT,
  language TEXT,
  published TEXT NOT NULL, -- RFC 3339, UTC, whole seconds: sorts as text
  updated TEXT NOT NULL,
  topics TEXT NOT NULL,    -- JSON array of topic slugs, in topic order
  file TEXT NOT NULL,
  content_hash TEXT NOT NULL
);

-- "The newest N", and the page after a given article: one index range scan.
CREATE INDEX articles_newest ON articles (published, id);

CREATE TABLE topics (
  slug TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  article_count INTEGER NOT NULL DEFAULT 0 -- kept by the import, so no request counts rows
);

-- An article's membership of a topic, with its date copied in so that "the newest N in a
-- topic" is one range scan of the primary key.
CREATE TABLE article_topics (
  topic TEXT NOT NULL,
  published TEXT NOT NULL,
  article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  PRIMARY KEY (topic, published, article_id)
) WITHOUT ROWID;

CREATE INDEX article_topics_by_article ON article_topics (article_id);

-- version: bumped by every import that changes anything; rendered responses are cached under it.
-- newest_updated: the latest `updated` of any article, the date of an empty listing.
-- article_count: the number of articles. All three are kept by the import.
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

INSERT INTO meta (key, value) VALUES ('version', '0'), ('newest_updated', '1970-01-01T00:00:00Z'), ('article_count', '0');
