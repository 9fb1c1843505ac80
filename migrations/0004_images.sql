-- Pictures of articles (src/compile/images.ts).

-- The article's picture as JSON (src/content/types.ts ArticleImage), or NULL.
ALTER TABLE articles ADD COLUMN image TEXT;

-- Local images `npm run import` has put in the R2 bucket bound as MEDIA, by key
-- (`media/<hash>.<ext>`): an import uploads only what is not listed here.
CREATE TABLE media (
  key TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  length INTEGER NOT NULL
);
