/**
 * Strict date parsing for front matter. `Date.parse` accepts almost anything and
 * differs between engines, so only ISO 8601 / RFC 3339 forms are accepted:
 * `2020-12-30`, `2020-12-30T14:05`, `2020-12-30 14:05:09`, with optional fraction and
 * `Z` or `±hh:mm`. A date without a zone is UTC.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Parses a front matter date to epoch milliseconds (whole seconds), or null when it does not parse. */
export function parseContentDate(value: string): number | null {
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d);
  const hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2021-02-30 over to March; a real calendar date survives the round trip.
  if (new Date(utc).getUTCDate() !== day) return null;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    offsetMinutes = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
    if (Number(z[2]) > 23 || Number(z[3]) > 59) return null;
  }
  return utc - offsetMinutes * 60_000;
}

/** RFC 3339 in UTC with whole seconds: the one timestamp form stored in the content. */
export function toTimestamp(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
