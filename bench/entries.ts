/**
 * The two workers the bench bundles for a corpus, as source for wrangler, written into the
 * corpus's bench folder (bench/.work/<corpus>/) beside its generated/ data modules.
 */

import { BENCH_ORIGIN } from "./harness";

const DATA_IMPORTS = [
  `import content from "./generated/content.bin";`,
  `import responses from "./generated/responses.bin";`,
  `import images from "./generated/site-images.bin";`,
];

/** The worker as src/index.ts makes it, with this corpus's data modules: what is deployed. */
export function workerEntry(): string {
  return [
    `import { env } from "cloudflare:workers";`,
    `import { createApp } from "../../../src/app";`,
    ...DATA_IMPORTS,
    ``,
    `export default createApp({ content, responses, images }, { startupEnv: env });`,
    `export { WebSubCourier } from "../../../src/websub/courier-object";`,
    `export { WebSubHub } from "../../../src/websub/hub-object";`,
    ``,
  ].join("\n");
}

/** The same worker with the bench's own routes beside it: the D1 calibration rows and the reference feed. */
export function benchEntry(): string {
  return [
    `import { env as startupEnv } from "cloudflare:workers";`,
    `import { createApp, imagesId } from "../../../src/app";`,
    `import { resolveSite } from "../../../src/config/site";`,
    `import { responseSiteKey } from "../../../src/serve/representations";`,
    `import { PackedStore } from "../../../src/storage/bundle/packed-store";`,
    `import { STORED_CODING_SQL } from "../../../src/storage/d1/responses";`,
    `import type { Article } from "../../../src/content/types";`,
    `import { referenceRss } from "../../reference";`,
    ...DATA_IMPORTS,
    ``,
    `export { WebSubCourier } from "../../../src/websub/courier-object";`,
    `export { WebSubHub } from "../../../src/websub/hub-object";`,
    `const app = createApp({ content, responses, images }, { startupEnv });`,
    `// The key of the bench site's rows in the D1 responses table, as the worker works it out (the storage settings are not part of it).`,
    `const benchSite = resolveSite({ SITE_URL: ${JSON.stringify(BENCH_ORIGIN)}, SITE_IMAGES_ID: imagesId(images) }, ${JSON.stringify(`${BENCH_ORIGIN}/`)});`,
    `const siteKey = responseSiteKey(benchSite.origin, benchSite.fingerprint);`,
    `let newest: Promise<Article[]> | undefined;`,
    `export default {`,
    `  async fetch(request: Request, env: object, ctx: ExecutionContext) {`,
    `    const url = new URL(request.url);`,
    `    // The D1 mode's floor, for the fresh-isolate rows: one query, nothing else.`,
    `    if (url.pathname === "/__d1-floor") {`,
    `      await (env as { DB: D1Database }).DB.prepare("SELECT 1").first();`,
    `      return new Response("ok");`,
    `    }`,
    `    // The same query as a fresh isolate's first request for /rss.xml (br), its rows read, nothing else.`,
    `    if (url.pathname === "/__d1-floor-bytes") {`,
    `      const rows = await (env as { DB: D1Database }).DB.prepare(STORED_CODING_SQL).bind(siteKey, "/rss.xml", siteKey, "/rss.xml", "br").all();`,
    `      return new Response(String(rows.results.length));`,
    `    }`,
    `    if (url.pathname === "/__reference/rss.xml") {`,
    `      newest ??= new PackedStore(content).listing({}, 50, null).then((l) => l!.articles);`,
    `      return referenceRss({ articles: await newest, topics: [] }, url.origin);`,
    `    }`,
    `    return app.fetch(request, env, ctx);`,
    `  },`,
    `};`,
    ``,
  ].join("\n");
}
