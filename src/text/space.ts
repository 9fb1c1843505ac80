/** Collapses runs of ASCII whitespace (line breaks inside a paragraph among them) to one space, and trims. */
export function normalizeSpace(text: string): string {
  return text.replace(/[ \t\n]+/g, " ").trim();
}
