/**
 * `/stats`, `/stats.json` and `/stats.csv`: readers per feed (src/readers/report.ts), for
 * the publisher. Open with a token of PUBLISH_TOKEN or STATS_TOKEN, as a bearer token or
 * as the password of HTTP Basic authentication (what a browser asks for); without a valid
 * one, 401 as the API answers. Never cached.
 */
import type { Context, Hono } from "hono";
import type { D1Like, Env } from "../config/env";
import { authorized, publishTokens } from "../http/bearer";
import { PAGE_HEADERS } from "../http/policy";
import { buildReport, reportCsv, reportDays } from "../readers/report";
import { countsFailure, keptSince, readCounts } from "../storage/d1/reader-counts";
import { pageContext } from "../views/context";
import { HTML_TYPE, htmlDocument } from "../views/html";
import { StatsPage } from "../views/stats-page";
import type { AppVariables } from "./context";

const PRIVATE = { "Cache-Control": "no-store", "X-Robots-Tag": "noindex" };

/** The bearer token, or the password of Basic credentials (RFC 7617), as a bearer header for `authorized`. */
function offered(header: string | null): string | null {
  if (header === null || !/^basic /i.test(header)) return header;
  let decoded: string;
  try {
    decoded = atob(header.slice(6).trim());
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  return colon === -1 ? null : `Bearer ${decoded.slice(colon + 1)}`;
}

export function statsRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>, clock: () => number = Date.now): void {
  const answer = async (c: Context<{ Bindings: Env; Variables: AppVariables }>, format: "html" | "json" | "csv") => {
    const tokens = [...publishTokens(c.env?.PUBLISH_TOKEN), ...publishTokens(c.env?.STATS_TOKEN)];
    if (tokens.length === 0) return c.notFound();
    if (!(await authorized(offered(c.req.header("Authorization") ?? null), tokens))) {
      const refused = new Headers({ ...PRIVATE, "Content-Type": "text/plain; charset=utf-8" });
      // Two challenges, two lines: a browser reads the first of a line, and asks for Basic credentials.
      refused.append("WWW-Authenticate", 'Basic realm="stats", charset="UTF-8"');
      refused.append("WWW-Authenticate", 'Bearer realm="stats"');
      return new Response("Authentication required: send Authorization: Bearer <token> (or the token as a Basic password).\n", {
        status: 401,
        headers: refused,
      });
    }
    const { settings } = c.get("site");
    const now = clock();
    const off =
      c.env.DB === undefined
        ? "Reader counts are off: bind a D1 database as DB in wrangler.toml and apply the migrations (README, Readers)."
        : settings.readerCounts
          ? null
          : 'Reader counts are off: READER_COUNTS is "off" in wrangler.toml (README, Readers).';
    let rows: Awaited<ReturnType<typeof readCounts>> | null = null;
    if (off === null) {
      // The CSV has every stored row; the page and the JSON, the days the chart shows.
      const from = format === "csv" ? keptSince(now, settings.readerRetentionDays) : reportDays(now)[0]!;
      try {
        rows = await readCounts(c.env.DB as D1Like, from);
      } catch (error) {
        const reason = countsFailure(error as Error);
        console.error(`stats: the reader counts could not be read: ${reason}`);
        return c.text(`The reader counts could not be read: ${reason}\n`, 503, { ...PRIVATE, "Retry-After": "60" });
      }
    }
    if (format === "csv") {
      if (rows === null) return c.text(`${off}\n`, 404, PRIVATE);
      return c.body(reportCsv(rows.sources, rows.polls), 200, { ...PRIVATE, "Content-Type": "text/csv; charset=utf-8; header=present" });
    }
    const report = rows === null ? null : buildReport(now, rows.sources, rows.polls);
    if (format === "json") {
      const body = report === null ? { counting: false, reason: off } : { counting: true, ...report };
      return c.body(`${JSON.stringify(body, null, 2)}\n`, 200, { ...PRIVATE, "Content-Type": "application/json; charset=utf-8" });
    }
    const ctx = await pageContext(c.get("site"), await c.get("store").snapshot(), c.get("images"));
    return c.body(await htmlDocument(StatsPage({ ctx, report, off })), 200, { ...PAGE_HEADERS, ...PRIVATE, "Content-Type": HTML_TYPE });
  };
  app.get("/stats", (c) => answer(c, "html"));
  app.get("/stats.json", (c) => answer(c, "json"));
  app.get("/stats.csv", (c) => answer(c, "csv"));
}
