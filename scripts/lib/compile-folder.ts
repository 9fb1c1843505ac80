import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CompileResult, compileContent } from "../../src/compile/compile";
import { parseContentDate } from "../../src/compile/dates";
import { ContentErrors } from "../../src/compile/errors";
import { parseTopicFile, type TopicDefinition } from "../../src/compile/topics";
import { readSeedsFolder } from "./seeds-folder";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Compiles a folder of articles as every command does (build, import): the topic file
 * (TOPICS_FILE), the build's time (BUILD_TIME, else now), the same parsing and the same
 * errors. A problem prints one line per file, prefixed with `command`, and exits 1.
 * Articles dated later are held back with a line saying so; with `schedule` (the D1
 * import) the line says they are scheduled instead.
 */
export async function compileFolder(
  command: string,
  folder: string,
  options: { schedule?: boolean } = {},
): Promise<CompileResult & { label: string; definitions: TopicDefinition[] }> {
  const fail = (message: string): never => {
    console.error(`${command}: ${message}`);
    process.exit(1);
  };
  const seedsDir = resolve(folder);
  const label = relative(process.cwd(), seedsDir) || ".";
  if (!existsSync(seedsDir) || !statSync(seedsDir).isDirectory()) fail(`${seedsDir}: not a folder (check SEEDS_DIR)`);
  const topicsFile = resolve(process.env.TOPICS_FILE || resolve(ROOT, "src/content/topics.yaml"));
  let now = Date.now();
  if (process.env.BUILD_TIME) {
    now = parseContentDate(process.env.BUILD_TIME) ?? fail(`BUILD_TIME "${process.env.BUILD_TIME}" is not an ISO 8601 date`);
  }
  let topics: ReturnType<typeof parseTopicFile>;
  try {
    topics = parseTopicFile(readFileSync(topicsFile, "utf8"));
  } catch (error) {
    return fail(`${relative(process.cwd(), topicsFile)}: ${(error as Error).message}`);
  }
  try {
    const { files, folder } = readSeedsFolder(seedsDir);
    if (files.length === 0) fail(`${label}: no articles (.txt or .md files) to publish`);
    const result = await compileContent(files, { topics, now, folder });
    for (const warning of result.warnings) console.warn(`${command}: ${label}/${warning.file}: ${warning.message}`);
    if (result.unreferenced.length > 0) {
      console.warn(
        `${command}: ${result.unreferenced.length} image(s) no article names, published anyway: ${result.unreferenced.map((i) => `${label}/${i.path}`).join(", ")}`,
      );
    }
    for (const held of result.heldBack) {
      console.warn(
        options.schedule
          ? `${command}: scheduled ${label}/${held.file} for ${held.published}: it appears then, released by the worker's cron`
          : `${command}: held back ${label}/${held.file}: dated ${held.published}, after this build; the first build after that date publishes it`,
      );
    }
    return { ...result, label, definitions: topics };
  } catch (error) {
    if (!(error instanceof ContentErrors)) throw error;
    for (const e of error.errors) console.error(`${command}: ${e.lineFor(label)}`);
    process.exit(1);
  }
}
