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
    const changed = last?.marks === undefined ? bundle.updatedAfter(new Date(now - FIRST_WINDOW_MS).toISOString()) : bundle.unmarkedIn(decodeMarks(last.marks));
    const urls = changedUrls(changed).map((path) => `${origin}${path}`);
    const record: Submitted = { contentId: bundle.contentId, marks: Buffer.from(bundle.sortedMarks().buffer).toString("base64") };
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

/** The marks of the last bundle, as recorded (base64 of sorted little-endian u32s). */
function decodeMarks(recorded: string): Uint32Array {
  // Copied: a decoded Buffer may sit at an offset a Uint32Array cannot view.
  const bytes = new Uint8Array(Buffer.from(recorded, "base64"));
  return new Uint32Array(bytes.buffer, 0, Math.floor(bytes.byteLength / 4));
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
