import { createApp } from "./app";
import { content } from "./generated/content";

export default createApp(content);
