/**
 * robots.txt (RFC 9309): every crawler may fetch the site, feeds included, but not the
 * publishing API, the publisher's reader counts or the hub's endpoint; the sitemaps are named.
 */
import { HUB_PATH, NEWS_SITEMAP_PATH, SITEMAP_PATH } from "../urls";

export function renderRobots(origin: string): string {
  return [
    "User-agent: *",
    "Allow: /",
    "Disallow: /api/",
    "Disallow: /stats",
    `Disallow: ${HUB_PATH}`,
    "",
    `Sitemap: ${origin}${SITEMAP_PATH}`,
    `Sitemap: ${origin}${NEWS_SITEMAP_PATH}`,
    "",
  ].join("\n");
}
