import type { Catalog } from "../content/catalog";
import type { Site } from "../site";

/** What every page renders from. */
export interface PageContext {
  site: Site;
  catalog: Catalog;
  /** Path of the stylesheet, which carries its content hash. */
  stylesheet: string;
}
