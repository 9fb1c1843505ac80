/**
 * Publishing over HTTP end to end, as the README tells a user to: a copy of the project in
 * the D1 mode with a token in .dev.vars, the migrations applied to the local database,
 * `npm start -- --test-scheduled --var SITE_URL:…` (the cron, which has no request, takes its
 * origin from SITE_URL), requests like curl's, a scheduled article released by
 * the cron (fired through /__scheduled, as wrangler documents, and by npm start itself each
 * minute), and a local WebSub hub
 * (a small HTTP server on 127.0.0.1) that records what it is told.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port";
import { copyProject, type ProjectCopy, ROOT } from "./project-copy";

const TOKEN = "e2e-token-0123456789";
const SEED = readFileSync(join(ROOT, "seeds/000_aa4f927da06b7f0b.txt"), "utf8");

let project: ProjectCopy;
let worker: ChildProcess;
let hub: Server;
const notices: URLSearchParams[] = [];
let origin: string;
let output = "";

beforeAll(async () => {
  project = copyProject();
  const hubPort = await freePort();
  hub = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      notices.push(new URLSearchParams(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hub.listen(hubPort, "127.0.0.1", resolve));
  hub.unref();

  const toml = readFileSync(join(project.dir, "wrangler.toml"), "utf8")
    .replace('STORAGE = "bundled"', 'STORAGE = "d1"')
    .replace('CONTENT_TTL = "60"', 'CONTENT_TTL = "1"')
    .replace('WEBSUB_HUB = ""', `WEBSUB_HUB = "http://127.0.0.1:${hubPort}/"`)
    .replace(
      /# \[\[d1_databases\]\]\n# binding = "DB"\n# database_name = "edge-news"\n# database_id = "[^"]*"\n# migrations_dir = "migrations"/,
      '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "edge-news"\ndatabase_id = "00000000-0000-0000-0000-000000000000"\nmigrations_dir = "migrations"',
    );
  expect(toml).toContain('[[d1_databases]]\nbinding = "DB"');
  writeFileSync(join(project.dir, "wrangler.toml"), toml);
  writeFileSync(join(project.dir, ".dev.vars"), `PUBLISH_TOKEN=${TOKEN}\n`);
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  const migrate = spawnSync(join(project.dir, "node_modules/.bin/wrangler"), ["d1", "migrations", "apply", "DB", "--local"], {
    cwd: project.dir,
    env,
    encoding: "utf8",
  });
  expect(migrate.status).toBe(0);

  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  worker = spawn(
    join(project.dir, "node_modules/.bin/tsx"),
    [
      join(project.dir, "scripts/start.ts"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(await freePort()),
      "--test-scheduled",
      "--var",
      `SITE_URL:${origin}`,
    ],
    {
      cwd: project.dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  worker.stdout!.on("data", (d) => (output += d));
  worker.stderr!.on("data", (d) => (output += d));
  const started = Date.now();
  for (;;) {
    if (worker.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() - started > 240_000) throw new Error(`npm start did not answer within 240 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 300_000);

afterAll(async () => {
  try {
    process.kill(-worker.pid!, "SIGTERM");
  } catch {
    // Already gone.
  }
  hub?.close();
  await new Promise((r) => setTimeout(r, 500));
  project?.remove();
});

const put = (id: string, body: string) =>
  fetch(`${origin}/api/articles/${id}`, { method: "PUT", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "text/plain; charset=utf-8" }, body });
const text = async (path: string) => (await fetch(`${origin}${path}`)).text();

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return check();
}

describe("publishing over HTTP with npm start in the D1 mode", { timeout: 300_000 }, () => {
  it("publishes the seed with one request, schedules articles that the cron releases (fired by hand, then by npm start each minute), and tells the hub", async () => {
    const unauthorized = await fetch(`${origin}/api/articles/x`, { method: "PUT", body: "x", headers: { "Content-Type": "text/plain" } });
    expect([unauthorized.status, unauthorized.headers.get("WWW-Authenticate")]).toEqual([401, 'Bearer realm="publishing"']);
    await unauthorized.arrayBuffer();

    const res = await put("aa4f927da06b7f0b", SEED);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { url: string }).url).toBe(`${origin}/articles/turkey-us-in-talks-to-discuss-sanctions-imposed-over-s-400s`);
    expect(await text("/rss.xml")).toContain("Turkey, US in talks to discuss sanctions imposed over S-400s");

    const at = new Date(Date.now() + 4000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const later = await put("storm-1", `---\ndate: ${at}\n---\nStorm reaches the coast\n\nA storm reached the coast of Turkey on Tuesday.\n`);
    expect([later.status, ((await later.json()) as { status: string }).status]).toEqual([202, "scheduled"]);
    expect(await text("/rss.xml")).not.toContain("Storm reaches the coast");
    await new Promise((r) => setTimeout(r, 4500));
    const fired = await fetch(`${origin}/__scheduled?cron=*+*+*+*+*`);
    expect(fired.status).toBe(200);
    await fired.arrayBuffer();
    expect(await until(async () => (await text("/rss.xml")).includes("Storm reaches the coast"), 5000)).toBe(true);

    // CONTENT_TTL is 1 s here: the notices go out from the requests that made the changes.
    expect(await until(async () => notices.length >= 2, 10_000)).toBe(true);

    // Without another command: npm start fires the cron at the start of every minute, as Cloudflare does.
    const soon = new Date(Date.now() + 2000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const next = await put("storm-2", `---\ndate: ${soon}\n---\nStorm leaves the coast\n\nThe storm moved out to sea on Wednesday.\n`);
    expect(next.status).toBe(202);
    await next.arrayBuffer();
    expect(await until(async () => (await text("/rss.xml")).includes("Storm leaves the coast"), 65_000)).toBe(true);
    expect(new Date().getUTCSeconds()).toBeLessThan(10); // released by the minute's cron, not by a request
    expect(await until(async () => output.includes("cron: released 1 scheduled article(s): storm-2"), 5000)).toBe(true);
    for (const notice of notices.slice(0, 2)) {
      expect(notice.get("hub.mode")).toBe("publish");
      expect(notice.getAll("hub.url")).toEqual(expect.arrayContaining([`${origin}/rss.xml`, `${origin}/atom.xml`, `${origin}/feed.json`]));
    }
    // The seed's topics, Turkey among them.
    expect(notices[0]!.getAll("hub.url")).toContain(`${origin}/topics/turkey/rss.xml`);
    expect(output).not.toContain(TOKEN);
  });

  it("the own hub: npm run subscribe gets the signed feed seconds after a PUT, and after being down, the newer version on a retry", async () => {
    const port = await freePort();
    const secret = "a-subscriber-secret";
    const subscriber = () => {
      const child = spawn(
        join(project.dir, "node_modules/.bin/tsx"),
        [join(project.dir, "scripts/subscribe.ts"), `${origin}/rss.xml`, "--port", String(port), "--secret", secret],
        {
          cwd: project.dir,
          env: { ...process.env, CI: "true" },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const run = { child, out: "" };
      child.stdout!.on("data", (d) => (run.out += d));
      child.stderr!.on("data", (d) => (run.out += d));
      return run;
    };
    const deliveries = (out: string) => out.split("\n").filter((line) => line.startsWith("delivery: "));
    const hubList = async () => (await fetch(`${origin}/api/hub`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();

    let sub = subscriber();
    // The hub's verification may reach the subscriber before the hub's 202 does: both, in either order.
    const subscribed = async () =>
      sub.out.includes(`verified: subscribe ${origin}/rss.xml (lease 864000 s)`) && sub.out.includes(`subscribe: ${origin}/websub answered 202`);
    expect(await until(subscribed, 60_000)).toBe(true);
    const published = Date.now();
    const first = await put("hub-1", "First pushed story\n\nIt reached the subscriber through the hub.\n");
    expect(first.status).toBe(201);
    await first.arrayBuffer();
    expect(await until(async () => deliveries(sub.out).length > 0, 30_000)).toBe(true);
    const elapsed = Date.now() - published;
    expect(deliveries(sub.out)).toEqual([
      expect.stringMatching(/^delivery: \d+ bytes, application\/rss\+xml; charset=utf-8, signature ok; newest: First pushed story$/),
    ]);
    // The render window (1 s) and the delivery; generous for a busy machine, reported in the log.
    expect(elapsed).toBeLessThan(15_000);

    sub.child.kill("SIGTERM");
    await new Promise((resolve) => sub.child.once("exit", resolve));
    const second = await put("hub-2", "Second pushed story\n\nIt waited for the subscriber to come back.\n");
    expect(second.status).toBe(201);
    await second.arrayBuffer();
    expect(await until(async () => (await hubList()).includes('"lastStatus": "retrying: could not be reached"'), 30_000)).toBe(true);
    sub = subscriber();
    // The first retry is 10 s after the failure (README: the schedule).
    expect(await until(async () => deliveries(sub.out).length > 0, 60_000)).toBe(true);
    sub.child.kill("SIGTERM");
    expect(deliveries(sub.out)).toEqual([expect.stringMatching(/signature ok; newest: Second pushed story$/)]);
    expect(JSON.parse(await hubList())).toMatchObject({
      topics: [{ topic: `${origin}/rss.xml`, subscriptions: [{ callbackHost: `127.0.0.1:${port}`, pending: false }] }],
    });
    expect(output).not.toContain(secret);
  });

  it("the own hub: npm run import tells the running site, whose hub delivers the import at once", async () => {
    const port = await freePort();
    const child = spawn(join(project.dir, "node_modules/.bin/tsx"), [join(project.dir, "scripts/subscribe.ts"), `${origin}/atom.xml`, "--port", String(port)], {
      cwd: project.dir,
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    try {
      expect(await until(async () => out.includes(`verified: subscribe ${origin}/atom.xml`), 60_000)).toBe(true);
      mkdirSync(join(project.dir, "incoming"), { recursive: true });
      writeFileSync(join(project.dir, "incoming/900_00000000000009aa.txt"), "Imported story\n\nIt came in through npm run import.\n");
      const imported = spawnSync(join(project.dir, "node_modules/.bin/tsx"), [join(project.dir, "scripts/import-d1.ts"), "incoming", "--local"], {
        cwd: project.dir,
        // The token from .dev.vars, as a local import finds it.
        env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", SITE_URL: origin, PUBLISH_TOKEN: undefined },
        encoding: "utf8",
      });
      expect([imported.status, imported.stderr]).toEqual([0, ""]);
      // One line, as every command prints (wrangler's note about .dev.vars kept out of it).
      // The subscribers of every feed the import changed (the earlier test's too), or none
      // left to schedule if the minute's cron came first.
      expect(imported.stdout).toMatch(
        /^import: incoming\/ -> DB \(local\): 1 added, [^\n]*; the site's own WebSub hub was told \(\d+ deliver(y|ies) scheduled\) in [\d.]+ s\n$/,
      );
      expect(imported.stdout).not.toContain(TOKEN);
      const arrived = await until(async () => out.includes("newest: Imported story"), 30_000);
      if (!arrived) throw new Error(`no delivery of the imported story; the subscriber printed:\n${out}\nthe server printed:\n${output.slice(-3000)}`);
      expect(out.split("\n").filter((line) => line.startsWith("delivery: "))).toEqual([
        expect.stringMatching(/^delivery: \d+ bytes, application\/atom\+xml; charset=utf-8, signature ok; newest: Imported story$/),
      ]);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
