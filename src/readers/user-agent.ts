/**
 * Who polled a feed, as far as the request's User-Agent says: so the site can count
 * subscribers per feed without tracking people.
 *
 * Hosted aggregators (Feedly, Inoreader, Feedbin, NewsBlur, ...) fetch a feed once for all
 * their users and say in the User-Agent how many of them subscribe ("462 subscribers"): that
 * count is the aggregator's own figure, and is taken as it is. Every other client is named by
 * its product only ("Miniflux", "curl", "browser"), so polls can be grouped by kind of client.
 * Only the header is read, and nothing about a person (no address, no version, no platform,
 * no identifier beyond an aggregator's own feed id) is derived from it or returned.
 *
 * Bounded work on any input: only the first 512 characters are read (a real User-Agent is
 * far shorter, and the header is the client's to make as long as it likes), every search is
 * indexOf or a regex whose repeats are single and bounded, so the cost is linear in those
 * 512 characters whatever they hold.
 */

/** What a feed poll's User-Agent says about who polled. */
export type Poller =
  /** An aggregator that reports how many of its users subscribe (the count is for its feed-id when it gives one). */
  | { kind: "aggregator"; name: string; feedId: string | null; subscribers: number }
  /** A search engine, an SEO or AI crawler, a link previewer, a monitor: not a reader. */
  | { kind: "crawler"; name: string }
  /** A reader that reports no count: self-hosted (Miniflux, FreshRSS, Tiny Tiny RSS), desktop and phone apps, curl, browsers, unknown. `name` is a short product name for the breakdown ("Miniflux", "NetNewsWire", "curl", "browser", "other"). */
  | { kind: "reader"; name: string };

/** How much of the header is read: more than any real User-Agent needs. */
const MAX_UA_CHARS = 512;

/** Longest name taken from the header itself (a product token), so a breakdown row stays short. */
const MAX_NAME_CHARS = 40;

/** A substring to look for in the lowercased header, and the name it stands for. */
type Known = readonly [needle: string, name: string];

/**
 * Hosted aggregators, which fetch once for many users and (most of them) say how many.
 * Checked first: Feedly's and Feedspot's headers say "like FeedFetcher-Google", and
 * Netvibes' and Superfeedr's say "bot", which would otherwise make them crawlers.
 */
const AGGREGATORS: readonly Known[] = [
  ["feedly", "Feedly"],
  ["inoreader", "Inoreader"],
  ["feedbin", "Feedbin"],
  ["newsblur", "NewsBlur"],
  ["theoldreader", "The Old Reader"],
  ["bazqux", "BazQux"],
  ["dreamwidth", "Dreamwidth"],
  ["feedspot", "Feedspot"],
  ["bloglovin", "Bloglovin"],
  ["netvibes", "Netvibes"],
  ["superfeedr", "Superfeedr"],
  ["newsify", "Newsify"],
];

/** NewsBlur's other fetchers get a site's page and icon, not the feed for its readers (the page fetcher says the feed's count all the same). */
const NEWSBLUR_NOT_FEED = ["newsblur page fetcher", "newsblur favicon fetcher"];

/** Crawlers and other non-readers by name; the more specific needle first where one contains another's start. */
const CRAWLERS: readonly Known[] = [
  ["googlebot", "Googlebot"],
  ["feedfetcher-google", "Google"],
  ["google-inspectiontool", "Google"],
  ["storebot-google", "Google"],
  ["googleother", "Google"],
  ["google-extended", "Google"],
  ["bingbot", "Bingbot"],
  ["bingpreview", "Bingbot"],
  ["msnbot", "Bingbot"],
  ["yandex", "YandexBot"],
  ["baiduspider", "Baiduspider"],
  ["duckduckbot", "DuckDuckBot"],
  ["applebot", "Applebot"],
  ["slurp", "Slurp"],
  ["facebookexternalhit", "Facebook"],
  ["twitterbot", "Twitterbot"],
  ["linkedinbot", "LinkedInBot"],
  ["slackbot", "Slackbot"],
  ["discordbot", "Discordbot"],
  ["telegrambot", "TelegramBot"],
  ["whatsapp", "WhatsApp"],
  ["ahrefsbot", "AhrefsBot"],
  ["semrushbot", "SemrushBot"],
  ["mj12bot", "MJ12bot"],
  ["dotbot", "DotBot"],
  ["petalbot", "PetalBot"],
  ["bytespider", "Bytespider"],
  ["gptbot", "GPTBot"],
  ["chatgpt-user", "ChatGPT-User"],
  ["oai-searchbot", "OAI-SearchBot"],
  ["claudebot", "ClaudeBot"],
  ["claude-user", "Claude-User"],
  ["anthropic-ai", "anthropic-ai"],
  ["ccbot", "CCBot"],
  ["perplexitybot", "PerplexityBot"],
  ["amazonbot", "Amazonbot"],
  ["uptimerobot", "UptimeRobot"],
  ["pingdom", "Pingdom"],
  ["w3c_validator", "W3C Validator"],
  ["w3c_feedvalidator", "W3C Feed Validator"],
];

/**
 * Readers that report no count, by name. Thunderbird is here because its header is a
 * browser's; the HTTP libraries because scripts and small readers poll with them.
 */
const READERS: readonly Known[] = [
  ["miniflux", "Miniflux"],
  ["netnewswire", "NetNewsWire"],
  ["freshrss", "FreshRSS"],
  ["tiny tiny rss", "Tiny Tiny RSS"],
  ["tt-rss", "Tiny Tiny RSS"],
  ["thunderbird", "Thunderbird"],
  ["newsflash", "NewsFlash"],
  ["newsboat", "Newsboat"],
  ["quiterss", "QuiteRSS"],
  ["reeder", "Reeder"],
  ["vienna", "Vienna"],
  // Feeder for Android names itself so.
  ["spacecowboys android rss reader", "Feeder"],
  ["akregator", "Akregator"],
  ["liferea", "Liferea"],
  ["rssowl", "RSSOwl"],
  ["fluent reader", "Fluent Reader"],
  ["fluent-reader", "Fluent Reader"],
  ["readwise", "Readwise Reader"],
  ["curl/", "curl"],
  ["wget/", "Wget"],
  ["python-requests", "python-requests"],
  ["universalfeedparser", "feedparser"],
  ["feedparser", "feedparser"],
  ["go-http-client", "Go-http-client"],
  ["node-fetch", "node-fetch"],
];

/** What a browser's header carries after "Mozilla/5.0 (...)": the engine or the browser. */
const BROWSER_MARKS = ["chrome/", "firefox/", "safari/", "edg/", "gecko/", "trident/", "msie "];

/** Words that give away a robot whose name is not in the lists. */
const CRAWLER_WORDS = ["bot", "crawl", "spider"];

/**
 * "462 subscribers", "1,234 subscribers", "1 subscriber", "3 readers" (Dreamwidth). The number
 * stands alone (not the tail of "1.5", "-3", "v2" or "1234567890") and is at most 999,999,999:
 * nine digits, or up to three groups of three with commas, so anything larger does not match.
 */
const COUNT_BEFORE_WORD = /(?<![\w,.+-])(\d{1,3}(?:,\d{3}){1,2}|\d{1,9})\s?(?:subscribers?|readers?)\b/i;

/** "subscribers: 12" or "subscribers=12"; the number may be followed by punctuation, not by more digits. */
const COUNT_AFTER_WORD = /\bsubscribers?\s?[:=]\s?(\d{1,3}(?:,\d{3}){1,2}|\d{1,9})(?![.,]?\d)/i;

/** "feed-id:1234" (Feedbin, Superfeedr), "feed-id=abc123" (The Old Reader), "feedID: 42" (Netvibes); an over-long id is no id. */
const FEED_ID = /\bfeed-?id\s?[:=]\s?([A-Za-z0-9_-]{1,64})(?![A-Za-z0-9_-])/i;

/** NewsBlur names its feed by its site page: "http://www.newsblur.com/site/6096/example". */
const NEWSBLUR_SITE = /\/site\/(\d{1,12})(?!\d)/;

/** A product token: the name a client gives itself before its "/version". */
const PRODUCT_TOKEN = /[A-Za-z0-9][A-Za-z0-9._+-]{0,39}/y;

/** The name inside "(compatible; Name/1.0; ...)", where a name may have spaces ("Foo Reader/1.0"). */
const COMPATIBLE_NAME = /[A-Za-z0-9][A-Za-z0-9._+ -]{0,39}/y;

/**
 * Who polled, from the User-Agent alone. The checks go from the most specific to the least:
 * a known aggregator, a known crawler, a reported count, a known reader, a robot word, a browser.
 */
export function classifyPoller(userAgent: string | null | undefined): Poller {
  const ua = (userAgent ?? "").slice(0, MAX_UA_CHARS).trim();
  if (ua === "") return { kind: "reader", name: "other" };
  // ASCII only, so an index into `lower` is the same index into `ua` (full Unicode
  // lowercasing can change a string's length: "İ" becomes two code units).
  const lower = ua.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
  const subscribers = subscriberCount(ua);

  const aggregator = findKnown(lower, AGGREGATORS);
  if (aggregator !== null) {
    if (aggregator === "NewsBlur" && NEWSBLUR_NOT_FEED.some((needle) => lower.includes(needle))) return { kind: "crawler", name: "NewsBlur" };
    // Without a count an aggregator still stands for its users, but for how many is
    // unknown: it is one more distinct client, as a reader is, rather than an
    // aggregator with a made-up count of 0 or 1.
    if (subscribers === null) return { kind: "reader", name: aggregator };
    return { kind: "aggregator", name: aggregator, feedId: feedIdOf(ua, aggregator), subscribers };
  }

  // Before a count: Google's feed fetcher has reported "N subscribers" too, for its own products.
  const crawler = findKnown(lower, CRAWLERS);
  if (crawler !== null) return { kind: "crawler", name: crawler };

  // A count before the robot words: crawlers have no subscribers, and fetchers that report
  // them often call themselves bots ("Superfeedr bot", "Netvibes (crawler/bot; ...)").
  const reader = findKnown(lower, READERS);
  if (subscribers !== null) {
    const name = reader ?? productName(ua, lower);
    return { kind: "aggregator", name, feedId: feedIdOf(ua, name), subscribers };
  }
  if (reader !== null) return { kind: "reader", name: reader };

  const browser = isBrowser(lower);
  for (const word of CRAWLER_WORDS) {
    const at = lower.indexOf(word);
    // In a browser's header a robot names itself "SomeBot/1.0"; a bare "bot" there is a
    // device's name ("CUBOT X30"), not a robot.
    if (at !== -1 && (!browser || lower[at + word.length] === "/" || word !== "bot")) return { kind: "crawler", name: tokenAround(ua, at) };
  }

  if (browser) return { kind: "reader", name: "browser" };
  return { kind: "reader", name: "other" };
}

/** The count an aggregator reports, or null when there is none (or it is not a plausible whole number). */
function subscriberCount(ua: string): number | null {
  const digits = COUNT_BEFORE_WORD.exec(ua)?.[1] ?? COUNT_AFTER_WORD.exec(ua)?.[1];
  return digits === undefined ? null : Number(digits.replaceAll(",", ""));
}

function feedIdOf(ua: string, name: string): string | null {
  const id = FEED_ID.exec(ua)?.[1];
  if (id !== undefined) return id;
  return name === "NewsBlur" ? (NEWSBLUR_SITE.exec(ua)?.[1] ?? null) : null;
}

/**
 * The name of the first needle found at the start of a word, so that a name which merely
 * ends in one ("xcurl/1.0", "Abcfeedly") is not taken for it. A mention after "like "
 * ("like FeedFetcher-Google", which readers write to pass filters) is a comparison, not a name.
 */
function findKnown(lower: string, known: readonly Known[]): string | null {
  for (const [needle, name] of known) {
    for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + 1)) {
      if (at > 0 && isAlphanumeric(lower.charCodeAt(at - 1))) continue;
      if (at >= 5 && lower.startsWith("like ", at - 5)) continue;
      return name;
    }
  }
  return null;
}

/**
 * An unknown aggregator's name: its product token ("FooReader" in "FooReader/2.0 (...)"),
 * or for a header that starts as a browser's, the name after "compatible;". "other" when
 * neither gives a name with a letter in it (a header of digits and punctuation).
 */
function productName(ua: string, lower: string): string {
  PRODUCT_TOKEN.lastIndex = 0;
  let name = PRODUCT_TOKEN.exec(ua)?.[0];
  if (name?.toLowerCase() === "mozilla") {
    const compatible = lower.indexOf("compatible;");
    name = undefined;
    if (compatible !== -1) {
      let at = compatible + "compatible;".length;
      while (ua[at] === " ") at++;
      COMPATIBLE_NAME.lastIndex = at;
      name = COMPATIBLE_NAME.exec(ua)?.[0].trimEnd();
    }
  }
  return name !== undefined && /[A-Za-z]/.test(name) ? name : "other";
}

/** The token a crawler word sits in ("SomeBot" for "bot" in "SomeBot/1.0"), at most 40 characters. */
function tokenAround(ua: string, at: number): string {
  let start = at;
  while (start > 0 && at - start < MAX_NAME_CHARS && isNameChar(ua.charCodeAt(start - 1))) start--;
  let end = at;
  while (end < ua.length && end - start < MAX_NAME_CHARS && isNameChar(ua.charCodeAt(end))) end++;
  return ua.slice(start, end);
}

/** A browser's header: "Mozilla/5.0 (...)" followed by the engine or the browser's own token. */
function isBrowser(lower: string): boolean {
  return (lower.startsWith("mozilla/") || lower.startsWith("opera/")) && BROWSER_MARKS.some((mark) => lower.includes(mark));
}

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

function isNameChar(code: number): boolean {
  return isAlphanumeric(code) || code === 45 /* - */ || code === 46 /* . */ || code === 95 /* _ */;
}
