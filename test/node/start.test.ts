/**
 * `npm start` as a user runs it: the content is built with responses stored for the origin
 * wrangler dev serves, which then answers from them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port";
import { PackedResponses } from "../../src/bundle/response-pack";
import { copyProject, type ProjectCopy } from "./project-copy";

let project: ProjectCopy;
let child: ChildProcess;
let output = "";
let origin: string;

beforeAll(async () => {
  project = copyProject();
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  child = spawn(join(project.dir, "node_modules/.bin/tsx"), [join(project.dir, "scripts/start.ts"), "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort())], {
    cwd: project.dir,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() - started > 90_000) throw new Error(`npm start did not answer within 90 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 120_000);

afterAll(async () => {
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    // Already gone.
  }
  await new Promise((r) => setTimeout(r, 500));
  project?.remove();
});

describe("npm start", () => {
  it("stores responses for its own origin, says so, and serves them byte for byte", async () => {
    expect(output).toContain(`build-content: stored 263 responses (`);
    expect(output).toContain(`) for ${origin}\n`);
    const stored = new PackedResponses(new Uint8Array(readFileSync(join(project.dir, "src/generated/responses.bin"))));
    expect(stored.origin).toBe(origin);
    for (const path of ["/rss.xml", "/", "/topics/turkey/atom.xml", "/opml.xml"]) {
      const res = await fetch(`${origin}${path}`, { headers: { "Accept-Encoding": "identity" } });
      const rep = stored.get(path)!;
      expect([path, res.status, new Uint8Array(await res.arrayBuffer())]).toEqual([path, 200, rep.identity.body]);
      expect(res.headers.get("ETag")).toBe(rep.identity.etag);
    }
  });

  it("serves another origin too, rendering for it", async () => {
    const other = origin.replace("127.0.0.1", "localhost");
    const body = await (await fetch(`${other}/rss.xml`)).text();
    expect(body).toContain(`<atom:link href="${other}/rss.xml" rel="self"`);
  });
});
