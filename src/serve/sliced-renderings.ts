/**
 * Renderings that hold for a slice of time as well as a content version (the news sitemap,
 * whose articles age out of it): kept in the isolate per site, version and slice, the
 * newest few only. They are not stored for other isolates: each slice would be a row.
 */
import { encodeResponse, type Representation, toRepresentation } from "../http/representation";
import type { Rendering } from "./representations";

const KEPT = 8;

export class SlicedRenderings {
  private readonly kept = new Map<string, Promise<Representation | null>>();

  /** The rendering for `key`, made once; null when `render` found nothing to show. */
  get(key: string, render: () => Promise<Rendering | null>): Promise<Representation | null> {
    let rep = this.kept.get(key);
    if (rep === undefined) {
      rep = render().then(async (r) => (r === null ? null : toRepresentation(await encodeResponse(r.body, r.contentType, r.lastModified, r.options))));
      // A failed rendering is not kept: the next request tries again.
      rep.catch(() => this.kept.delete(key));
      this.kept.set(key, rep);
      for (const old of this.kept.keys()) {
        if (this.kept.size <= KEPT) break;
        this.kept.delete(old);
      }
    }
    return rep;
  }
}
