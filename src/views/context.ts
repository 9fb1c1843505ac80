import type { Catalog } from "../content/catalog";
import type { AssetPaths } from "../routes/assets";
import type { Site } from "../site";

/** What every page renders from. */
export interface PageContext {
  site: Site;
  catalog: Catalog;
  /** Paths of the stylesheet and icon, which carry their content hashes. */
  assets: AssetPaths;
}
