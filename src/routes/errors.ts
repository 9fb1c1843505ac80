/**
 * What a request that fails is answered with: the missing-page answers for NotFound and
 * Gone, 400 for a bad request, 500 naming a bad setting, 503 while the database cannot be
 * read, and a bare 500 (logged) for anything else.
 */
import { ConfigError } from "../config/settings";
import { StorageError } from "../content/store";
import { ThrottledLog } from "../http/throttled-log";
import { type AppContext, BadRequest, Gone, NotFound } from "./context";
import { gone, notFound } from "./missing";

/** Seconds a reader is asked to wait before retrying while the database is unavailable. */
const RETRY_AFTER_SECONDS = 30;

export function errorAnswers(): (error: Error, c: AppContext) => Response | Promise<Response> {
  // One log line per minute per isolate while the database is down, not one per request.
  const outage = new ThrottledLog(60_000);
  const settingLog = new ThrottledLog(60_000);
  return (error, c) => {
    if (error instanceof NotFound) return notFound(c);
    if (error instanceof Gone) return gone(c);
    if (error instanceof BadRequest) return c.text(`Bad request: ${error.message}.\n`, 400);
    if (error instanceof ConfigError) {
      // The value stays in the log: settings are the operator's, not every visitor's.
      settingLog.report(`configuration error: ${error.message}`);
      return c.text(`Configuration error: the setting ${error.setting} is not valid (the worker's log says why). Fix it in wrangler.toml [vars].\n`, 500);
    }
    if (error instanceof StorageError) {
      // RFC 9110 §15.6.4: a temporary condition; readers retry after the delay.
      outage.report(`storage unavailable, answering 503 for what is not stored: ${error.message}`);
      return c.text("Service unavailable: the article database cannot be read right now. Try again shortly.\n", 503, {
        "Retry-After": String(RETRY_AFTER_SECONDS),
        "Cache-Control": "no-store",
      });
    }
    console.error(error);
    return c.text("Internal error.\n", 500);
  };
}
