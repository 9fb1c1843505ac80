import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyPoller, type Poller } from "../../src/readers/user-agent";

const aggregator = (name: string, subscribers: number, feedId: string | null = null): Poller => ({ kind: "aggregator", name, feedId, subscribers });
const crawler = (name: string): Poller => ({ kind: "crawler", name });
const reader = (name: string): Poller => ({ kind: "reader", name });

const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";

/** User-Agents as clients send them (the aggregators' forms as they document them), each with the whole expected result. */
const FIXTURES: readonly (readonly [userAgent: string, expected: Poller])[] = [
  // Aggregators that report a count.
  ["Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )", aggregator("Feedly", 462)],
  ["Mozilla/5.0 (compatible; Inoreader/1.0; +http://www.inoreader.com/feed-fetcher; 114 subscribers; )", aggregator("Inoreader", 114)],
  ["Mozilla/5.0 (compatible; Inoreader; +http://www.inoreader.com; 114 subscribers)", aggregator("Inoreader", 114)],
  ["Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 3 subscribers; )", aggregator("Inoreader", 3)],
  ["Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)", aggregator("Inoreader", 114)],
  ["Feedbin feed-id:1234 - 102 subscribers", aggregator("Feedbin", 102, "1234")],
  ["Feedbin feed-id:1697787 - 1 subscriber", aggregator("Feedbin", 1, "1697787")],
  [
    "NewsBlur Feed Fetcher - 27 subscribers - http://www.newsblur.com/site/6096/example (Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.1 Safari/605.1.15)",
    aggregator("NewsBlur", 27, "6096"),
  ],
  ["Mozilla/5.0 (compatible; theoldreader.com; 12 subscribers; feed-id=abc123)", aggregator("The Old Reader", 12, "abc123")],
  ["Mozilla/5.0 (compatible; BazQux/2.4; +https://bazqux.com/fetcher; 5 subscribers)", aggregator("BazQux", 5)],
  ["Dreamwidth Studios; 3 readers", aggregator("Dreamwidth", 3)],
  ["Dreamwidth Studios (webmaster@dreamwidth.org; for https://www.dreamwidth.org/users/example_feed/; 2 readers)", aggregator("Dreamwidth", 2)],
  ["Bloglovin/1.0 (http://www.bloglovin.com; 1234 subscribers)", aggregator("Bloglovin", 1234)],
  ["Netvibes (crawler/bot; http://www.netvibes.com; 2 subscribers; feedID: 42)", aggregator("Netvibes", 2, "42")],
  [
    "Superfeedr bot/2.0 http://superfeedr.com - Make your feeds realtime: get in touch - feed-id:46271263 - 12 subscribers",
    aggregator("Superfeedr", 12, "46271263"),
  ],
  ["Newsify Feed Fetcher - 8 subscribers", aggregator("Newsify", 8)],
  // Aggregators this module does not know, named by their product token.
  ["LiveJournal.com (webmaster@livejournal.com; for http://www.livejournal.com/users/example/; 7 readers)", aggregator("LiveJournal.com", 7)],
  ["Mozilla/5.0 (compatible; Feedsubs Fetcher/1.0; +https://feedsubs.com/fetcher; 5 subscribers)", aggregator("Feedsubs Fetcher", 5)],
  ["FeedHub/2.1 (+https://feedhub.example; subscribers: 17; )", aggregator("FeedHub", 17)],
  // A count makes an aggregator even when the name says bot: crawlers do not have subscribers.
  ["Mozilla/5.0 (compatible; RSSingBot/1.0; +https://rssing.example; 6 subscribers)", aggregator("RSSingBot", 6)],

  // Aggregators without a count: one distinct client each.
  ["Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)", reader("Feedly")],
  ["Mozilla/5.0 (compatible; Inoreader/1.0; +http://www.inoreader.com/feed-fetcher)", reader("Inoreader")],
  ["Mozilla/5.0 (compatible; Feedspot/1.0 (+https://www.feedspot.com/fs/fetcher; like FeedFetcher-Google)", reader("Feedspot")],
  // NewsBlur's page and icon fetchers are not feed polls, even with a count.
  [
    "NewsBlur Page Fetcher - 2 subscribers - https://www.newsblur.com/site/7649476/thoughts (Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_1) AppleWebKit/534.48.3 (KHTML, like Gecko) Version/5.1 Safari/534.48.3)",
    crawler("NewsBlur"),
  ],
  ["NewsBlur Favicon Fetcher - http://www.newsblur.com", crawler("NewsBlur")],

  // Counts at the edges.
  ["Feedly/1.0 (+http://www.feedly.com/fetcher.html; subscribers; )", reader("Feedly")],
  ["Feedly/1.0 (+http://www.feedly.com/fetcher.html; 1,234 subscribers; )", aggregator("Feedly", 1234)],
  ["Mozilla/5.0 (compatible; Inoreader/1.0; +http://www.inoreader.com/feed-fetcher; 0 subscribers; )", aggregator("Inoreader", 0)],
  ["Feedbin feed-id:77 - 999999999 subscribers", aggregator("Feedbin", 999_999_999, "77")],
  ["Feedbin feed-id:77 - 999,999,999 subscribers", aggregator("Feedbin", 999_999_999, "77")],
  ["Feedbin feed-id:77 - 1000000000 subscribers", reader("Feedbin")],
  ["Feedbin feed-id:77 - 1,000,000,000 subscribers", reader("Feedbin")],
  ["Feedbin feed-id:77 - 99999999999999999999999 subscribers", reader("Feedbin")],
  ["Feedbin feed-id:77 - 12,34 subscribers", reader("Feedbin")],
  ["Feedbin feed-id:77 - -3 subscribers", reader("Feedbin")],
  ["RandomFetcher/1.0 (1.5 subscribers)", reader("other")],
  [`Feedbin feed-id:${"x".repeat(65)} - 5 subscribers`, aggregator("Feedbin", 5)],
  // Past the 512 characters read, a count is not seen.
  [`Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${" ".repeat(600)}; 462 subscribers; )`, reader("Feedly")],
  // 100 KB headers: only the start is read.
  ["9 subscribers ".repeat(7_500), aggregator("other", 9)],
  ["a".repeat(100_000), reader("other")],

  // Crawlers.
  ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", crawler("Googlebot")],
  [
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.204 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    crawler("Googlebot"),
  ],
  ["Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)", crawler("Google")],
  ["Feedfetcher-Google; (+http://www.google.com/feedfetcher.html; 4 subscribers; feed-id=1234567890)", crawler("Google")],
  [
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
    crawler("Bingbot"),
  ],
  ["msnbot/2.0b (+http://search.msn.com/msnbot.htm)", crawler("Bingbot")],
  ["Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", crawler("YandexBot")],
  ["Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", crawler("Baiduspider")],
  ["DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", crawler("DuckDuckBot")],
  [`${SAFARI} (Applebot/0.1; +http://www.apple.com/go/applebot)`, crawler("Applebot")],
  ["Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)", crawler("Slurp")],
  ["facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", crawler("Facebook")],
  ["Twitterbot/1.0", crawler("Twitterbot")],
  ["LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", crawler("LinkedInBot")],
  ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", crawler("Slackbot")],
  ["Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", crawler("Discordbot")],
  // "like TwitterBot" is a comparison, not a name.
  ["TelegramBot (like TwitterBot)", crawler("TelegramBot")],
  ["WhatsApp/2.23.20.0", crawler("WhatsApp")],
  ["Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", crawler("AhrefsBot")],
  ["Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", crawler("SemrushBot")],
  ["Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", crawler("MJ12bot")],
  ["Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)", crawler("DotBot")],
  [
    "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
    crawler("PetalBot"),
  ],
  [
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
    crawler("Bytespider"),
  ],
  ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.1; +https://openai.com/gptbot", crawler("GPTBot")],
  ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", crawler("ChatGPT-User")],
  ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot", crawler("OAI-SearchBot")],
  ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", crawler("ClaudeBot")],
  ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Claude-User/1.0; +Claude-User@anthropic.com)", crawler("Claude-User")],
  ["anthropic-ai", crawler("anthropic-ai")],
  ["CCBot/2.0 (https://commoncrawl.org/faq/)", crawler("CCBot")],
  ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)", crawler("PerplexityBot")],
  [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/600.2.5 (KHTML, like Gecko) Version/8.0.2 Safari/600.2.5 (Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot)",
    crawler("Amazonbot"),
  ],
  ["Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", crawler("UptimeRobot")],
  ["Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", crawler("Pingdom")],
  ["W3C_Validator/1.3 http://validator.w3.org/services", crawler("W3C Validator")],
  ["W3C_FeedValidator/2.0 (+http://validator.w3.org/feed/)", crawler("W3C Feed Validator")],
  // Robots this module does not know, named by the token the word is in.
  ["SomeBot/1.0 (+https://somebot.example)", crawler("SomeBot")],
  ["Mozilla/5.0 (compatible; ExampleCrawler/2.1; +https://example.org/crawler)", crawler("ExampleCrawler")],
  ["Xaldon WebSpider", crawler("WebSpider")],

  // Readers that report no count.
  ["Mozilla/5.0 (compatible; Miniflux/2.2.0; +https://miniflux.app)", reader("Miniflux")],
  ["NetNewsWire (RSS Reader; https://netnewswire.com/)", reader("NetNewsWire")],
  ["FreshRSS/1.24.0 (Linux; https://freshrss.org)", reader("FreshRSS")],
  ["Tiny Tiny RSS/24.05 (https://tt-rss.org/)", reader("Tiny Tiny RSS")],
  ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.0", reader("Thunderbird")],
  ["NewsFlash/3.3.4", reader("NewsFlash")],
  ["Newsboat/2.36 (Linux x86_64)", reader("Newsboat")],
  ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) QuiteRSS/0.19.4 Safari/537.36", reader("QuiteRSS")],
  ["Reeder/5050.00.01 CFNetwork/1498.700.2 Darwin/23.6.0", reader("Reeder")],
  ["Vienna/3.9.0", reader("Vienna")],
  ["SpaceCowboys Android RSS Reader / 2.13.0(3764)", reader("Feeder")],
  ["Akregator/5.24.3; syndication", reader("Akregator")],
  ["Liferea/1.15.6 (Linux; en_US.UTF-8; https://lzone.de/liferea/)", reader("Liferea")],
  ["RSSOwl/2.2.1.201312301314 (Windows; U; en)", reader("RSSOwl")],
  [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) fluent-reader/1.1.4 Chrome/120.0.6099.291 Electron/28.3.3 Safari/537.36",
    reader("Fluent Reader"),
  ],
  ["Readwise Reader/1.0 (+https://readwise.io/read)", reader("Readwise Reader")],
  ["curl/8.5.0", reader("curl")],
  ["Wget/1.21.4", reader("Wget")],
  ["python-requests/2.32.3", reader("python-requests")],
  ["UniversalFeedParser/6.0.11 +https://github.com/kurtmckee/feedparser/", reader("feedparser")],
  ["Go-http-client/2.0", reader("Go-http-client")],
  ["node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", reader("node-fetch")],
  // Browsers.
  [CHROME, reader("browser")],
  ["Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", reader("browser")],
  [SAFARI, reader("browser")],
  // A phone named CUBOT is a browser, not a robot; a robot in a browser's clothes names itself "…Bot/1.0".
  [
    "Mozilla/5.0 (Linux; Android 13; CUBOT X30 Build/TP1A.220624.014) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    reader("browser"),
  ],
  ["Mozilla/5.0 (Linux; Android 13; CUBOT_NOTE_30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", reader("browser")],
  [
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; SeekportBot/1.0; +https://bot.seekport.com) Chrome/120.0 Safari/537.36",
    crawler("SeekportBot"),
  ],
  [`${CHROME} Edg/131.0.2903.86`, reader("browser")],
  // Nothing to go on.
  ["", reader("other")],
  ["   ", reader("other")],
  ["MyCustomFetcher/0.1", reader("other")],
  ["Mozilla/5.0 (compatible; UnknownApp/1.0)", reader("other")],
  ["xcurl/1.0", reader("other")],
];

describe("classifyPoller", () => {
  it("has a fixture for each kind of poller", () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(45);
  });

  for (const [userAgent, expected] of FIXTURES) {
    const title = userAgent.length > 90 ? `${JSON.stringify(userAgent.slice(0, 90))}… (${userAgent.length} chars)` : JSON.stringify(userAgent);
    it(`classifies ${title}`, () => {
      expect(classifyPoller(userAgent)).toEqual(expected);
    });
  }

  it("takes a missing header for an unknown reader", () => {
    expect(classifyPoller(null)).toEqual(reader("other"));
    expect(classifyPoller(undefined)).toEqual(reader("other"));
  });
});

describe("classifyPoller on any input", () => {
  const anyHeader = fc.oneof(
    fc.string({ maxLength: 600 }),
    fc.string({ unit: "binary", maxLength: 600 }),
    // Pieces of real headers, so the counts and names are reached and not only the fallbacks.
    fc
      .array(
        fc.oneof(
          fc.constantFrom(
            "Mozilla/5.0 (compatible; ",
            "Feedly/1.0",
            "feed-id:",
            "feedID: ",
            " subscribers",
            " readers",
            "subscribers: ",
            ",",
            ".",
            "-",
            "; ",
            "bot",
            "like ",
          ),
          fc.nat({ max: 2_000_000_000 }).map(String),
          fc.string({ maxLength: 8 }),
        ),
        { maxLength: 40 },
      )
      .map((parts) => parts.join("")),
  );

  it("never throws, and gives a well-formed poller", () => {
    fc.assert(
      fc.property(anyHeader, (userAgent) => {
        const poller = classifyPoller(userAgent);
        expect(["aggregator", "crawler", "reader"]).toContain(poller.kind);
        expect(poller.name.length).toBeGreaterThan(0);
        if (poller.kind === "aggregator") {
          expect(Number.isSafeInteger(poller.subscribers)).toBe(true);
          expect(poller.subscribers).toBeGreaterThanOrEqual(0);
          expect(poller.subscribers).toBeLessThanOrEqual(999_999_999);
          expect(poller.name.length).toBeLessThanOrEqual(40);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it("takes any product's reported count", () => {
    // Starting with "X", which no known product's name does, so the name can only be the token;
    // without the robot words, which make a crawler of a name the module does not know.
    const productName = fc
      .string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), maxLength: 39 })
      .map((rest) => `X${rest}`)
      .filter((name) => !/bot|crawl|spider/i.test(name));
    fc.assert(
      fc.property(productName, fc.integer({ min: 0, max: 1_000_000 }), (name, n) => {
        expect(classifyPoller(`${name}/1.0 (+https://x.example; ${n} subscribers)`)).toEqual(aggregator(name, n));
      }),
      { numRuns: 500 },
    );
  });
});
