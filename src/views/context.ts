import type { Snapshot } from "../content/store";
import type { AssetPaths } from "../routes/assets";
import type { Site } from "../site";

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
