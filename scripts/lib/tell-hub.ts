/**
 * After `npm run import`: tells the running site's own WebSub hub that the content moved
 * (`POST /api/hub/sync`), so its subscribers get the imported stories at once rather than
 * at the worker's next cron. The import writes the database from outside the worker and
 * cannot reach the hub's Durable Objects itself.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** How long the site is given to hand the hub every changed feed. */
const TIMEOUT_MS = 30_000;

/** Whether `origin` is this machine (what `npm start` serves). */
export function isLoopback(origin: string): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(new URL(origin).hostname);
}

/** A `.dev.vars` value (`KEY=value` lines, as wrangler reads them), or undefined. */
export function devVar(dir: string, name: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, ".dev.vars"), "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const equals = line.indexOf("=");
    if (equals < 0 || line.slice(0, equals).trim() !== name) continue;
    const value = line.slice(equals + 1).trim();
    const quoted = value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0];
    return quoted ? value.slice(1, -1) : value;
  }
  return undefined;
}

/**
 * The outcome as the import's line ends it. The token is the first of PUBLISH_TOKEN's
 * (the environment, else `.dev.vars` for a local import); it goes only to `origin`.
 */
export async function tellHub(origin: string, tokens: string | undefined): Promise<string> {
  const later = "its next cron delivers the import (within a minute)";
  const token = (tokens ?? "")
    .split(",")
    .map((t) => t.trim())
    .find((t) => t !== "");
  if (token === undefined) return `; the site's own WebSub hub was not told (no PUBLISH_TOKEN in the environment or .dev.vars): ${later}`;
  const url = new URL("/api/hub/sync", origin);
  // The token goes in the clear over http: only to this machine.
  if (url.protocol !== "https:" && !isLoopback(origin))
    return `; the site's own WebSub hub was not told (${origin} is not https, and the token is not sent in the clear): ${later}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      // The token goes to this origin only, never on to where a redirect points.
      redirect: "manual",
    });
  } catch (error) {
    const why = (error as Error).name === "TimeoutError" ? `did not answer within ${TIMEOUT_MS / 1000} s` : "could not be reached";
    return `; the site's own WebSub hub was not told (${origin} ${why}): ${later}`;
  }
  const body = await response.text();
  if (response.status === 404) return `; the site's own WebSub hub was not told (${origin} answered 404: its hub is off, or it has no PUBLISH_TOKEN)`;
  if (!response.ok) return `; the site's own WebSub hub was not told (${origin} answered ${response.status}): ${later}`;
  let scheduled: unknown;
  try {
    scheduled = (JSON.parse(body) as { scheduled?: unknown }).scheduled;
  } catch {
    // Below: not the site's answer.
  }
  if (typeof scheduled !== "number") return `; the site's own WebSub hub was not told (${origin} did not answer as the site does): ${later}`;
  return `; the site's own WebSub hub was told (${scheduled} ${scheduled === 1 ? "delivery" : "deliveries"} scheduled)`;
}
