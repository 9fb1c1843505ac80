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

/** A closing agency tag: `[AP]`, `[Reuters]`, `[AFP]`, `[dpa]`, `[Xinhua]`… */
const AGENCY_TAG = /\s*\[([A-Za-z][A-Za-z0-9.&' -]{0,38}[A-Za-z0-9.])\]\s*$/;

/** Splits text into blocks at blank lines (lines holding only whitespace count as blank). */
function splitBlocks(text: string): string[] {
  return text
    .split(/\n[ \t\u00a0]*\n/)
    .map((block) => block.replace(/^\n+|\s+$/g, ""))
    .filter((block) => block.trim() !== "");
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
    title = markdown ? stripHeadingMarks(match[1]!).replace(/\s+#+\s*$/, "") : match[1]!;
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
  if (last !== undefined) {
    const tag = AGENCY_TAG.exec(last);
    if (tag) {
      agency = tag[1]!;
      const remaining = last.slice(0, tag.index);
      if (remaining.trim() === "") blocks.pop();
      else blocks[blocks.length - 1] = remaining;
    }
  }
  return { headline: normalizeSpace(title), blocks, agency };
}

function stripHeadingMarks(block: string): string {
  return block.replace(/^#{1,6}\s+/, "");
}

function sameText(a: string, b: string): boolean {
  return normalizeSpace(a).toLowerCase() === normalizeSpace(b).toLowerCase();
}
