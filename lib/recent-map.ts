// A Map that keeps only its `max` most recently set entries: for caches keyed by something a
// long-lived process may see without end (bundle paths, container ids).

export class RecentMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    // Deleted first, so a key set again counts as the newest.
    this.delete(key);
    if (this.size >= this.max) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}
