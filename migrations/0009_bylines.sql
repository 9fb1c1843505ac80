-- Author and source feeds (src/content/groups.ts): each author's and each source's articles,
-- as topics have theirs. The slug is made from the name by the importer and the publishing
-- API (SQL cannot make it), so the articles already here are filed by the next
-- `npm run import`, which reads `bylines_filled`.

-- kind: 'author' or 'source'. Rows stay when the last article goes (their URLs keep answering).
CREATE TABLE bylines (
  kind TEXT NOT NULL,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,      -- as the latest article written with it spells it
  article_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, slug)
) WITHOUT ROWID;

-- An article's author and source, with its date copied in: "the newest N by an author" is
-- one range scan of the primary key.
CREATE TABLE article_bylines (
  kind TEXT NOT NULL,
  slug TEXT NOT NULL,
  published TEXT NOT NULL,
  article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  PRIMARY KEY (kind, slug, published, article_id)
) WITHOUT ROWID;

CREATE INDEX article_bylines_by_article ON article_bylines (article_id);

INSERT INTO meta (key, value) VALUES ('bylines_filled', CASE WHEN EXISTS (SELECT 1 FROM articles) THEN '0' ELSE '1' END)
  ON CONFLICT (key) DO NOTHING;

-- Article pages now link their author and source, and the OPML lists their feeds.
DELETE FROM responses;
