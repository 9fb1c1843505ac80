/** Letters that Unicode decomposition does not reduce to ASCII, spelled as readers expect. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  đ: "d",
  ð: "d",
  ł: "l",
  ı: "i",
  þ: "th",
  ħ: "h",
};

/** The text as slugify reads it: lowercase, transliterated, accents and apostrophes dropped (what is not then a-z or 0-9 becomes a hyphen). */
function folded(text: string): string {
  return text
    .toLowerCase()
    .replace(/[ßæœøđðłıþħ]/g, (ch) => TRANSLITERATIONS[ch]!)
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/['’‘`]/g, "");
}

/** Characters slugify may turn into a hyphen without losing what tells two names apart: spaces and common punctuation. */
const SEPARATORS = /^[a-z0-9\s\-.,;:!?()&/"_]*$/;

/** Whether slugify spells every letter and digit of `text` (nothing but separators becomes a hyphen). */
export function slugifiesWhole(text: string): boolean {
  return SEPARATORS.test(folded(text));
}

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * A URL slug from a headline: lowercase ASCII letters, digits and single hyphens, cut at
 * a word boundary to at most `maxLength` characters. Empty when nothing Latin remains.
 */
export function slugify(text: string, maxLength = 80): string {
  const ascii = folded(text)
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (ascii.length <= maxLength) return ascii;
  const cut = ascii.slice(0, maxLength + 1);
  const lastHyphen = cut.lastIndexOf("-");
  return (lastHyphen > 0 ? cut.slice(0, lastHyphen) : ascii.slice(0, maxLength)).replace(/-+$/, "");
}
