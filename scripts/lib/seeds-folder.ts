import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { FolderImages, LocalImage } from "../../src/compile/images";
import type { SourceFile } from "../../src/compile/parse-article";
import { readGitDates } from "./git-dates";
import { identifyImage } from "./images";

/** Extensions of article files; every other visible file is an image or stops the build, never skipped. */
const ARTICLE_FILE = /\.(?:txt|md)$/i;

/**
 * Reads every file under `dir` (recursively; names starting with a dot are ignored): the
 * articles with their git and file-system dates, and what every other file is (an image
 * of a published type, measured, or something else, which the compilation refuses), so
 * nothing in the folder is silently left out.
 */
export function readSeedsFolder(dir: string): { files: SourceFile[]; folder: FolderImages } {
  const gitDates = readGitDates(dir);
  const files: SourceFile[] = [];
  const images = new Map<string, LocalImage>();
  const others = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const full = join(folder, entry.name);
      const path = relative(dir, full).split(sep).join("/");
      if (entry.isDirectory()) walk(full);
      else if (!ARTICLE_FILE.test(entry.name)) {
        const found = identifyImage(path, new Uint8Array(readFileSync(full)));
        if (typeof found === "string") others.set(path, found);
        else images.set(path, found);
      } else {
        const git = gitDates.get(path);
        files.push({
          path,
          bytes: new Uint8Array(readFileSync(full)),
          added: git?.added ?? null,
          changed: git?.changed ?? null,
          modified: Math.floor(statSync(full).mtimeMs),
        });
      }
    }
  };
  walk(dir);
  return { files, folder: { images, others } };
}
