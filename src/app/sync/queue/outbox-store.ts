/**
 * Where outbox entries persist. The app uses a local-only RxDB collection (shared by all
 * tabs through IndexedDB); tests use the in-memory implementation, which behaves the same.
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import type { OutboxEntry } from './outbox-entry';

export interface OutboxStore {
  /** The entries with these keys that exist. */
  get(keys: readonly string[]): Promise<Map<string, OutboxEntry>>;
  /** Inserts or replaces entries by key. */
  put(entries: readonly OutboxEntry[]): Promise<void>;
  remove(keys: readonly string[]): Promise<void>;
  /** Every entry, emitted again after each change. */
  watch(): Observable<readonly OutboxEntry[]>;
  all(): Promise<readonly OutboxEntry[]>;
}

export class MemoryOutboxStore implements OutboxStore {
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly subject = new BehaviorSubject<readonly OutboxEntry[]>([]);

  async get(keys: readonly string[]): Promise<Map<string, OutboxEntry>> {
    const found = new Map<string, OutboxEntry>();
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) found.set(key, entry);
    }
    return found;
  }

  async put(entries: readonly OutboxEntry[]): Promise<void> {
    entries.forEach((e) => this.entries.set(e.key, e));
    this.emit();
  }

  async remove(keys: readonly string[]): Promise<void> {
    keys.forEach((k) => this.entries.delete(k));
    this.emit();
  }

  watch(): Observable<readonly OutboxEntry[]> {
    return this.subject.asObservable();
  }

  async all(): Promise<readonly OutboxEntry[]> {
    return [...this.entries.values()];
  }

  private emit(): void {
    this.subject.next([...this.entries.values()]);
  }
}
