import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { ContentError, ContentErrors } from "../../src/compile/errors";
import type { SourceFile } from "../../src/compile/parse-article";
import { readGitDates } from "./git-dates";

/** Extensions of article files; other visible files stop the build rather than being skipped. */
const ARTICLE_FILE = /\.(?:txt|md)$/i;

/**
 * Reads every article file under `dir` (recursively; names starting with a dot are
 * ignored) with its git and file-system dates. Throws ContentErrors naming any file
 * that is not an article, so nothing in the folder is silently left out.
 */
export function readSeedsFolder(dir: string): SourceFile[] {
  const gitDates = readGitDates(dir);
  const files: SourceFile[] = [];
  const errors: ContentError[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const full = join(folder, entry.name);
      const path = relative(dir, full).split(sep).join("/");
      if (entry.isDirectory()) walk(full);
      else if (!ARTICLE_FILE.test(entry.name)) {
        errors.push(new ContentError(path, "not an article: only .txt and .md files are published (rename it or move it out)"));
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
  if (errors.length > 0) throw new ContentErrors(errors);
  return files;
}
