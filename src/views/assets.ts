/**
 * The pages' static files, the stylesheet and the icon, each at a path that carries its
 * content hash: a changed file gets a new URL, so every URL can be cached for a year.
 */
import { sha256Hex } from "../text/hash";
import { ICON, STYLESHEET } from "./style";

export const ASSET_SOURCES = {
  stylesheet: { name: "style", extension: "css", type: "text/css; charset=utf-8", body: STYLESHEET },
  icon: { name: "icon", extension: "svg", type: "image/svg+xml", body: ICON },
} as const;

export type AssetName = keyof typeof ASSET_SOURCES;
export type AssetPaths = Record<AssetName, string>;

let paths: Promise<AssetPaths> | undefined;

/** Each file's path, with the start of its SHA-256 (hashed on first use: the runtime allows no crypto at startup). */
export function assetPaths(): Promise<AssetPaths> {
  paths ??= (async () => {
    const out = {} as AssetPaths;
    for (const [key, source] of Object.entries(ASSET_SOURCES) as [AssetName, (typeof ASSET_SOURCES)[AssetName]][]) {
      out[key] = `/assets/${source.name}.${(await sha256Hex(source.body)).slice(0, 12)}.${source.extension}`;
    }
    return out;
  })();
  return paths;
}
