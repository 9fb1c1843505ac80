/**
 * The responses waiting to be rendered again after writes (migrations/0006): each write
 * queues the scopes it made stale in its own transaction, and one renderer per window
 * claims every scope that is due and renders each once, for all the writes in the window.
 * A write that lands while its scopes are being rendered releases them from the claim, so
 * they are rendered once more, with the newest content; a renderer that dies leaves its
 * claim to lapse, and the next one (the next write's, or the minutely cron) takes them.
 */
import type { D1Like } from "../../config/env";
import type { Statement } from "./sql";

/** A scope of src/storage/d1/responses.ts (main, site, topic:<slug>, author:<slug>, source:<slug>, article:<slug>), or "all" when every response went stale. */
export type QueuedScope = string;

/** How long a renderer holds what it claimed before another may take it. */
const CLAIM_MS = 60_000;
/** Scopes per statement: three parameters each, within D1's 100. */
const PER_STATEMENT = 30;

/**
 * Queues `scopes` to be rendered for `origin` once `due` (epoch ms) has passed. A scope
 * already waiting keeps its earlier time, so the first write of a window sets it; one being
 * rendered is released, due again at `due`.
 */
export function queueRender(origin: string, scopes: readonly QueuedScope[], due: number): Statement[] {
  const unique = [...new Set(scopes)].sort();
  const out: Statement[] = [];
  for (let i = 0; i < unique.length; i += PER_STATEMENT) {
    const group = unique.slice(i, i + PER_STATEMENT);
    out.push({
      sql: `INSERT INTO render_queue (origin, scope, due) VALUES ${group.map(() => "(?, ?, ?)").join(", ")}
            ON CONFLICT (origin, scope) DO UPDATE SET
              due = CASE WHEN claim = '' THEN MIN(due, excluded.due) ELSE excluded.due END, claim = '', claimed_until = 0`,
      params: group.flatMap((scope) => [origin, scope, due]),
    });
  }
  return out;
}

/** What a renderer took: the scopes due, by origin. */
export interface Claimed {
  token: string;
  byOrigin: Map<string, QueuedScope[]>;
}

/** Claims every scope due at `now` that no renderer holds (an atomic update: two renderers never take one scope). */
export async function claimDue(db: D1Like, now: number, token: string = crypto.randomUUID()): Promise<Claimed> {
  const [claimed] = await db.batch([
    db
      .prepare("UPDATE render_queue SET claim = ?1, claimed_until = ?2 WHERE due <= ?3 AND claimed_until < ?3 RETURNING origin, scope")
      .bind(token, now + CLAIM_MS, now),
  ]);
  const byOrigin = new Map<string, QueuedScope[]>();
  for (const row of claimed!.results as { origin: string; scope: string }[]) byOrigin.set(row.origin, [...(byOrigin.get(row.origin) ?? []), row.scope]);
  for (const scopes of byOrigin.values()) scopes.sort();
  return { token, byOrigin };
}

/** Done with what `token` claimed: what a write released meanwhile stays queued. */
export function releaseClaim(token: string): Statement {
  return { sql: "DELETE FROM render_queue WHERE claim = ?", params: [token] };
}
