/**
 * `ChangeNotifier` across server instances through PostgreSQL LISTEN/NOTIFY.
 *
 * Every instance LISTENs on one channel with a dedicated connection (a pooled one would
 * be handed back and lose the LISTEN). A push announces its workspace with
 * `pg_notify(channel, workspaceId)` after its transaction committed; every instance,
 * the pushing one included, receives it and its `ChangeFeedHub` reads the new changes
 * from the database. The notification carries no data, so a lost or duplicated one
 * costs at most a fetch that finds nothing or a delay until the next one.
 *
 * Notifications sent while the listening connection is down are lost. So the notifier
 * reconnects with capped backoff and then reports `null` ("anything may have changed"),
 * on which the hub re-reads every watched workspace: nothing is missed across a
 * database restart or a network cut, only delayed.
 */
import pg from 'pg';
import type { ChangeNotifier } from './feed';

export const CHANGE_CHANNEL = 'fieldbook_changes';

let instances = 0;

export interface PgNotifierOptions {
  readonly onError?: (error: unknown) => void;
  /** Longest wait between reconnect attempts. */
  readonly maxBackoffMs?: number;
}

export class PgNotifier implements ChangeNotifier {
  private readonly listeners = new Set<(workspaceId: string | null) => void>();
  /** For NOTIFY: one connection, separate from the listening one and the store's pool. */
  private readonly sender: pg.Pool;
  private client: pg.Client | undefined;
  private closed = false;
  private backoffMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** `application_name` of the listening connection, so operators (and tests) can find it. */
  readonly connectionName = `fieldbook-listen-${process.pid}-${++instances}`;

  private constructor(
    private readonly connectionString: string,
    private readonly options: PgNotifierOptions,
  ) {
    this.sender = new pg.Pool({ connectionString, max: 1 });
    this.sender.on('error', (error) => this.options.onError?.(error));
  }

  /** Connects and starts listening; rejects when the database is unreachable at start-up. */
  static async open(connectionString: string, options: PgNotifierOptions = {}): Promise<PgNotifier> {
    const notifier = new PgNotifier(connectionString, options);
    await notifier.connect();
    return notifier;
  }

  /** True while the listening connection is up (readiness). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  notify(workspaceId: string): void {
    this.sender.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, workspaceId]).catch((error: unknown) => this.options.onError?.(error));
  }

  listen(listener: (workspaceId: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    await this.sender.end();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: this.connectionName });
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload) this.emit(message.payload);
    });
    const lost = (error?: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      if (error) this.options.onError?.(error);
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => {
          this.backoffMs = 100;
          // Announcements made while we were away are lost: re-check everything.
          this.emit(null);
        },
        (error: unknown) => {
          this.options.onError?.(error);
          this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 5_000);
          this.scheduleReconnect();
        },
      );
    }, this.backoffMs);
    this.reconnectTimer.unref();
  }

  private emit(workspaceId: string | null): void {
    for (const listener of this.listeners) listener(workspaceId);
  }
}
