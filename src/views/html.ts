import type { JSX } from "hono/jsx/jsx-runtime";

export const HTML_TYPE = "text/html; charset=utf-8";

/** A page as the bytes served: the doctype, then the element. */
export async function htmlDocument(element: JSX.Element): Promise<string> {
  return `<!DOCTYPE html>\n${await element.toString()}\n`;
}
