/** Cloudflare's limits the bench measures against, and the largest archive the bundled mode holds under them. */
import type { CorpusResult } from "./corpus";

/** Cloudflare's limit on a worker's size, uncompressed, on every plan since 2026-09 (cloudflare/workers-sdk#14001). */
export const LIMIT_MIB = 64;
/** Cloudflare's memory limit per isolate, and the bench's target under it. */
export const MEMORY_LIMIT_MB = 128;
export const MEMORY_TARGET_MB = 96;

export interface Capacity {
  /** The worker's size without articles. */
  fixedMiB: number;
  perArticleKiB: number;
  /** Articles that fit, rounded down to a thousand. */
  articles: number;
}

/** Articles that fit the size limit, from the sizes of two archives (1,000 and 10,000): a fixed part and a part per article. */
export function capacity(results: CorpusResult[]): Capacity | null {
  const k1 = results.find((r) => r.articles === 1000);
  const k10 = results.find((r) => r.articles === 10000);
  if (!k1 || !k10) return null;
  const perArticleKiB = (k10.bundle.rawKiB - k1.bundle.rawKiB) / 9000;
  const fixedMiB = (k1.bundle.rawKiB - perArticleKiB * 1000) / 1024;
  // A margin of 1 MiB, as the build keeps.
  return { fixedMiB, perArticleKiB, articles: Math.floor(((LIMIT_MIB - 1 - fixedMiB) * 1024) / perArticleKiB / 1000) * 1000 };
}
