/**
 * A small WebSub subscriber for trying the site's own hub (README, "Push: the site's own
 * WebSub hub"): `npm run subscribe -- http://127.0.0.1:8787/rss.xml`. It listens on
 * 127.0.0.1, finds the feed's hub in its Link header, subscribes with a secret, answers
 * the hub's verification, and prints each delivery with its signature check. Stopped and
 * started again on the same port (and secret), it gets what the hub retried meanwhile.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: "string", default: "8788" }, secret: { type: "string" } },
});
const topic = positionals[0];
if (topic === undefined || !/^https?:\/\//.test(topic)) {
  console.error("subscribe: name a feed URL, e.g. npm run subscribe -- http://127.0.0.1:8787/rss.xml [--port 8788] [--secret …]");
  process.exit(2);
}
const port = Number(values.port);
const secret = values.secret ?? process.env.SUBSCRIBER_SECRET ?? randomBytes(16).toString("hex");
const callback = `http://127.0.0.1:${port}/callback`;

/** `<url>; rel="hub"` from a Link header: the first hub the feed names. */
function hubOf(link: string | null): string | null {
  for (const part of (link ?? "").split(",")) {
    const [target, ...params] = part.split(";");
    if (params.some((p) => p.trim() === 'rel="hub"')) return target!.trim().replace(/^<|>$/g, "");
  }
  return null;
}

function signatureOk(header: string | undefined, body: Buffer): string {
  if (header === undefined) return "no signature";
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected) ? "signature ok" : "signature BAD";
}

/** The first <title> of an item or entry, or a JSON Feed's first item title: what the delivery is about. */
function newest(body: string): string {
  const json = body.trimStart().startsWith("{") ? (JSON.parse(body) as { items?: { title?: string }[] }).items?.[0]?.title : undefined;
  if (json !== undefined) return json;
  const start = body.search(/<(item|entry)[\s>]/);
  // Atom and RSS titles come as text or as CDATA.
  const title = start === -1 ? null : /<title[^>]*>(?:<!\[CDATA\[)?([^<\]]*)/.exec(body.slice(start, start + 4000));
  return title?.[1] ?? "(no items)";
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", callback);
  if (req.method === "GET") {
    const mode = url.searchParams.get("hub.mode");
    if (mode === "denied") console.log(`denied: ${url.searchParams.get("hub.reason")}`);
    else console.log(`verified: ${mode} ${url.searchParams.get("hub.topic")} (lease ${url.searchParams.get("hub.lease_seconds") ?? "-"} s)`);
    res.writeHead(200, { "Content-Type": "text/plain" }).end(url.searchParams.get("hub.challenge") ?? "");
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const signature = signatureOk(req.headers["x-hub-signature"] as string | undefined, body);
    console.log(`delivery: ${body.length} bytes, ${req.headers["content-type"]}, ${signature}; newest: ${newest(body.toString("utf8"))}`);
    res.writeHead(204).end();
  });
});

server.listen(port, "127.0.0.1", async () => {
  let hub: string | null = null;
  try {
    const feed = await fetch(topic);
    await feed.arrayBuffer();
    if (!feed.ok) throw new Error(`it answered ${feed.status}`);
    hub = hubOf(feed.headers.get("Link"));
  } catch (error) {
    console.error(`subscribe: could not read ${topic}: ${(error as Error).message} (is the site running? npm start)`);
    process.exit(1);
  }
  if (hub === null) {
    console.error(`subscribe: ${topic} names no WebSub hub in its Link header`);
    process.exit(1);
  }
  const form = new URLSearchParams({ "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": callback, "hub.secret": secret });
  const answer = await fetch(hub, { method: "POST", body: form });
  console.log(`subscribe: ${hub} answered ${answer.status}: ${(await answer.text()).trim()}`);
  // A local trying-out secret, printed whole so that a restart can reuse it.
  console.log(`listening on ${callback}; Ctrl-C stops (the subscription stays: start again with --port ${port} --secret ${secret})`);
  if (!answer.ok) process.exit(1);
});
