/**
 * Where an environment's articles are read from and written to: the bundle (the default)
 * or the D1 database of the D1 mode. One store and one publisher per binding, kept for the
 * isolate's life, so that what they cache (the content version) serves every request.
 */
import type { D1Like, Env } from "../config/env";
import type { Settings } from "../config/settings";
import type { ContentStore } from "../content/store";
import { PackedStore } from "./bundle/packed-store";
import { D1Publisher } from "./d1/publisher";
import { D1Store } from "./d1/store";

export class Stores {
  readonly bundled: PackedStore;
  private readonly databases = new WeakMap<D1Like, D1Store>();
  private readonly publishers = new WeakMap<D1Like, D1Publisher>();

  /** `databaseTimeoutMs`: how long a database call may take before it counts as failed. */
  constructor(
    content: ArrayBuffer | Uint8Array<ArrayBuffer>,
    private readonly databaseTimeoutMs?: number,
  ) {
    this.bundled = new PackedStore(content);
  }

  store(env: Env, settings: Settings): ContentStore {
    return settings.storage === "d1" ? this.database(env.DB!, settings) : this.bundled;
  }

  /** The D1 mode's store (readSettings has checked that the binding exists). */
  database(db: D1Like, settings: Settings): D1Store {
    let store = this.databases.get(db);
    if (store === undefined) {
      store = new D1Store(db, { ttlMs: settings.contentTtl * 1000, timeoutMs: this.databaseTimeoutMs });
      this.databases.set(db, store);
    }
    return store;
  }

  /** The D1 mode's writer, filing articles under the bundle's topic definitions. */
  publisher(db: D1Like): D1Publisher {
    let publisher = this.publishers.get(db);
    if (publisher === undefined) {
      publisher = new D1Publisher(db, this.bundled.definitions);
      this.publishers.set(db, publisher);
    }
    return publisher;
  }
}
