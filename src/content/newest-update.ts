import type { Article } from "./types";

/** The latest `updated` among `articles` (RFC 3339 strings in UTC compare as text), or null. */
export function newestUpdate(articles: readonly Article[]): string | null {
  let newest: string | null = null;
  for (const a of articles) if (newest === null || a.updated > newest) newest = a.updated;
  return newest;
}
