/**
 * A well-behaved client of the victim workspace that keeps pushing and pulling tasks
 * (and follows the live stream) while the fuzz cases run. Every one of its writes must
 * be accepted, come back on its next pull and arrive on its stream.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { COLLECTIONS } from '../../src/shared/collections';
import { pullQuery, pushMutation, streamSubscription } from '../../src/shared/operations';
import { uuidv7 } from '../../src/shared/uuid';
import { WRITE_ID_HEADER } from '../hardening';
import type { GraphQLAnswer } from '../test-support';

const TASKS = COLLECTIONS[1];
type TaskState = Record<string, unknown> & { id: string; revision: number };

export class LegitimateClient {
  /** The server state of every task this client knows, as the server last confirmed it. */
  private readonly known = new Map<string, TaskState>();
  /** Ids this client wrote: the only documents of the workspace allowed to change. */
  readonly written = new Set<string>();
  /** `id@revision` of every document the live stream delivered. */
  readonly streamed = new Set<string>();
  readonly failures: string[] = [];
  operations = 0;
  /** Requests sent again after the connection failed before an answer. */
  retries = 0;
  private checkpoint: unknown = null;
  private running = false;
  private loop: Promise<void> | undefined;
  private socket: Client | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly url: string, private readonly token: string, private readonly workspaceId: string) {}

  async start(): Promise<void> {
    await this.pull();
    this.socket = createClient({
      url: `${this.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false,
      connectionParams: { authorization: `Bearer ${this.token}` },
    });
    this.unsubscribe = this.socket.subscribe<{ streamTasks: { documents: TaskState[] } }>(
      { query: streamSubscription(TASKS), variables: { workspaceId: this.workspaceId } },
      {
        next: (message) => {
          if (message.errors?.length) this.failures.push(`stream error: ${JSON.stringify(message.errors)}`);
          for (const doc of message.data?.streamTasks.documents ?? []) this.streamed.add(`${doc.id}@${doc.revision}`);
        },
        error: (error) => this.failures.push(`stream ended with an error: ${String((error as { code?: number }).code ?? error)}`),
        complete: () => this.running && this.failures.push('stream completed while the client was running'),
      },
    );
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the operation in progress; resolves with the final state of every document it wrote. */
  async stop(): Promise<Map<string, TaskState>> {
    this.running = false;
    await this.loop;
    return new Map([...this.written].map((id) => [id, this.known.get(id)!]));
  }

  /** Closes the live stream (after the caller has checked what it delivered). */
  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.socket?.dispose();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.step();
      } catch (error) {
        this.failures.push(`operation failed: ${(error as Error).message} (${String((error as Error).cause ?? 'no cause')})`);
      }
      this.operations += 1;
    }
  }

  private async step(): Promise<void> {
    const live = [...this.known.values()].filter((doc) => doc['deleted'] === false);
    const edit = live.length > 0 && this.operations % 3 !== 0 ? live[this.operations % live.length]! : undefined;
    const next: TaskState = edit
      ? { ...edit, title: `edited ${this.operations}`, revision: edit.revision + 1 }
      : {
        id: uuidv7(), workspaceId: this.workspaceId, revision: 1, listId: live[0]?.['listId'] ?? uuidv7(), title: `new ${this.operations}`,
        notes: '', status: 'todo', priority: 'low', dueAt: null, assigneeId: null, createdAt: new Date().toISOString(), deleted: false,
      };
    const { updatedAt: _a, updatedBy: _b, ...newDocumentState } = next;
    const assumedMasterState = edit ? (({ updatedAt: _c, updatedBy: _d, ...rest }) => rest)(edit) : null;
    const answer = await this.send(pushMutation(TASKS), { workspaceId: this.workspaceId, rows: [{ assumedMasterState, newDocumentState }] }, `legit-${next.id}-${next.revision}`);
    const result = answer.data?.['pushTasks'] as { conflicts: unknown[]; rejections: unknown[] } | undefined;
    if (answer.status !== 200 || !result || result.conflicts.length + result.rejections.length > 0) {
      this.failures.push(`push of ${next.id} not accepted (${answer.status}): ${JSON.stringify(answer.errors ?? result)}`);
      return;
    }
    this.written.add(next.id);
    await this.pull();
    const confirmed = this.known.get(next.id);
    if (confirmed?.revision !== next.revision || confirmed['title'] !== next['title']) {
      this.failures.push(`pull after the push of ${next.id} returned ${JSON.stringify(confirmed)}`);
    }
  }

  /**
   * One request, retried once if the connection fails before an answer, as the app's
   * transport does (a push carries its write id, so a retry cannot apply it twice).
   * Retries are counted: a retry is not a failure, but a run should show few.
   */
  private async send(query: string, variables: Record<string, unknown>, writeId?: string): Promise<GraphQLAnswer> {
    const request = async (): Promise<GraphQLAnswer> => {
      const response = await fetch(`${this.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}`, ...(writeId ? { [WRITE_ID_HEADER]: writeId } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
    };
    try {
      return await request();
    } catch {
      this.retries += 1;
      return request();
    }
  }

  /** Pulls from the checkpoint until caught up. */
  private async pull(): Promise<void> {
    for (;;) {
      const answer = await this.send(pullQuery(TASKS), { workspaceId: this.workspaceId, checkpoint: this.checkpoint, limit: 100 });
      const batch = answer.data?.['pullTasks'] as { documents: TaskState[]; checkpoint: unknown } | undefined;
      if (!batch) throw new Error(`pull failed (${answer.status}): ${JSON.stringify(answer.errors)}`);
      for (const doc of batch.documents) this.known.set(doc.id, doc);
      if (batch.checkpoint) this.checkpoint = batch.checkpoint;
      if (batch.documents.length < 100) return;
    }
  }
}
