/** Walks of paged feeds and pages, shared by the bundled and the D1 tests. */
import { expect } from "vitest";
import { child, children, parseXml } from "./xml";

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

export interface Walk {
  /** Item ids (guids) in the order the walk met them. */
  ids: string[];
  /** Every page URL visited, in order. */
  pages: string[];
}

function links(xml: string, format: "rss" | "atom"): Record<string, string> {
  const root = parseXml(xml);
  const container = format === "rss" ? child(root, "channel") : root;
  const name = format === "rss" ? "atom:link" : "link";
  return Object.fromEntries(children(container, name).map((l) => [l.attributes.rel!, l.attributes.href!]));
}

function itemIds(xml: string, format: "rss" | "atom"): string[] {
  const root = parseXml(xml);
  return format === "rss"
    ? children(child(root, "channel"), "item").map((i) => child(i, "guid").text)
    : children(root, "entry").map((e) => child(e, "id").text);
}

/** Follows `next` links from the feed at `path` to the end, checking `previous` on the way back. */
export async function walkFeed(fetch: Fetch, origin: string, path: string): Promise<Walk> {
  const format = path.endsWith("feed.json") ? "json" : path.endsWith("atom.xml") ? "atom" : "rss";
  const walk: Walk = { ids: [], pages: [] };
  let url: string | null = `${origin}${path}`;
  let previousPage: string | null = null;
  let last: string | null = null;
  while (url !== null) {
    walk.pages.push(url);
    const res = await fetch(url);
    expect([url, res.status]).toEqual([url, 200]);
    const body = await res.text();
    if (format === "json") {
      const json = JSON.parse(body);
      walk.ids.push(...json.items.map((i: { id: string }) => i.id));
      url = json.next_url ?? null;
      continue;
    }
    const l = links(body, format);
    expect(l.self).toBe(url);
    walk.ids.push(...itemIds(body, format));
    if (walk.pages.length === 1 && l.next === undefined) break;
    expect(l.first).toBe(`${origin}${path}`);
    if (previousPage !== null) expect(l.previous).toBe(previousPage);
    else expect(l.previous).toBeUndefined();
    last ??= l.last!;
    expect(l.last).toBe(last);
    previousPage = url;
    url = l.next ?? null;
    if (url === null) expect(walk.pages.at(-1)).toBe(last);
  }
  return walk;
}
