import { stripNonTextChars } from "../text/xml";

/**
 * Turns a file's bytes into text with LF line ends, or says why it is not text.
 * Returns the reason as a string rather than throwing, so callers name the file.
 */
export function decodeArticleText(bytes: Uint8Array): { text: string } | { error: string } {
  if (bytes.length === 0) return { error: "file is empty" };
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { error: `binary data, not text (NUL byte at offset ${nul})` };
  const bad = firstInvalidUtf8Offset(bytes);
  if (bad !== -1) return { error: `not valid UTF-8 (bad byte 0x${bytes[bad]!.toString(16).padStart(2, "0")} at offset ${bad})` };
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  return { text: stripNonTextChars(text.replace(/\r\n?/g, "\n")) };
}

/**
 * Offset of the first byte that breaks UTF-8 (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or -1 when the whole input is valid.
 */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
