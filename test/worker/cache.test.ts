import { describe, expect, it } from "vitest";
import { createRepresentation, RepresentationCache } from "../../src/http/representation";

const OPTIONS = { cacheControl: "no-cache", headers: {} };

describe("the store of rendered responses", () => {
  it("keeps at most the given number of entries, dropping the oldest", async () => {
    const cache = new RepresentationCache(2, 1 << 30);
    for (const key of ["a", "b", "c"]) await cache.get(key, () => createRepresentation(key, "text/plain", null, OPTIONS));
    expect([cache.peek("a"), cache.peek("b")?.identity.body.byteLength, cache.peek("c")?.identity.body.byteLength]).toEqual([undefined, 1, 1]);
  });

  it("keeps at most the given number of bytes, every coding counted", async () => {
    const cache = new RepresentationCache(100, 5000);
    const big = "x".repeat(2000);
    for (const key of ["a", "b", "c"]) await cache.get(key, () => createRepresentation(big + key, "text/plain", null, OPTIONS));
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.storedBytes).toBeLessThanOrEqual(5000);
    expect(cache.peek("a")).toBeUndefined();
    expect(cache.peek("c")).toBeDefined();
  });

  it("renders once for concurrent requests, and not at all for later ones; a failed rendering is not kept", async () => {
    const cache = new RepresentationCache(10, 1 << 20);
    let renders = 0;
    const render = () => {
      renders++;
      return createRepresentation("body", "text/plain", null, OPTIONS);
    };
    await Promise.all([cache.get("k", render), cache.get("k", render)]);
    await cache.get("k", render);
    expect(renders).toBe(1);
    await expect(cache.get("bad", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await new Promise((r) => setTimeout(r, 0));
    expect((await cache.get("bad", render)).identity.body.byteLength).toBe(4);
  });
});
