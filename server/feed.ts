/**
 * Live changes per workspace, for the `stream<Plural>` subscriptions.
 *
 * A `ChangeNotifier` says "workspace W has committed changes"; it carries no data. The
 * in-process notifier below serves one server instance; `PgNotifier` (PostgreSQL
 * LISTEN/NOTIFY, `pg-notifier.ts`) replaces it to fan changes out across instances.
 *
 * For each workspace with at least one subscriber, a `WorkspaceFeed` remembers the last
 * seq it has delivered. On notification it reads everything above that seq, for all
 * collections, in one indexed query, so an edit in a workspace of 10k documents costs a
 * query returning that edit, not a scan. Fetches of one feed run one at a time; a
 * notification during a fetch triggers one more fetch after it. Since seqs become visible
 * in order (see `store/sql-store.ts`), the feed never skips a change.
 */
import type { CollectionName } from '../src/shared/collections';
import type { Checkpoint, Store, WireDocument } from './store/store';

export interface ChangeNotifier {
  /** Announces that `workspaceId` has committed changes. */
  notify(workspaceId: string): void;
  /**
   * Calls `listener` on every announcement; returns the function that stops it.
   * `null` means announcements may have been lost (a reconnect): re-check every workspace.
   */
  listen(listener: (workspaceId: string | null) => void): () => void;
  /** Releases connections, if any. */
  close?(): Promise<void>;
}

export class InProcessNotifier implements ChangeNotifier {
  private readonly listeners = new Set<(workspaceId: string) => void>();

  notify(workspaceId: string): void {
    for (const listener of this.listeners) listener(workspaceId);
  }

  listen(listener: (workspaceId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface ChangeBatch {
  readonly documents: WireDocument[];
  readonly checkpoint: Checkpoint;
}

export type BatchListener = (batch: ChangeBatch) => void;

export interface FeedOptions {
  /** Documents read per query; a larger backlog is read in several queries. */
  readonly pageSize?: number;
  /** Called when a fetch fails; the feed retries on the next notification. */
  readonly onError?: (error: unknown) => void;
}

interface Subscriber {
  readonly collection: CollectionName;
  readonly listener: BatchListener;
}

class WorkspaceFeed {
  readonly subscribers = new Set<Subscriber>();
  private fetching: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly workspaceId: string,
    /** Last delivered position; `id: null` means "after every document of `seq`". */
    private position: { seq: number; id: string | null },
    private readonly options: Required<FeedOptions>,
  ) {}

  /** Schedules a fetch; resolves when the changes known at call time are dispatched. */
  wake(): Promise<void> {
    if (this.fetching) {
      this.again = true;
      return this.fetching;
    }
    this.fetching = this.run().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.fetchAll();
      } catch (error) {
        this.options.onError(error);
      }
    } while (this.again);
  }

  private async fetchAll(): Promise<void> {
    for (;;) {
      const changes = await this.store.changesSince(this.workspaceId, this.position, this.options.pageSize);
      const last = changes.at(-1);
      if (!last) return;
      const byCollection = new Map<CollectionName, ChangeBatch>();
      for (const change of changes) {
        const documents = byCollection.get(change.collection)?.documents ?? [];
        documents.push(change.document);
        byCollection.set(change.collection, { documents, checkpoint: { seq: change.seq, id: change.document.id } });
      }
      this.position = { seq: last.seq, id: last.document.id };
      for (const subscriber of this.subscribers) {
        const batch = byCollection.get(subscriber.collection);
        if (batch) subscriber.listener(batch);
      }
      if (changes.length < this.options.pageSize) return;
    }
  }
}

/**
 * Batches queued for one subscriber, read as an async iterator. The queue is not
 * bounded: a client that stops reading holds its batches until it disconnects.
 */
class BatchStream implements AsyncIterableIterator<ChangeBatch> {
  onReturn: () => void = () => undefined;
  private readonly queue: ChangeBatch[] = [];
  private waiting: ((result: IteratorResult<ChangeBatch>) => void) | undefined;
  private done = false;

  push(batch: ChangeBatch): void {
    if (this.done) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting({ value: batch, done: false });
    else this.queue.push(batch);
  }

  next(): Promise<IteratorResult<ChangeBatch>> {
    const batch = this.queue.shift();
    if (batch) return Promise.resolve({ value: batch, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<ChangeBatch>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.onReturn();
      this.waiting?.({ value: undefined, done: true });
      this.waiting = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ChangeBatch> {
    return this;
  }
}

/**
 * The change feeds of all workspaces. A feed is created when the first subscriber of
 * its workspace arrives and dropped when the last one leaves.
 */
export class ChangeFeedHub {
  private readonly feeds = new Map<string, Promise<WorkspaceFeed>>();
  /** Live subscriptions over all workspaces (the open-streams gauge). */
  openStreams = 0;
  private readonly options: Required<FeedOptions>;
  private readonly stopListening: () => void;

  constructor(
    private readonly store: Store,
    private readonly notifier: ChangeNotifier,
    options: FeedOptions = {},
  ) {
    this.options = { pageSize: 500, onError: () => undefined, ...options };
    this.stopListening = notifier.listen((workspaceId) => {
      if (workspaceId !== null) void this.wake(workspaceId);
      else for (const id of this.feeds.keys()) void this.wake(id);
    });
  }

  /** Announces committed changes of `workspaceId` (to every instance, with a shared notifier). */
  announce(workspaceId: string): void {
    this.notifier.notify(workspaceId);
  }

  /**
   * Delivers batches of `collection` changes committed after this call resolves.
   * Returns the function that ends the subscription.
   */
  async subscribe(workspaceId: string, collection: CollectionName, listener: BatchListener): Promise<() => void> {
    let pending = this.feeds.get(workspaceId);
    if (!pending) {
      pending = this.store.currentSeq(workspaceId).then(
        (seq) => new WorkspaceFeed(this.store, workspaceId, { seq, id: null }, this.options),
      );
      this.feeds.set(workspaceId, pending);
      pending.catch(() => this.feeds.delete(workspaceId));
    }
    const feed = await pending;
    const subscriber = { collection, listener };
    feed.subscribers.add(subscriber);
    this.openStreams += 1;
    return () => {
      if (feed.subscribers.delete(subscriber)) this.openStreams -= 1;
      if (feed.subscribers.size === 0 && this.feeds.get(workspaceId) === pending) this.feeds.delete(workspaceId);
    };
  }

  /** Like `subscribe`, as an async iterator of batches; `return()` ends the subscription. */
  async stream(workspaceId: string, collection: CollectionName): Promise<AsyncIterableIterator<ChangeBatch>> {
    const stream = new BatchStream();
    stream.onReturn = await this.subscribe(workspaceId, collection, (batch) => stream.push(batch));
    return stream;
  }

  /** Fetches and dispatches the new changes of a watched workspace; resolves when done. */
  async wake(workspaceId: string): Promise<void> {
    const feed = await this.feeds.get(workspaceId)?.catch(() => undefined);
    await feed?.wake();
  }

  /** Number of live subscribers of a workspace (for tests and metrics). */
  async subscriberCount(workspaceId: string): Promise<number> {
    const feed = await this.feeds.get(workspaceId)?.catch(() => undefined);
    return feed?.subscribers.size ?? 0;
  }

  close(): void {
    this.stopListening();
    this.feeds.clear();
  }
}
