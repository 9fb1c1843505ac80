/**
 * A copy of the project in a temporary folder (its sources, with node_modules linked), for
 * tests that run the commands a user runs (`npm start`, the import) and so write
 * src/generated/ and .wrangler/ state: the working tree and other tests stay untouched.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface ProjectCopy {
  dir: string;
  remove(): void;
}

export function copyProject(): ProjectCopy {
  const dir = mkdtempSync(join(tmpdir(), "project-"));
  for (const entry of ["src", "scripts", "bench", "seeds", "migrations", "wrangler.toml", "package.json", "tsconfig.json"]) {
    cpSync(join(ROOT, entry), join(dir, entry), {
      recursive: true,
      filter: (source) => !source.includes("/src/generated") && !source.includes("/bench/.work"),
    });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
