/**
 * IndexNow in the bundled mode: the content changes only with a deploy, so the first cron
 * after one submits what it changed. What was last submitted for (the bundle's content id and
 * the marks of its articles: a hash of each one's slug and `updated`) and the submissions
 * waiting to be sent live in D1 (the database the reader counts use, `indexnow_pending` of
 * migration 0008): without one bound there is nowhere to remember a deploy or to retry from,
 * and nothing is submitted (README says so).
 */
import { Buffer } from "node:buffer";
import type { D1Like } from "../config/env";
import type { Settings } from "../config/settings";
import { scopesOf } from "../content/groups";
import type { Article } from "../content/types";
import type { PackedStore } from "../storage/bundle/packed-store";
import { applyStatements } from "../storage/d1/apply";
import { articlePath, HOME_PATH, scopePagePath, TOPICS_PATH } from "../urls";
import { queueSubmissions, submitDue } from "./indexnow";

/** On the first cron with IndexNow on, there is no earlier deploy to compare with: the articles of the last 48 hours are new. */
const FIRST_WINDOW_MS = 48 * 3600 * 1000;

/** What meta `indexnow_bundle` records of the last bundle submitted for. */
interface Submitted {
  contentId: string;
  /** Its articles' marks, sorted, as base64 of little-endian u32s. */
  marks: string;
}

/**
 * Queues, once per deployed bundle, the URLs it changed: the home page, the topic index, and
 * every article new or updated since the last bundle submitted for (whatever its date: a
 * story filed late with its original time is new all the same), with its topic, author and
 * source pages; then sends what is due (this and earlier submissions being retried). The
 * record and the queued submission are written together: a cron that fails between them
 * leaves neither, and the next one queues it again.
 */
export async function submitDeployChanges(
  db: D1Like,
  bundle: PackedStore,
  settings: Settings,
  origin: string,
  now: number,
  send: typeof fetch | undefined,
  log: (line: string) => void,
): Promise<number> {
  if (settings.indexNow === null) return 0;
  const row = await db.prepare("SELECT value FROM meta WHERE key = 'indexnow_bundle'").first<{ value: string }>();
  const last = row === null ? null : (JSON.parse(row.value) as Partial<Submitted>);
  let queued = 0;
  if (last?.contentId !== bundle.contentId) {
    const marks = bundle.articleMarks();
    const changed = last?.marks === undefined ? bundle.updatedAfter(new Date(now - FIRST_WINDOW_MS).toISOString()) : unmarked(bundle, marks, last.marks);
    const urls = changedUrls(changed).map((path) => `${origin}${path}`);
    const record: Submitted = { contentId: bundle.contentId, marks: Buffer.from(Uint32Array.from(marks).sort().buffer).toString("base64") };
    queued = urls.length;
    await applyStatements(db, [
      ...queueSubmissions(urls, now),
      {
        sql: "INSERT INTO meta (key, value) VALUES ('indexnow_bundle', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params: [JSON.stringify(record)],
      },
    ]);
    log(`indexnow: this deploy changed ${urls.length} URL(s); submitting them`);
  }
  await submitDue(db, now, settings.indexNow, send, log);
  return queued;
}

/** The articles whose marks the last bundle did not have (its marks sorted, base64): new, or updated. */
function unmarked(bundle: PackedStore, marks: Uint32Array, before: string): Article[] {
  // Copied: a decoded Buffer may sit at an offset a Uint32Array cannot view.
  const bytes = new Uint8Array(Buffer.from(before, "base64"));
  const known = new Uint32Array(bytes.buffer, 0, Math.floor(bytes.byteLength / 4));
  const positions: number[] = [];
  for (let p = 0; p < marks.length; p++) if (!has(known, marks[p]!)) positions.push(p);
  return bundle.articlesAt(positions);
}

function has(sorted: Uint32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] === value) return true;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The home page and the topic index, and each article's page with its topic, author and source pages. */
function changedUrls(articles: readonly Article[]): string[] {
  const paths = new Set([HOME_PATH, TOPICS_PATH]);
  for (const article of articles) {
    paths.add(articlePath(article.slug));
    for (const scope of scopesOf(article)) paths.add(scopePagePath(scope));
  }
  return [...paths];
}
