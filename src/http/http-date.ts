/** HTTP dates, RFC 9110 §5.6.7. */

/** IMF-fixdate, the one form a sender generates: `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function formatHttpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const IMF_FIXDATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Parses the three forms a recipient must accept (IMF-fixdate, RFC 850, asctime) and
 * nothing else; returns epoch milliseconds or null. `Date.parse` would accept "2" or
 * "tomorrow"-like strings differently per engine, which turns garbage into 304s.
 */
export function parseHttpDate(value: string): number | null {
  const text = value.trim();
  const imf = IMF_FIXDATE.exec(text);
  if (imf) return fromParts(imf[1]!, imf[2]!, Number(imf[3]), imf[4]!, imf[5]!, imf[6]!);
  const asctime = ASCTIME.exec(text);
  if (asctime) return fromParts(asctime[2]!, asctime[1]!, Number(asctime[6]), asctime[3]!, asctime[4]!, asctime[5]!);
  const m = RFC850.exec(text);
  if (m) {
    // RFC 9110: a two-digit year that looks more than 50 years ahead is in the past century.
    const yy = Number(m[3]);
    const year = 2000 + yy > new Date().getUTCFullYear() + 50 ? 1900 + yy : 2000 + yy;
    return fromParts(m[1]!, m[2]!, year, m[4]!, m[5]!, m[6]!);
  }
  return null;
}

function fromParts(day: string, month: string, year: number, h: string, m: string, s: string): number | null {
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  const d = Number(day.trim()),
    hour = Number(h),
    minute = Number(m),
    second = Number(s);
  if (monthIndex < 0 || d < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, monthIndex, d, hour, minute, Math.min(second, 59));
  return new Date(ms).getUTCDate() === d ? ms : null;
}
