import { execFileSync } from "node:child_process";

export interface GitDates {
  /** Author date of the oldest commit that touched the file (the one that added it). */
  added: number;
  /** Author date of the newest commit that touched the file. */
  changed: number;
}

/**
 * Commit dates of every file under `dir`, from one `git log` over the folder (one
 * process for the whole archive, not one per file). Paths are relative to `dir`.
 * An empty map when `dir` is not in a git work tree or git is not installed.
 */
export function readGitDates(dir: string): Map<string, GitDates> {
  const dates = new Map<string, GitDates>();
  let log: string;
  try {
    log = execFileSync("git", ["-C", dir, "log", "-z", "--format=%x1e%aI", "--name-only", "--no-renames", "--relative", "--", "."], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return dates;
  }
  // Newest commit first: the first date seen for a file is its last change, the last one its addition.
  for (const record of log.split("\x1e").slice(1)) {
    const [date, ...paths] = record.split("\0");
    const when = Date.parse(date!);
    for (const raw of paths) {
      const path = raw.replace(/^\n/, "");
      if (path === "") continue;
      const seen = dates.get(path);
      if (seen) seen.added = when;
      else dates.set(path, { added: when, changed: when });
    }
  }
  return dates;
}
