import { env } from "cloudflare:workers";
import { createApp } from "./app";
import content from "./generated/content.bin";
import responses from "./generated/responses.bin";
import images from "./generated/site-images.bin";

export default createApp({ content, responses, images }, { startupEnv: env });
/** The own WebSub hub's Durable Objects (wrangler.toml [[durable_objects.bindings]]). */
export { WebSubCourier } from "./websub/courier-object";
export { WebSubHub } from "./websub/hub-object";
