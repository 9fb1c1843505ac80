/**
 * IndexNow (https://www.indexnow.org/documentation): the search engines that share it (Bing,
 * Yandex, Seznam, Naver and others) are told of the URLs a change made new, in one JSON POST
 * per change (at most 10,000 URLs a request), with the site's key, which `/{key}.txt`
 * publishes. Like the WebSub notices, a submission waits in D1 until every isolate serves
 * the change (CONTENT_TTL), is sent by the write's own afterwards or by the minutely cron,
 * and is retried with backoff; it never fails or delays a publish.
 */
import type { D1Like } from "../config/env";
import { type Attempt, MAX_ATTEMPTS, type OutboxReport, sendDue } from "../storage/d1/outbox";
import { chunksBySize, MAX_STATEMENT_CHARS, type Statement } from "../storage/d1/sql";
import { articlePath, groupOfKey, groupPagePath, HOME_PATH, TOPICS_PATH } from "../urls";

/** The protocol's limit of URLs in one request. */
const URLS_PER_REQUEST = 10_000;
const TIMEOUT_MS = 10_000;

/**
 * The URLs a change made new, from what it made stale (src/storage/d1/responses.ts scopes):
 * the home page, the pages of the topics, authors and sources it touched (every topic: the topic index), and
 * the articles it wrote or deleted (`written`: those of a change that touched everything).
 */
export function changedPageUrls(origin: string, scopes: readonly string[] | "all", written: readonly string[]): string[] {
  const all = scopes === "all" || scopes.includes("all");
  const named = (prefix: string) => (scopes === "all" ? [] : scopes.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length)));
  const groups = scopes === "all" ? [] : scopes.flatMap((key) => groupOfKey(key) ?? []);
  const paths = [
    HOME_PATH,
    ...(all ? [TOPICS_PATH] : []),
    ...groups.map(({ kind, slug }) => groupPagePath(kind, slug)),
    ...[...written, ...named("article:")].map(articlePath),
  ];
  return [...new Set(paths)].map((path) => `${origin}${path}`);
}

/**
 * The statements that queue `urls` for IndexNow, due at `due` (epoch ms): one request each,
 * of at most URLS_PER_REQUEST URLs and of a size a D1 statement takes with its values
 * written in (the remote import sends them so).
 */
export function queueSubmissions(urls: readonly string[], due: number): Statement[] {
  const rows = chunksBySize(
    urls.map((url) => ({ url })),
    URLS_PER_REQUEST,
    MAX_STATEMENT_CHARS / 2,
  );
  return rows.map((group) => ({ sql: "INSERT INTO indexnow_pending (urls, due) VALUES (?, ?)", params: [JSON.stringify(group.map((r) => r.url)), due] }));
}

export interface IndexNow {
  key: string;
  endpoint: string;
}

/**
 * Sends every submission due at `now` (src/storage/d1/outbox.ts). A 2xx is taken (the
 * protocol answers 200 or 202); 429 and 5xx, or no answer in 10 s, are tried again with
 * backoff; another 4xx (a key the engine cannot verify, URLs of another host) is given up
 * at once: sending again would get the same answer. Every failure logs one line.
 */
export function submitDue(
  db: D1Like,
  now: number,
  indexNow: IndexNow,
  send: typeof fetch = fetch,
  log: (line: string) => void = (l) => console.error(l),
): Promise<OutboxReport> {
  return sendDue<{ id: number; attempts: number; urls: string }>(
    db,
    "indexnow_pending",
    "urls",
    now,
    async (submission): Promise<Attempt> => {
      const urls = JSON.parse(submission.urls) as string[];
      const site = new URL(urls[0]!);
      try {
        const res = await send(indexNow.endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json; charset=utf-8" },
          body: JSON.stringify({ host: site.host, key: indexNow.key, keyLocation: `${site.origin}/${indexNow.key}.txt`, urlList: urls }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.body?.cancel();
        if (res.ok) return { sent: true };
        return { sent: false, failure: `answered ${res.status}`, final: res.status >= 400 && res.status < 500 && res.status !== 429 };
      } catch (error) {
        return { sent: false, failure: (error as Error).name === "TimeoutError" ? `did not answer within ${TIMEOUT_MS / 1000} s` : "could not be reached" };
      }
    },
    {
      gaveUp: (s, attempts, failure) =>
        `indexnow: gave up submitting ${(JSON.parse(s.urls) as string[]).length} URL(s) to ${indexNow.endpoint} after ${attempts} attempt(s): ${failure}`,
      retry: (_s, failure, minutes, attempts) =>
        `indexnow: ${indexNow.endpoint} ${failure}; trying again in ${minutes} min (attempt ${attempts} of ${MAX_ATTEMPTS})`,
    },
    log,
  );
}
