/**
 * The Google News sitemap (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap):
 * the articles published in the last two days, at most 1,000, newest first, each with the
 * publication's name and language, its publication date and its title.
 */
import type { RecentEntry } from "../content/store";
import { escapeXml, stripInvalidXmlChars } from "../text/xml";
import { articlePath } from "../urls";

/** Google's rules: articles of the last two days, at most 1,000 a sitemap. */
const NEWS_WINDOW_MS = 48 * 3_600_000;
export const NEWS_LIMIT = 1_000;
/**
 * A rendering holds for one slice of time, and a cache may keep it one slice more: it is
 * rendered with the cutoff of the end of the slice after, so no article in it is older than
 * two days while it is served or cached (one leaves at most two slices early).
 */
export const NEWS_SLICE_MS = 5 * 60_000;

/** The slice `now` falls in, and the cutoff its rendering uses: articles published after it are listed. */
export function newsSlice(now: number): { slice: number; since: string } {
  const slice = Math.floor(now / NEWS_SLICE_MS);
  const since = new Date((slice + 2) * NEWS_SLICE_MS - NEWS_WINDOW_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
  return { slice, since };
}

/** Google News takes ISO 639 codes, and zh-cn or zh-tw for Chinese. */
export function newsLanguage(tag: string): string {
  const lower = tag.toLowerCase();
  if (lower === "zh" || lower.startsWith("zh-")) return /^zh-(hant|tw|hk|mo)/.test(lower) ? "zh-tw" : "zh-cn";
  return lower.split("-")[0]!;
}

export function renderNewsSitemap(origin: string, publication: { name: string; language: string }, entries: readonly RecentEntry[]): string {
  const name = escapeXml(stripInvalidXmlChars(publication.name));
  const language = escapeXml(newsLanguage(publication.language));
  const urls = entries.map(
    (e) =>
      `  <url>\n    <loc>${escapeXml(`${origin}${articlePath(e.slug)}`)}</loc>\n    <news:news>\n      <news:publication>\n        <news:name>${name}</news:name>\n        <news:language>${language}</news:language>\n      </news:publication>\n      <news:publication_date>${escapeXml(e.published)}</news:publication_date>\n      <news:title>${escapeXml(stripInvalidXmlChars(e.title))}</news:title>\n    </news:news>\n  </url>\n`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n${urls.join("")}</urlset>\n`;
}
