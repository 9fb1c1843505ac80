/** Content codings this worker sends, most compact first. */
export type Encoding = "br" | "gzip" | "identity";

/**
 * The coding to send for an Accept-Encoding field (RFC 9110 §12.5.3): of the compressed
 * codings on offer, the acceptable one (q > 0) with the highest q, br on ties; `*` stands
 * for codings the field does not name. Uncompressed when none is acceptable.
 */
export function chooseEncoding(header: string | null, available: readonly Encoding[]): Encoding {
  if (header === null || header === "" || available.length === 0) return "identity";
  // Readers send a handful of distinct values; each is parsed once per isolate.
  const key = `${available.join(",")} ${header}`;
  const known = chosen.get(key);
  if (known !== undefined) return known;
  if (chosen.size >= 256) chosen.clear();
  const choice = parse(header, available);
  chosen.set(key, choice);
  return choice;
}

const chosen = new Map<string, Encoding>();

function parse(header: string, available: readonly Encoding[]): Encoding {
  const q = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) weight = Math.min(1, Math.max(0, Number(m[1]) || 0));
    }
    q.set(name === "x-gzip" ? "gzip" : name.trim(), weight);
  }
  const star = q.get("*") ?? 0;
  let best: Encoding = "identity";
  let bestWeight = 0;
  for (const coding of ["br", "gzip"] as const) {
    if (!available.includes(coding)) continue;
    const weight = q.get(coding) ?? star;
    if (weight > bestWeight) [best, bestWeight] = [coding, weight];
  }
  return best;
}
