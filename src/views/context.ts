import type { Site } from "../config/site";
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
}

export async function pageContext(site: Site, snapshot: Snapshot): Promise<PageContext> {
  return { site, snapshot, names: new Map(snapshot.topics.map((t) => [t.topic.slug, t.topic.name])), assets: await assetPaths() };
}
