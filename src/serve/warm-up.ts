import type { Env } from "../config/env";
import { resolveSite } from "../config/site";
import { chooseEncoding } from "../http/accept-encoding";
import { notModifiedVariant } from "../http/conditional";
import { toRepresentation } from "../http/representation";
import { sampleStoredCoding } from "../storage/d1/responses";
import type { Stores } from "../storage/stores";
import type { Representations } from "./representations";

/**
 * Cloudflare starts an isolate while the TLS handshake runs, so work done at startup is
 * hidden from the reader, while work on the first request is not. Reading the settings
 * and running the stored-response lookup once here (no I/O, no Response: neither is
 * allowed at startup) means the first request runs code already compiled and finds its
 * settings read; measured in bench/ (fresh isolates), it saves about a millisecond.
 * `origin`: the build's stored origin, if any.
 */
export function warmUp(env: Env, stores: Stores, representations: Representations, origin: string | null): void {
  try {
    const site = resolveSite(env, `${origin || "https://startup.invalid"}/`);
    const store = stores.store(env, site.settings);
    const snapshot = store.currentSnapshot();
    // The D1 mode's first request reads one coding of a stored response (coldRead) by the
    // site's key, worked out here; its decoding runs here once on a made-up one.
    if (store.responses !== undefined) representations.siteKey(site);
    const rep = snapshot ? representations.peek(site, snapshot, "/") : store.responses && toRepresentation(sampleStoredCoding().response);
    if (rep) {
      const variant = rep[chooseEncoding("gzip, br", rep.codings)] ?? rep.identity;
      void variant.headers;
      notModifiedVariant(new Headers({ "If-None-Match": variant.etag }), rep, variant);
    }
  } catch {
    // Bad settings: the first request answers with the error.
  }
}
