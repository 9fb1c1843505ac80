/**
 * Bearer tokens of the publishing API (RFC 6750): PUBLISH_TOKEN, a Worker secret, holds
 * one or more, comma-separated, so that a new one can be added before the old one is
 * removed. Tokens are compared in constant time, as SHA-256 digests (equal length whatever
 * was sent), and never appear in a log line, an error or a response.
 */

/** The tokens PUBLISH_TOKEN holds; none when it is unset or blank (the API then does not exist). */
export function publishTokens(secret: string | undefined): string[] {
  return (secret ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

/** Whether `authorization` (the request's header) carries one of `tokens`; every token is compared, whichever matches. */
export async function authorized(authorization: string | null, tokens: readonly string[]): Promise<boolean> {
  const match = /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(authorization ?? "");
  const offered = await digest(match?.[1] ?? "");
  let ok = false;
  for (const token of tokens) {
    // Every token is compared, so the time taken does not tell which one matched.
    if (timingSafeEqual(offered, await digest(token)) && match !== null) ok = true;
  }
  return ok;
}

/** crypto.subtle.timingSafeEqual where the runtime has it (workerd); a constant-time loop elsewhere. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean };
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
