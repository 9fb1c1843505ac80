/**
 * An article's picture as HTML, shared by the feeds (content:encoded, Atom content,
 * content_html) and the article page, and the rule that makes the site's own image paths
 * absolute: a feed is read away from the site, so it names every picture by full URL.
 */
import { escapeXml } from "../text/xml";
import type { ArticleImage } from "./types";

/** A picture's URL under `origin`: a local image's path gets the origin; a remote one is kept. */
export function absoluteImageUrl(src: string, origin: string): string {
  return src.startsWith("/") ? `${origin}${src}` : src;
}

/**
 * The article body with its local images' `src` made absolute. The body is markup the
 * build wrote (every character of the text escaped), so `src="/media/` appears only where
 * the build put an image.
 */
export function absoluteMedia(html: string, origin: string): string {
  return html.replaceAll('src="/media/', `src="${escapeXml(origin)}/media/`);
}

/** The picture as a figure: the image with its size and alt text, and a caption of caption and credit. */
export function figureHtml(image: ArticleImage, origin: string, attributes = ""): string {
  const size = image.width !== null && image.height !== null ? ` width="${image.width}" height="${image.height}"` : "";
  const img = `<img src="${escapeXml(absoluteImageUrl(image.src, origin))}" alt="${escapeXml(image.alt)}"${size}${attributes}>`;
  const caption = [image.caption === null ? "" : escapeXml(image.caption), image.credit === null ? "" : `<small>${escapeXml(image.credit)}</small>`]
    .filter((p) => p !== "")
    .join(" ");
  return `<figure>${img}${caption === "" ? "" : `<figcaption>${caption}</figcaption>`}</figure>\n`;
}
