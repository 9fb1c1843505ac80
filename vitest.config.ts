import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        // The worker and everything it runs, inside workerd (the Workers runtime).
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.{ts,tsx}"],
          // @rowanmanning/feed-parser is CommonJS that require()s an ES module package
          // (html-entities); bundled ahead by Vite it loads in workerd.
          deps: { optimizer: { ssr: { enabled: true, include: ["@rowanmanning/feed-parser"] } } },
        },
      },
      {
        // The build command as a user runs it: Node, files, git, exit codes.
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 60_000 },
      },
    ],
  },
});
