import { env } from "cloudflare:workers";
import { createApp } from "./app";
import content from "./generated/content.bin";
import responses from "./generated/responses.bin";

export default createApp({ content, responses }, { startupEnv: env });
/** The own WebSub hub's Durable Object (wrangler.toml [[durable_objects.bindings]]). */
export { WebSubHub } from "./websub/hub-object";
