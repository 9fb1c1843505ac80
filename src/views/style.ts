/**
 * The one stylesheet, served at a URL that carries its hash so it can be cached for a
 * year (see views/assets.ts). Light and dark schemes; colours meet WCAG AA contrast.
 */
export const STYLESHEET = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1b1b; --muted: #545454; --line: #d9d9d9;
  --accent: #0b57a4; --accent-visited: #6a3d9a; --panel: #f4f6f8; --focus: #c2410c;
  --measure: 44rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  line-height: 1.55;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121417; --fg: #e8e8e8; --muted: #b0b4ba; --line: #33383f;
    --accent: #7fb3ff; --accent-visited: #c8a6ff; --panel: #1b1f24; --focus: #ffb86b;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font-size: 1.0625rem; overflow-wrap: anywhere; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:visited { color: var(--accent-visited); }
a:focus-visible, code.feed-url:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.wrap { max-width: var(--measure); margin: 0 auto; padding: 0 1rem; }
.skip-link { position: absolute; left: -999px; top: 0; background: var(--bg); padding: 0.5rem 1rem; z-index: 1; }
.skip-link:focus { left: 0.5rem; top: 0.5rem; }
.site-header { border-bottom: 1px solid var(--line); }
.site-header .wrap { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 0.5rem 1.5rem; padding-top: 0.9rem; padding-bottom: 0.9rem; }
.brand { font-weight: 700; font-size: 1.25rem; color: var(--fg); text-decoration: none; }
.brand:visited { color: var(--fg); }
.site-header ul, .topic-tags, .feeds, .topic-index, .articles { list-style: none; margin: 0; padding: 0; }
.site-header ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; }
main { padding-top: 1.5rem; padding-bottom: 2.5rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 0.75rem; }
h2 { font-size: 1.35rem; line-height: 1.3; margin: 2.25rem 0 0.75rem; }
h3 { font-size: 1.15rem; line-height: 1.35; margin: 0 0 0.25rem; }
.lede { font-size: 1.15rem; color: var(--muted); margin-top: 0; }
.meta { color: var(--muted); font-size: 0.95rem; margin: 0.25rem 0; }
.articles > li { padding: 1rem 0; border-top: 1px solid var(--line); }
.articles > li:first-child { border-top: 0; padding-top: 0.25rem; }
.articles p { margin: 0.35rem 0; }
.topic-tags { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.5rem 0 0; font-size: 0.9rem; }
.topic-tags a { display: inline-block; padding: 0.1rem 0.55rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; }
.topic-index > li { padding: 1rem 0; border-top: 1px solid var(--line); }
.topic-index h2 { margin: 0; font-size: 1.2rem; display: inline; }
.topic-index .meta { display: inline; margin-left: 0.5rem; }
.topic-counts { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; list-style: none; padding: 0; }
.feeds { margin: 0.75rem 0; background: var(--panel); border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.35rem 0.8rem; }
.feeds li { display: grid; grid-template-columns: 6rem 1fr; gap: 0 0.75rem; align-items: baseline; padding: 0.3rem 0; }
.feeds li + li { border-top: 1px solid var(--line); }
.feeds a { font-weight: 600; }
code.feed-url { font-size: 0.9rem; user-select: all; -webkit-user-select: all; word-break: break-all; color: var(--fg); }
@media (max-width: 30rem) { .feeds li { grid-template-columns: 1fr; } }
.feed-rows { list-style: none; padding: 0; margin: 0.75rem 0; }
.feed-rows li { padding: 0.35rem 0; border-top: 1px solid var(--line); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
.hint { color: var(--muted); font-size: 0.95rem; }
.article-body { font-size: 1.125rem; }
.article-body img, figure img { max-width: 100%; height: auto; }
figure { margin: 1.25rem 0; }
figcaption { color: var(--muted); font-size: 0.95rem; margin-top: 0.4rem; }
figcaption small { font-size: 0.85rem; }
.with-thumbnail::after { content: ""; display: block; clear: both; }
.thumbnail { float: right; width: 7.5rem; height: auto; aspect-ratio: auto; margin: 0.2rem 0 0.5rem 1rem; border-radius: 0.35rem; object-fit: cover; }
.article-body pre { overflow-x: auto; background: var(--panel); padding: 0.75rem; border-radius: 0.5rem; }
.article-body blockquote { margin-left: 0; padding-left: 1rem; border-left: 3px solid var(--line); color: var(--muted); }
.pages { display: flex; justify-content: space-between; gap: 1rem; margin: 1.5rem 0 0; }
.pages a[rel="next"] { margin-left: auto; }
.stats table { border-collapse: collapse; width: 100%; margin: 0.75rem 0; font-size: 0.95rem; }
.stats th, .stats td { text-align: left; padding: 0.3rem 0.5rem 0.3rem 0; border-top: 1px solid var(--line); vertical-align: top; }
.stats td.n, .stats th.n { text-align: right; font-variant-numeric: tabular-nums; }
.stats .table-wrap { overflow-x: auto; }
.stats details { margin: 0 0 1.25rem; }
.stats > section { margin-top: 2.5rem; }
.stats th, .stats td { overflow-wrap: normal; }
.stats td.n, .stats th.n { white-space: nowrap; }
.stats th a { overflow-wrap: anywhere; }
.chart { width: 100%; height: auto; }
.chart .bar { fill: var(--accent); }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart text { fill: var(--muted); font-size: 11px; }
.site-footer { border-top: 1px solid var(--line); color: var(--muted); font-size: 0.95rem; }
.site-footer .wrap { padding-top: 1rem; padding-bottom: 2rem; }
@media (min-width: 48rem) { h1 { font-size: 2.4rem; } }
`.trim();

/** The site icon: a feed symbol. */
export const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b57a4"/><circle cx="4.5" cy="11.5" r="1.6" fill="#fff"/><path d="M3 7a6 6 0 0 1 6 6h-1.9A4.1 4.1 0 0 0 3 8.9zM3 3a10 10 0 0 1 10 10h-1.9A8.1 8.1 0 0 0 3 4.9z" fill="#fff"/></svg>
`;
