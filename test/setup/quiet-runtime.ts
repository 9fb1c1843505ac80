/**
 * vitest globalSetup: the Workers runtime reports, once per test file, that the test
 * runner's WebSocket closed ("disconnected: WebSocket peer disconnected"): the normal end
 * of every file, printed between the results as if it were an error. Only that exact
 * line is held back; every other line, a failing test's stack included, goes through.
 */
const BENIGN = /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected\n?$/;

export default function setup(): () => void {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const kept = text
      .split(/(?<=\n)/)
      .filter((line) => !BENIGN.test(line))
      .join("");
    if (kept === "") return true;
    return (write as (c: string, ...r: unknown[]) => boolean)(kept, ...rest);
  }) as typeof process.stderr.write;
  return () => {
    process.stderr.write = write;
  };
}
