/**
 * Writes a deterministic archive of wire-copy articles in the seed format, for the
 * benchmarks: `tsx scripts/generate-archive.ts <count> <folder>`. The same count always
 * gives the same files, bytes and modification times.
 */
import { mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { generateArticle } from "./lib/archive";

export function generateArchive(count: number, folder: string): void {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    const { name, text, mtime } = generateArticle(i);
    const path = join(folder, name);
    writeFileSync(path, text);
    utimesSync(path, mtime, mtime);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [count, folder] = process.argv.slice(2);
  if (!count || !folder || !/^\d+$/.test(count)) {
    console.error("usage: tsx scripts/generate-archive.ts <count> <folder>");
    process.exit(2);
  }
  generateArchive(Number(count), folder);
  console.log(`generate-archive: ${count} articles in ${folder}`);
}
