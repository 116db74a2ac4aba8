/**
 * One engine loaded on first use, for a key (the model it is): asking again for the same key shares
 * the load, asking for another disposes the first, and a failed load is forgotten so the next ask
 * tries again.
 */

/** A load under way: its result, and how to stop it or free what it made. */
export interface Loading<T> {
  ready: Promise<T>;
  /** Frees the engine, or stops a load still running. */
  dispose(): Promise<void> | void;
}

export class LazySlot<T> {
  private held: { key: string; loading: Loading<T> } | null = null;

  /** The engine for `key`: the one held, or a new one from `start` (after the old one is disposed). */
  get(key: string, start: () => Loading<T>): Promise<T> {
    if (this.held?.key === key) return this.held.loading.ready;
    void this.clear();
    const held = { key, loading: start() };
    this.held = held;
    held.loading.ready.catch(() => {
      if (this.held === held) this.held = null;
    });
    return held.loading.ready;
  }

  /** Whether an engine for `key` is held (loading or loaded). */
  holds(key: string): boolean {
    return this.held?.key === key;
  }

  /** Forgets and disposes what is held; resolves once it is freed. */
  async clear(): Promise<void> {
    const held = this.held;
    this.held = null;
    await held?.loading.dispose();
  }
}
