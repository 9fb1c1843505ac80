import type { Settings } from "../config/settings";
import { groupsOf } from "../content/groups";
import type { Snapshot } from "../content/store";
import { escapeXml, stripInvalidXmlChars } from "../text/xml";
import { type FeedScope, feedPath, type GroupKind, scopePagePath } from "../urls";

/**
 * OPML 2.0 (http://opml.org/spec2.opml) listing the main feed and every topic's, author's
 * and source's feed, so a reader imports them all at once; each kind sits in a folder of
 * its own. RSS is listed because every reader takes it.
 */
export function renderOpml(snapshot: Snapshot, settings: Settings, origin: string): string {
  const text = (s: string) => escapeXml(stripInvalidXmlChars(s));
  const outline = (title: string, scope: FeedScope, indent: string) =>
    `${indent}<outline type="rss" text="${text(title)}" title="${text(title)}" xmlUrl="${text(origin + feedPath(scope, "rss"))}" htmlUrl="${text(origin + scopePagePath(scope))}"/>`;
  const folder = (kind: GroupKind, label: string) => {
    const groups = groupsOf(snapshot, kind).filter((g) => g.count > 0);
    if (groups.length === 0) return [];
    const name = text(`${settings.title} ${label}`);
    return [
      `    <outline text="${name}" title="${name}">`,
      ...groups.map((g) => outline(`${settings.title}: ${g.name}`, { kind, slug: g.slug }, "      ")),
      `    </outline>`,
    ];
  };
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
    ...folder("topic", "topics"),
    ...folder("author", "authors"),
    ...folder("source", "sources"),
    `  </body>`,
    `</opml>`,
    ``,
  ].join("\n");
}
