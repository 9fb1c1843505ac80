/**
 * A worker for test/node/stored-responses.test.ts: given the build's data modules as
 * bindings, it answers every stored path twice, from the stored bytes alone and by rendering in
 * this runtime, in every coding and as GET, HEAD and a conditional GET, and reports each
 * difference. Bundled by wrangler and run in workerd by Miniflare.
 */
import { createApp } from "../../../src/app";
import { NOT_FOUND_KEY } from "../../../src/serve/representations";
import { packContent } from "../../../src/storage/bundle/content-pack";
import { PackedResponses } from "../../../src/storage/bundle/response-pack";

interface Env {
  CONTENT: ArrayBuffer;
  RESPONSES: ArrayBuffer;
  IMAGES: ArrayBuffer;
  SITE_URL?: string;
}

async function describe(response: Response) {
  const body = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: [...response.headers], body: Array.from(body).join(",") };
}

/** wrangler.toml binds the hub's Durable Object: a worker bundled with it exports the class. */
export { WebSubCourier } from "../../../src/websub/courier-object";
export { WebSubHub } from "../../../src/websub/hub-object";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const origin = new URL(request.url).searchParams.get("origin")!;
    const vars = { SITE_URL: env.SITE_URL ?? "" };
    const stored = new PackedResponses(env.RESPONSES);
    // Serving from no articles at all: a response that were rendered instead of read from
    // the stored bytes would show the difference.
    const served = createApp({ content: packContent({ articles: [], topics: [] }), responses: env.RESPONSES, images: env.IMAGES });
    const rendered = createApp({ content: env.CONTENT, responses: null, images: env.IMAGES });
    const differences: string[] = [];
    let compared = 0;
    for (const key of stored.paths()) {
      const path = key === NOT_FOUND_KEY ? "/no-such-page" : key;
      const etag = stored.get(key)!.identity.etag;
      for (const accept of ["identity", "gzip", "br"]) {
        for (const init of [{ method: "GET" }, { method: "HEAD" }, { method: "GET", headers: { "If-None-Match": etag } }]) {
          const headers = { ...(init.headers ?? {}), "Accept-Encoding": accept };
          const a = await describe(await served.request(`${origin}${path}`, { ...init, headers }, vars));
          const b = await describe(await rendered.request(`${origin}${path}`, { ...init, headers }, vars));
          compared++;
          if (JSON.stringify(a) !== JSON.stringify(b))
            differences.push(
              `${init.method} ${path} ${accept} ${JSON.stringify(init.headers ?? {})}: stored ${JSON.stringify(a.headers)} vs rendered ${JSON.stringify(b.headers)}`,
            );
        }
      }
    }
    return Response.json({ paths: stored.paths().length, origin: stored.origin, compared, differences });
  },
};
