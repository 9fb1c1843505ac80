/**
 * Fresh fixtures for every test: articles are written as files and go through the same
 * pipeline as the build, so a test sees exactly what a user's folder would produce.
 */
import seedText from "../../seeds/000_aa4f927da06b7f0b.txt?raw";
import { type Bundle, createApp } from "../../src/app";
import { type CompileResult, compileContent } from "../../src/compile/compile";
import type { FolderImages } from "../../src/compile/images";
import type { SourceFile } from "../../src/compile/parse-article";
import { parseTopicFile, type TopicDefinition } from "../../src/compile/topics";
import type { Env } from "../../src/config/env";
import topicFile from "../../src/content/topics.yaml?raw";
import type { Content } from "../../src/content/types";
import { packContent } from "../../src/storage/bundle/content-pack";

const SEED_FILE = "000_aa4f927da06b7f0b.txt";
export const SEED_TEXT: string = seedText;
export const SEED_HEADLINE = "Turkey, US in talks to discuss sanctions imposed over S-400s";
export const SEED_SLUG = "turkey-us-in-talks-to-discuss-sanctions-imposed-over-s-400s";

/** 2020-12-30T12:00:00Z: the seed's committed date in these fixtures. */
const SEED_DATE = Date.UTC(2020, 11, 30, 12, 0, 0);

/** A file as the build reads it. Dates default to a fixed commit date, never the clock. */
export function file(path: string, text: string | Uint8Array, dates: Partial<Omit<SourceFile, "path" | "bytes">> = {}): SourceFile {
  return {
    path,
    bytes: typeof text === "string" ? new TextEncoder().encode(text) : text,
    added: SEED_DATE,
    changed: SEED_DATE,
    modified: SEED_DATE,
    ...dates,
  };
}

export function seedFile(): SourceFile {
  return file(SEED_FILE, SEED_TEXT);
}

export function shippedTopics(): TopicDefinition[] {
  return parseTopicFile(topicFile);
}

/** Compiles files as the build does, with the shipped topic file and a fixed "now". */
export async function compile(files: SourceFile[], options: { topics?: TopicDefinition[]; now?: number; folder?: FolderImages } = {}): Promise<CompileResult> {
  return compileContent(files, { topics: options.topics ?? shippedTopics(), now: options.now ?? Date.UTC(2030, 0, 1), folder: options.folder });
}

export async function content(files: SourceFile[] = [seedFile()]): Promise<Content> {
  return (await compile(files)).content;
}

/** A story in the seed format with a given headline and paragraphs. */
export function story(headline: string, ...paragraphs: string[]): string {
  return [headline, "", ...paragraphs.flatMap((p) => [p, ""])].join("\n");
}

/** The content as the build bundles it (with the shipped topic file), with no responses stored. */
export function bundle(c: Content): Bundle {
  return { content: packContent(c, shippedTopics()), responses: null };
}

/**
 * A worker for the given content; requests go to http://localhost unless a full URL is
 * given. Work a request leaves running (waitUntil: the D1 mode storing what it rendered)
 * is finished before the response is handed back, so no test leaves writes behind.
 */
export function worker(c: Content, env: Env = {}) {
  const app = createApp(bundle(c));
  return async (path: string, init: RequestInit = {}): Promise<Response> => {
    const url = path.startsWith("http") ? path : `http://localhost${path}`;
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (work: Promise<unknown>) => void pending.push(work), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const response = await app.request(url, init, env, ctx);
    await Promise.all(pending);
    return response;
  };
}
