import type { Settings } from "../config/settings";
import type { Snapshot } from "../content/store";
import { escapeXml, stripInvalidXmlChars } from "../text/xml";
import { feedPath, scopePagePath } from "../urls";

/**
 * OPML 2.0 (http://opml.org/spec2.opml) listing the main feed and every topic's feed, so
 * a reader imports them all at once; topics sit in one folder. RSS is listed because
 * every reader takes it.
 */
export function renderOpml(snapshot: Snapshot, settings: Settings, origin: string): string {
  const text = (s: string) => escapeXml(stripInvalidXmlChars(s));
  const outline = (title: string, scope: { topic?: string }, indent: string) =>
    `${indent}<outline type="rss" text="${text(title)}" title="${text(title)}" xmlUrl="${text(origin + feedPath(scope, "rss"))}" htmlUrl="${text(origin + scopePagePath(scope))}"/>`;
  const topics = snapshot.topics.filter((t) => t.count > 0);
  return [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<opml version="2.0">`,
    `  <head>`,
    `    <title>${text(`${settings.title}: all feeds`)}</title>`,
    `    <dateModified>${new Date(snapshot.newestUpdate).toUTCString()}</dateModified>`,
    `    <docs>http://opml.org/spec2.opml</docs>`,
    `  </head>`,
    `  <body>`,
    outline(settings.title, {}, "    "),
    `    <outline text="${text(`${settings.title} topics`)}" title="${text(`${settings.title} topics`)}">`,
    ...topics.map(({ topic }) => outline(`${settings.title}: ${topic.name}`, { topic: topic.slug }, "      ")),
    `    </outline>`,
    `  </body>`,
    `</opml>`,
    ``,
  ].join("\n");
}
