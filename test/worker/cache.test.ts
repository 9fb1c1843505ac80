import { describe, expect, it } from "vitest";
import { createRepresentation } from "../../src/http/representation";
import { RepresentationCache } from "../../src/http/representation-cache";

const OPTIONS = { cacheControl: "no-cache", headers: {} };
const render = (body: string) => () => createRepresentation(body, "text/plain", null, OPTIONS);
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the store of rendered responses", () => {
  it("keeps at most the given number of responses, dropping the least recently rendered", async () => {
    const cache = new RepresentationCache(2, 1 << 30);
    for (const key of ["a", "b", "c"]) await cache.get(key, "v1", render(key));
    await settle();
    expect([cache.peek("a", "v1"), cache.peek("b", "v1")?.identity.body.byteLength, cache.peek("c", "v1")?.identity.body.byteLength]).toEqual([
      undefined,
      1,
      1,
    ]);
  });

  it("keeps at most the given number of bytes, every coding counted", async () => {
    const cache = new RepresentationCache(100, 5000);
    const big = "x".repeat(2000);
    for (const key of ["a", "b", "c"]) await cache.get(key, "v1", render(big + key));
    await settle();
    expect(cache.storedBytes).toBeLessThanOrEqual(5000);
    expect(cache.peek("a", "v1")).toBeUndefined();
    expect(cache.peek("c", "v1")).toBeDefined();
  });

  it("renders once for concurrent requests, and not at all for later ones; a failed rendering is not kept", async () => {
    const cache = new RepresentationCache(10, 1 << 20);
    let renders = 0;
    const counted = () => {
      renders++;
      return createRepresentation("body", "text/plain", null, OPTIONS);
    };
    await Promise.all([cache.get("k", "v1", counted), cache.get("k", "v1", counted)]);
    await cache.get("k", "v1", counted);
    expect(renders).toBe(1);
    await expect(cache.get("bad", "v1", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await settle();
    expect((await cache.get("bad", "v1", counted)).identity.body.byteLength).toBe(4);
  });

  it("holds one version per response: a newer version replaces the older, which stays at hand until the newer renders", async () => {
    const cache = new RepresentationCache(10, 1 << 20);
    await cache.get("k", "v1", render("one"));
    await settle();
    await expect(cache.get("k", "v2", () => Promise.reject(new Error("database down")))).rejects.toThrow("database down");
    await settle();
    expect(cache.peek("k", "v2")).toBeUndefined();
    expect(new TextDecoder().decode(cache.stale("k")!.identity.body)).toBe("one");
    await cache.get("k", "v2", render("two"));
    await settle();
    expect(new TextDecoder().decode(cache.peek("k", "v2")!.identity.body)).toBe("two");
    expect(cache.peek("k", "v1")).toBeUndefined();
    expect([cache.size, cache.storedBytes]).toEqual([1, 3]);
  });
});
