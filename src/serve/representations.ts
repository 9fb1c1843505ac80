import { createHash } from "node:crypto";
import type { Site } from "../config/site";
import { type ContentStore, type Snapshot, StorageError } from "../content/store";
import { chooseEncoding } from "../http/accept-encoding";
import { type EncodedResponse, encodeResponse, type Representation, type ServeOptions, toRepresentation } from "../http/representation";
import type { RepresentationCache } from "../http/representation-cache";
import type { PackedResponses } from "../storage/bundle/response-pack";

/** A body with its type and date, produced only when no rendering is stored yet. */
export interface Rendering {
  /** Text (feeds, pages), or the bytes of an image. */
  body: string | Uint8Array<ArrayBuffer>;
  contentType: string;
  /** RFC 3339: the newest update among what the body shows. */
  lastModified: string | null;
  options: ServeOptions;
}

/** Key of the not-found page, the one body every unknown path is answered with; no path looks like it. */
export const NOT_FOUND_KEY = "(not found)";
/** Key of the page of a deleted article (410 Gone). */
export const GONE_KEY = "(gone)";

/** What a request has to say about where it is served from. */
export interface RequestScope {
  site: Site;
  store: ContentStore;
  /** Work to finish after the response is sent (ExecutionContext.waitUntil). */
  defer: (work: Promise<unknown>) => void;
}

/** The build or the import, collecting each rendering instead of serving stored ones. */
export type Collector = (path: string, encoded: EncodedResponse) => void;

/**
 * Where a response comes from, cheapest first: this isolate's memory; the responses the
 * build stored (bundled) or the import stored (D1); rendering it, once per isolate and
 * content version. When the store fails, the last rendering of the same response is
 * served stale (RFC 5861 stale-if-error) and only what was never rendered fails.
 */
export class Representations {
  private readonly siteKeys = new Map<string, string>();

  constructor(
    private readonly cache: RepresentationCache,
    private readonly built: PackedResponses | null,
    private readonly collect: Collector | null = null,
  ) {}

  /** The response for `path` when it is at hand without waiting: rendered here, or stored by the build. */
  peek(site: Site, snapshot: Snapshot, path: string): Representation | undefined {
    return this.builtFor(site, snapshot)?.get(path) ?? this.cache.peek(`${site.key} ${path}`, snapshot.version);
  }

  /**
   * A request in an isolate that knows no current snapshot, where responses are kept beside
   * the content (D1): one read of only the coding `accept` asks for. Undefined when nothing
   * is stored for `path` (the routes then render it). It is served, not kept: it holds one
   * coding's bytes (the others' tags only, for If-None-Match).
   */
  async coldRead(site: Site, store: ContentStore, path: string, accept: string | null): Promise<Representation | undefined> {
    const table = store.responses;
    if (this.collect !== null || table === undefined) return undefined;
    const stored = await table.coding(this.siteKey(site), path, chooseEncoding(accept, ["br", "gzip"]));
    if (stored === null) return undefined;
    const rep = toRepresentation(stored.response);
    // The coding a 200 sends must be the one read (it is, unless the rows are damaged).
    return chooseEncoding(accept, rep.codings) === stored.coding ? rep : undefined;
  }

  async get(scope: RequestScope, snapshot: Snapshot, path: string, render: () => Promise<Rendering>): Promise<Representation> {
    const { site, store } = scope;
    const built = this.builtFor(site, snapshot)?.get(path);
    if (built !== undefined) return built;
    const slot = `${site.key} ${path}`;
    try {
      return await this.cache.get(slot, snapshot.version, async () => {
        const table = this.collect === null ? store.responses : undefined;
        const key = table === undefined ? "" : this.siteKey(site);
        const stored = table === undefined ? null : await table.get(key, path);
        if (stored !== null) return toRepresentation(stored);
        const r = await render();
        const encoded = await encodeResponse(r.body, r.contentType, r.lastModified, r.options);
        this.collect?.(path, encoded);
        if (table !== undefined && storesFor(site, snapshot)) scope.defer(table.put(key, snapshot, path, encoded));
        return toRepresentation(encoded);
      });
    } catch (error) {
      const stale = error instanceof StorageError ? this.cache.stale(slot) : undefined;
      if (stale !== undefined) return stale;
      throw error;
    }
  }

  /** The build's responses, when they were made for this content, origin and settings. */
  private builtFor(site: Site, snapshot: Snapshot): PackedResponses | null {
    const built = this.built;
    if (built === null || this.collect !== null || snapshot.version !== "bundled") return null;
    return built.origin === site.origin && built.fingerprint === site.fingerprint ? built : null;
  }

  /** The key of a site's rows in the D1 responses table: the same in every isolate and in the import. */
  siteKey(site: Site): string {
    let key = this.siteKeys.get(site.key);
    if (key === undefined) {
      key = responseSiteKey(site.origin, site.fingerprint);
      this.siteKeys.set(site.key, key);
    }
    return key;
  }
}

/**
 * Whether renderings for this site's origin are stored: always for SITE_URL (no request
 * can change the origin then); without it, only for the origin the site was imported or
 * published for, or every new Host header would make the worker write.
 */
function storesFor(site: Site, snapshot: Snapshot): boolean {
  return site.settings.siteUrl !== null || (snapshot.homeOrigin != null && snapshot.homeOrigin === site.origin);
}

/** Synchronous (node:crypto), so that a fresh isolate can work it out at startup. */
export function responseSiteKey(origin: string, fingerprint: string): string {
  return createHash("sha256").update(`${origin}\n${fingerprint}`).digest("hex").slice(0, 16);
}
