/**
 * Counting the polls of each feed, in the isolate: a request adds to the isolate's tally
 * (src/readers/tally.ts) and nothing else, no query and no write; the tally is written to
 * D1 at most once a minute per isolate, after a response (waitUntil). Only a feed's first
 * page counts (GET or HEAD answered 200 or 304); `?before=` pages are readers paging back,
 * not polls.
 */
import type { D1Like, Env } from "../config/env";
import { resolveSite } from "../config/site";
import { Tally } from "../readers/tally";
import { classifyPoller, type Poller } from "../readers/user-agent";
import { countsFailure, writeTally } from "../storage/d1/reader-counts";
import { parseFeedPath } from "../urls";
import type { WorkerFetch } from "./fast-path";

/** Where work after a response is handed (the execution context). */
type Waiter = { waitUntil(work: Promise<unknown>): void };

/** Least time between an isolate's writes of its tally. */
const WRITE_EVERY_MS = 60_000;
/** What of a User-Agent is looked at and kept for the minute: enough to tell clients apart. */
const AGENT_CHARS = 512;
/** User-Agents whose classification is remembered: pollers come back with the same one. */
const KNOWN_AGENTS = 1_000;

/** The feed a request is (its first page), or null: /rss.xml, /topics/{slug}/atom.xml. */
export function feedOf(url: string): string | null {
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  if (pathStart === -1) return null;
  const query = url.indexOf("?", pathStart);
  const path = query === -1 ? url.slice(pathStart) : url.slice(pathStart, query);
  if (query !== -1 && new URLSearchParams(url.slice(query)).has("before")) return null;
  return parseFeedPath(path) === null ? null : path;
}

export class ReaderCounter {
  private readonly tally = new Tally();
  /** When this isolate last wrote its tally, or started: a fresh isolate's first requests add no write (its first answer is the one a quiet site's readers wait for). */
  private lastWrite: number;
  /** Until when a write is taken to be in flight: one whose invocation was cancelled never settles. */
  private writingUntil = 0;
  private readonly agents = new Map<string, Poller>();
  /** Whether each environment counts (READER_COUNTS and a D1 binding), read once per environment. */
  private readonly counting = new WeakMap<object, boolean>();

  constructor(private readonly now: () => number = Date.now) {
    this.lastWrite = now();
  }

  /**
   * Counts a response to a feed poll. Any request a minute or more after the isolate's last
   * write (or its start) hands the tally to `ctx` to write: a busy isolate writes once a minute.
   */
  observe(request: Request, response: Response, env: Env, ctx: Waiter | undefined): void {
    let on = this.counting.get(env);
    if (on === undefined) {
      try {
        on = env.DB !== undefined && resolveSite(env, request.url).settings.readerCounts;
      } catch {
        // Bad settings: the routes answer every request with the error; nothing to count.
        on = false;
      }
      this.counting.set(env, on);
    }
    if (!on) return;
    const now = this.now();
    const status = response.status;
    const method = request.method;
    const feed = (status === 200 || status === 304) && (method === "GET" || method === "HEAD") ? feedOf(request.url) : null;
    if (feed !== null) {
      const agent = (request.headers.get("User-Agent") ?? "").slice(0, AGENT_CHARS);
      this.tally.record(now, feed, this.classify(agent), `${request.headers.get("CF-Connecting-IP") ?? ""}\n${agent}`, status === 304);
    }
    if (!this.tally.empty && now - this.lastWrite >= WRITE_EVERY_MS && now >= this.writingUntil) this.write(env.DB!, ctx, now);
  }

  /** Writes the tally if a minute has passed since the last write (the cron's turn in its isolate). */
  writeIfDue(env: Env, ctx: Waiter | undefined): void {
    const now = this.now();
    if (!this.tally.empty && env.DB !== undefined && now - this.lastWrite >= WRITE_EVERY_MS && now >= this.writingUntil) this.write(env.DB, ctx, now);
  }

  private write(db: D1Like, ctx: Waiter | undefined, now: number): void {
    this.lastWrite = now;
    this.writingUntil = now + WRITE_EVERY_MS / 2;
    const taken = this.tally.take();
    const work = writeTally(db, taken, now)
      .then(({ late }) => {
        if (late > 0) console.error(`reader counts: ${late} client(s) came after their day had closed: their polls are counted, the clients not told apart`);
        if (taken.untold > 0)
          console.error(`reader counts: ${taken.untold} poll(s) were counted without telling their client apart (too many clients in a minute)`);
      })
      .catch((error: Error) => {
        let polls = 0;
        for (const feeds of taken.days.values()) for (const t of feeds.values()) polls += t.polls;
        console.error(`reader counts: a write of ${polls} poll(s) failed and none of them was counted: ${countsFailure(error)}`);
      })
      .finally(() => {
        this.writingUntil = 0;
      });
    try {
      ctx?.waitUntil(work);
    } catch {
      // No execution context (app.request in tests): the write runs on its own.
    }
  }

  private classify(agent: string): Poller {
    let poller = this.agents.get(agent);
    if (poller === undefined) {
      if (this.agents.size >= KNOWN_AGENTS) this.agents.clear();
      poller = classifyPoller(agent);
      this.agents.set(agent, poller);
    }
    return poller;
  }
}

/** The worker's fetch, with every feed poll it answers counted. */
export function withReaderCounts(route: WorkerFetch, counter: ReaderCounter): WorkerFetch {
  return (request, env, ctx) => {
    const answered = route(request, env, ctx);
    if (answered instanceof Promise) {
      return answered.then((response) => {
        counter.observe(request, response, (env ?? {}) as Env, ctx);
        return response;
      });
    }
    counter.observe(request, answered, (env ?? {}) as Env, ctx);
    return answered;
  };
}
