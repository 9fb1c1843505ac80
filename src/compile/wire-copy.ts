import { normalizeSpace } from "../text/space";

/**
 * The shape of wire copy as it arrives: a headline line, often the headline again as
 * the first paragraph, paragraphs separated by blank lines, an agency tag such as
 * `[AP]` closing the story, and the publishing site's newsletter boilerplate after it.
 */
export interface WireStory {
  headline: string;
  /** Body blocks as written (a block may span several lines), boilerplate and tag removed. */
  blocks: string[];
  /** The agency named by a closing tag such as `[Reuters]`, without brackets. */
  agency: string | null;
}

/**
 * Sentences that publishing sites append after the story. Each pattern matches a whole
 * block; a run of such blocks at the very end is removed, never text mid-story.
 */
const BOILERPLATE: RegExp[] = [
  /^subscribe to our newsletters?\.?$/i,
  /^enter your (?:information|email(?: address)?) below to receive\b.*$/is,
  /^by signing up,? you are agreeing to our terms of service and privacy policy\.?$/i,
  /^sign up for our newsletters?\.?$/i,
];

/** The name inside a closing agency tag: `AP`, `Reuters`, `AFP`, `dpa`, `Xinhua`… (at most 40 characters). */
const AGENCY_NAME = /^[A-Za-z][A-Za-z0-9.&' -]{0,38}[A-Za-z0-9.]$/;

/*
 * Text from outside is read in time linear in its length: no pattern here lets a run of
 * whitespace be tried from each of its positions (as `\s+$` or `\s*\[` do, each try
 * scanning the rest of the run). Ends are found with trimEnd() and plain loops instead.
 */

/** Splits text into blocks at blank lines (lines holding only whitespace count as blank). */
function splitBlocks(text: string): string[] {
  return text
    .split(/\n[ \t\u00a0]*\n/)
    .map((block) => trimLeadingNewlines(block).trimEnd())
    .filter((block) => block.trim() !== "");
}

function trimLeadingNewlines(block: string): string {
  let start = 0;
  while (block.charCodeAt(start) === 10) start++;
  return block.slice(start);
}

/** A closing agency tag such as `[AP]` at the end of `block`: the agency, and the text before the tag. */
function closingAgencyTag(block: string): { agency: string; before: string } | null {
  const end = block.trimEnd();
  if (!end.endsWith("]")) return null;
  const open = end.lastIndexOf("[", end.length - 2);
  if (open === -1 || end.length - open > 42) return null;
  const agency = end.slice(open + 1, -1);
  return AGENCY_NAME.test(agency) ? { agency, before: end.slice(0, open).trimEnd() } : null;
}

/** A Markdown headline without the closing run of `#` an ATX heading may end with (CommonMark §4.2). */
function stripClosingHashes(line: string): string {
  const end = line.trimEnd();
  let hashes = end.length;
  while (hashes > 0 && end[hashes - 1] === "#") hashes--;
  if (hashes === end.length || hashes === 0 || end[hashes - 1]!.trim() !== "") return line;
  return end.slice(0, hashes).trimEnd();
}

/**
 * Reads wire copy. `headline` overrides the first line (front matter title); then the
 * first line is not taken as the headline, but a first block repeating it is still dropped.
 * Returns null when there is no text to make a headline from.
 */
export function readWireStory(body: string, headline?: string, markdown = false): WireStory | null {
  let rest = body;
  let title = headline;
  if (title === undefined) {
    const match = /^[^\S\n]*(\S[^\n]*)\n?/m.exec(body);
    if (!match) return null;
    title = markdown ? stripClosingHashes(stripHeadingMarks(match[1]!)) : match[1]!;
    rest = body.slice(match.index + match[0].length);
    if (normalizeSpace(title) === "") return null;
  }
  const blocks = splitBlocks(rest);

  const first = blocks[0];
  if (first !== undefined && sameText(markdown ? stripHeadingMarks(first) : first, title)) blocks.shift();

  while (blocks.length > 0 && BOILERPLATE.some((re) => re.test(normalizeSpace(blocks[blocks.length - 1]!)))) {
    blocks.pop();
  }

  let agency: string | null = null;
  const last = blocks[blocks.length - 1];
  const tag = last === undefined ? null : closingAgencyTag(last);
  if (tag !== null) {
    agency = tag.agency;
    if (tag.before.trim() === "") blocks.pop();
    else blocks[blocks.length - 1] = tag.before;
  }
  return { headline: normalizeSpace(title), blocks, agency };
}

function stripHeadingMarks(block: string): string {
  return block.replace(/^#{1,6}\s+/, "");
}

/**
 * Whether two texts read the same, case and runs of whitespace aside (what normalizeSpace
 * makes equal), compared in one pass that stops at the first difference: a first block of
 * a megabyte is not copied to learn that it is not the headline.
 */
function sameText(a: string, b: string): boolean {
  const next = (text: string, at: number): [char: string, at: number] => {
    let i = at;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i > at && at > 0 && i < text.length) return [" ", i];
    if (i >= text.length) return ["", i];
    const char = String.fromCodePoint(text.codePointAt(i)!);
    return [char.toLowerCase(), i + char.length];
  };
  let i = 0;
  let j = 0;
  for (;;) {
    const [x, afterA] = next(a, i);
    const [y, afterB] = next(b, j);
    if (x !== y) return false;
    if (x === "") return true;
    i = afterA;
    j = afterB;
  }
}

/** The whitespace normalizeSpace collapses: space, tab, line feed. */
function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10;
}
