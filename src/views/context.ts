import type { Site } from "../config/site";
import type { SiteImages } from "../config/site-images";
import type { Snapshot } from "../content/store";
import { type AssetPaths, assetPaths } from "./assets";

/** What every page renders from. */
export interface PageContext {
  site: Site;
  /** The topics, with their names and counts. */
  snapshot: Snapshot;
  /** Topic names by slug. */
  names: ReadonlyMap<string, string>;
  /** Paths of the stylesheet and icon, which carry their content hashes. */
  assets: AssetPaths;
  /** The site's logo and icons, when the build made them (the pages name the apple-touch-icon). */
  images: SiteImages | null;
}

export async function pageContext(site: Site, snapshot: Snapshot, images: SiteImages | null): Promise<PageContext> {
  return { site, snapshot, names: new Map(snapshot.topics.map((t) => [t.topic.slug, t.topic.name])), assets: await assetPaths(), images };
}
