/**
 * Logs a recurring error at most once per interval: during an outage every request meets
 * the same failure, and one line a minute (with a count of the others) says as much as
 * thousands would.
 */
export class ThrottledLog {
  private last = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly write: (line: string) => void = (line) => console.error(line),
    private readonly now: () => number = Date.now,
  ) {}

  report(message: string): void {
    const now = this.now();
    if (now - this.last < this.intervalMs) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (and ${this.suppressed} more since the last report)` : "";
    this.write(`${message}${more}`);
    this.last = now;
    this.suppressed = 0;
  }
}
