/**
 * The site's own WebSub hub, as subscribers reach it (W3C WebSub §5): `POST /websub` with
 * a form. Every refusal is a 4xx with a one-line reason; an accepted request is answered
 * 202 at once and verified with a GET to the callback afterwards (§5.3). The hub itself is
 * Durable Objects: the subscriptions in src/websub/hub-object.ts, the deliveries and their
 * retries in src/websub/courier-object.ts.
 */
import type { Hono } from "hono";
import type { Env } from "../config/env";
import { groupOf } from "../content/groups";
import { readCapped } from "../http/read-capped";
import { HUB_PATH } from "../urls";
import { sendDenial } from "../websub/callbacks";
import { ownHub, type ServedFeed } from "../websub/hub-push";
import { parseHubRequest } from "../websub/hub-request";
import { type AppContext, type AppVariables, requestScope } from "./context";

/** A subscription form is a few URLs and a secret. */
const MAX_FORM_BYTES = 16 * 1024;

function answer(c: AppContext, status: 202 | 400 | 403 | 404 | 405 | 413 | 415 | 429 | 503, line: string, headers: Record<string, string> = {}): Response {
  return c.text(`${line}\n`, status, { "Cache-Control": "no-store", ...headers });
}

export function hubRoutes(app: Hono<{ Bindings: Env; Variables: AppVariables }>, served: (c: AppContext) => ServedFeed): void {
  app.post(HUB_PATH, async (c) => {
    const { settings, origin } = c.get("site");
    if (!settings.ownHub) return answer(c, 404, "This site runs no WebSub hub (WEBSUB_OWN_HUB is off).");
    const hub = ownHub(c.env ?? {});
    if (hub === null) return answer(c, 503, "The hub is not set up: it needs the Durable Object binding HUB (wrangler.toml).");
    const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") return answer(c, 415, "Send the request as a form: Content-Type: application/x-www-form-urlencoded.");
    const body = await readCapped(c.req.raw.body, MAX_FORM_BYTES);
    if (body === null) return answer(c, 413, `A subscription request may be at most ${MAX_FORM_BYTES / 1024} KiB.`);
    // Counted before anything is sent anywhere: a denial GET is a request to someone too.
    // Cloudflare names the client; `npm start` and tests have no such header, and share one allowance.
    const client = c.req.header("CF-Connecting-IP") ?? "local";
    const perMinute = settings.hubLimits.requestsPerMinute;
    if (!(await hub.allow(client, perMinute))) {
      return answer(c, 429, `Refused: more than ${perMinute} subscription requests a minute from one client; try again in a minute.`, { "Retry-After": "60" });
    }
    const parsed = parseHubRequest(new URLSearchParams(new TextDecoder().decode(body)), origin);
    const defer = requestScope(c).defer;
    if (!parsed.ok) {
      if (parsed.deny) defer(sendDenial(parsed.callback!, parsed.topic!, parsed.reason));
      return answer(c, 400, `Refused: ${parsed.reason}.`);
    }
    const { request, feed } = parsed;
    if (feed.scope.kind !== undefined) {
      const snapshot = await c.get("store").snapshot();
      if (groupOf(snapshot, feed.scope) === undefined) {
        const reason = `hub.topic names no ${feed.scope.kind} of this site (${feed.scope.slug})`;
        defer(sendDenial(request.callback, request.topic, reason));
        return answer(c, 400, `Refused: ${reason}.`);
      }
    }
    const admission = await hub.admit(request, settings.hubLimits);
    if (!admission.admitted) return answer(c, admission.status, `Refused: ${admission.reason}.`);
    const feedNow = served(c);
    defer(
      (async () => {
        // The feed as it is before verification: a change that lands while the callback is
        // asked is news to the subscriber, and its push must not find its bytes remembered.
        const before = request.mode === "subscribe" ? await feedNow(request.topic) : null;
        const outcome = await hub.verify(request, settings.hubLimits);
        if (outcome === "subscribed" && before !== null) await hub.remember(before);
      })(),
    );
    return answer(c, 202, `Accepted: the hub will verify this ${request.mode} request with a GET to the callback.`);
  });
  app.all(HUB_PATH, (c) =>
    c.get("site").settings.ownHub
      ? answer(c, 405, "This is the site's WebSub hub: subscribers POST a form here (W3C WebSub §5.1).", { Allow: "POST" })
      : answer(c, 404, "This site runs no WebSub hub (WEBSUB_OWN_HUB is off)."),
  );
}
