/** Headers that every response of a kind carries. */

/** Feeds are fetched by readers and by web apps in other origins; they are never HTML. */
export const FEED_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "ETag, Last-Modified",
};

/**
 * Pages carry article text, so they run no script from anywhere, load styles and images
 * only as listed, and cannot be framed.
 */
export const PAGE_HEADERS: Record<string, string> = {
  "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
};

/**
 * Fresh for `maxAge` seconds; then a cache may serve the stored copy for up to a day
 * while it revalidates in the background (RFC 5861), which a 304 makes cheap.
 */
export function cacheControl(maxAge: number): string {
  return `public, max-age=${maxAge}, stale-while-revalidate=86400`;
}
