/**
 * A deterministic generator of wire-copy articles in the seed format, for benchmarks and
 * tests. Pure: the same index always gives the same file name, text and date.
 */

/** mulberry32: a small, fast, seeded PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLACES = [
  "Turkey",
  "the United States",
  "Russia",
  "Ukraine",
  "China",
  "Iran",
  "Germany",
  "France",
  "Brazil",
  "India",
  "Japan",
  "Egypt",
  "Nigeria",
  "Mexico",
  "the European Union",
  "Syria",
  "Israel",
  "Canada",
];
const SUBJECTS = [
  "sanctions",
  "oil prices",
  "the election",
  "inflation",
  "a trade deal",
  "the ceasefire",
  "vaccine supplies",
  "a storm",
  "interest rates",
  "defense spending",
  "a court ruling",
  "the budget",
  "refugees",
  "cyber attacks",
  "gas pipelines",
];
const VERBS = ["discuss", "reject", "approve", "weigh", "announce", "challenge", "extend", "review"];
const PEOPLE = [
  "the foreign minister",
  "the president",
  "officials",
  "lawmakers",
  "the central bank",
  "analysts",
  "the prime minister",
  "diplomats",
  "the health ministry",
];
const AGENCIES = ["AP", "Reuters", "AFP"];
const COMMON = [
  "the",
  "of",
  "and",
  "to",
  "in",
  "a",
  "said",
  "that",
  "for",
  "on",
  "with",
  "as",
  "was",
  "by",
  "at",
  "from",
  "its",
  "would",
  "after",
  "talks",
  "week",
  "government",
  "officials",
  "plan",
  "state",
  "new",
  "year",
  "two",
  "first",
  "last",
  "people",
  "country",
];
const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ran",
  "tes",
  "vo",
  "bel",
  "dor",
  "ish",
  "na",
  "por",
  "qua",
  "sel",
  "tum",
  "ver",
  "zan",
  "ar",
  "en",
  "il",
  "os",
  "un",
  "bra",
  "cre",
  "dri",
  "fla",
  "gro",
];

/**
 * A sentence of common words and made-up names: text that compresses about as well as
 * real news copy (gzip to roughly a third), unlike a repeated template.
 */
function sentence(rnd: () => number, length: number): string {
  const words = Array.from({ length }, () => {
    if (rnd() < 0.7) return COMMON[Math.floor(rnd() * COMMON.length)]!;
    const syllables = 2 + Math.floor(rnd() * 3);
    return Array.from({ length: syllables }, () => SYLLABLES[Math.floor(rnd() * SYLLABLES.length)]!).join("");
  });
  const text = words.join(" ");
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

export function generateArticle(index: number): { name: string; text: string; mtime: Date } {
  const rnd = random(index * 7919 + 17);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const place = pick(PLACES);
  const other = pick(PLACES);
  const subject = pick(SUBJECTS);
  const headline = `${place[0]!.toUpperCase()}${place.slice(1)} and ${other} ${pick(VERBS)} ${subject} (${index})`;
  const paragraphs = [
    `${place[0]!.toUpperCase()}${place.slice(1)} and ${other} will ${pick(VERBS)} ${subject}, ${pick(PEOPLE)} said on ${pick(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])}.`,
    `The move follows weeks of talks on ${subject} and ${pick(SUBJECTS)}, ${pick(PEOPLE)} told reporters in a statement.`,
    ...Array.from(
      { length: 3 + Math.floor(rnd() * 5) },
      () => `${sentence(rnd, 18)} ${sentence(rnd, 22)} ${pick(PEOPLE)} said ${pick(SUBJECTS)} remained on the agenda in ${pick(PLACES)}.`,
    ),
  ];
  paragraphs[paragraphs.length - 1] += ` [${pick(AGENCIES)}]`;
  const text = [
    headline,
    "",
    headline,
    "",
    ...paragraphs.flatMap((p) => [p, ""]),
    "Subscribe to our Newsletters",
    "",
    "By signing up you are agreeing to our Terms of Service and Privacy Policy.",
  ].join("\n");
  const hash = (
    Math.floor(random(index + 1)() * 2 ** 32)
      .toString(16)
      .padStart(8, "0") + index.toString(16).padStart(8, "0")
  ).slice(0, 16);
  return { name: `${String(index).padStart(6, "0")}_${hash}.txt`, text, mtime: new Date(Date.UTC(2020, 0, 1) + index * 3_600_000) };
}
