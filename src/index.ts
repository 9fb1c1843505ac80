import { env } from "cloudflare:workers";
import { createApp } from "./app";
import content from "./generated/content.bin";
import responses from "./generated/responses.bin";

export default createApp({ content, responses }, { startupEnv: env });
