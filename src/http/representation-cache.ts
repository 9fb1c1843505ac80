import { type Representation, sizeOf } from "./representation";

/** One response of one site, as rendered for a content version. */
interface Slot {
  version: string;
  pending: Promise<Representation>;
  ready: Representation | null;
  /** The last rendering of an earlier version, kept until this version's is ready: served when rendering fails. */
  previous: Representation | null;
}

/**
 * Rendered representations kept for the life of the isolate, one slot per response (site
 * and path), holding the rendering of the newest content version asked for; within a
 * number of slots and a number of bytes (an isolate has 128 MB, and every `?before=` page
 * of every feed is a valid path), the least recently rendered dropped first. Concurrent
 * requests for the same slot and version share one rendering. When a newer version fails
 * to render (the database is down), the older rendering is still at hand for a
 * stale-if-error answer (RFC 5861 §4).
 */
export class RepresentationCache {
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly byteLimit: number,
  ) {}

  /** The rendering of `slot` for `version`, rendering it with `render` unless it is kept or under way. */
  get(slot: string, version: string, render: () => Promise<Representation>): Promise<Representation> {
    const old = this.slots.get(slot);
    if (old !== undefined && old.version === version) return old.pending;
    const pending = render();
    const entry: Slot = { version, pending, ready: null, previous: old === undefined ? null : (old.ready ?? old.previous) };
    if (old !== undefined) this.forget(slot, old);
    this.slots.set(slot, entry);
    this.bytes += entry.previous === null ? 0 : sizeOf(entry.previous);
    pending.then(
      (rep) => {
        if (this.slots.get(slot) !== entry) return;
        entry.ready = rep;
        this.bytes += sizeOf(rep);
        if (entry.previous !== null) {
          this.bytes -= sizeOf(entry.previous);
          entry.previous = null;
        }
        this.trim();
      },
      () => {
        // A failed rendering is not kept: the next request tries again, and the earlier
        // version's rendering stays available meanwhile.
        if (this.slots.get(slot) !== entry) return;
        this.forget(slot, entry);
        if (entry.previous !== null) {
          const restored: Slot = { version: "", pending: Promise.resolve(entry.previous), ready: entry.previous, previous: null };
          this.slots.set(slot, restored);
          this.bytes += sizeOf(entry.previous);
        }
      },
    );
    this.trim();
    return pending;
  }

  /** The rendering of `slot` for `version`, if it is ready. */
  peek(slot: string, version: string): Representation | undefined {
    const entry = this.slots.get(slot);
    return entry !== undefined && entry.version === version && entry.ready !== null ? entry.ready : undefined;
  }

  /** The newest finished rendering of `slot`, whatever its version: for answering when rendering fails. */
  stale(slot: string): Representation | undefined {
    const entry = this.slots.get(slot);
    return entry === undefined ? undefined : (entry.ready ?? entry.previous ?? undefined);
  }

  get size(): number {
    return this.slots.size;
  }

  /** Bytes of the kept renderings, every coding counted. */
  get storedBytes(): number {
    return this.bytes;
  }

  private forget(slot: string, entry: Slot): void {
    this.slots.delete(slot);
    if (entry.ready !== null) this.bytes -= sizeOf(entry.ready);
    if (entry.previous !== null) this.bytes -= sizeOf(entry.previous);
  }

  private trim(): void {
    while (this.slots.size > this.limit || (this.bytes > this.byteLimit && this.slots.size > 1)) {
      const [oldest, entry] = this.slots.entries().next().value!;
      this.forget(oldest, entry);
    }
  }
}
