/**
 * Recovered work persisted in a local-only RxDB collection: pending changes of a
 * workspace the person lost access to (`../workspaces/lost-access.ts`). Never
 * replicated; it outlives the workspace's documents, reloads and re-invites, until the
 * person discards it.
 */
import type { RxCollection, RxJsonSchema } from 'rxdb';
import { map, type Observable } from 'rxjs';
import type { RecoveredWork } from '../workspaces/lost-access';

export const recoveredSchema = {
  title: 'recovered',
  description: 'Pending changes kept after their workspace was dropped from the device',
  version: 0,
  primaryKey: 'key',
  type: 'object',
  properties: {
    key: { type: 'string', maxLength: 200 },
    workspaceId: { type: 'string' },
    workspaceName: { type: 'string' },
    reason: { type: 'string' },
    recoveredAt: { type: 'number', minimum: 0, maximum: 1e15, multipleOf: 1 },
    entry: { type: 'object' },
    localVersion: { type: ['object', 'null'] },
  },
  required: ['key', 'workspaceId', 'workspaceName', 'reason', 'recoveredAt', 'entry'],
  indexes: ['recoveredAt'],
} as const satisfies RxJsonSchema<RecoveredWork>;

export type RecoveredCollection = RxCollection<RecoveredWork>;

export class RecoveredWorkStore {
  constructor(private readonly collection: RecoveredCollection) {}

  /** Every record, oldest first, emitted again after each change (in every tab). */
  watch(): Observable<readonly RecoveredWork[]> {
    return this.collection
      .find({ sort: [{ recoveredAt: 'asc' }, { key: 'asc' }] })
      .$.pipe(map((docs) => docs.map((d) => d.toMutableJSON() as RecoveredWork)));
  }

  /**
   * Keeps `records`; a key already kept is left as it is, so running the recovery twice
   * (a crash midway) never replaces a saved version with a later, emptier one.
   */
  async keep(records: readonly RecoveredWork[]): Promise<void> {
    if (records.length === 0) return;
    const existing = await this.collection.findByIds(records.map((r) => r.key)).exec();
    const fresh = records.filter((r) => !existing.has(r.key));
    if (fresh.length > 0) await this.collection.bulkInsert(fresh.map((r) => ({ ...r })));
  }

  /** The person discarded these records, knowingly. */
  async discard(keys: readonly string[]): Promise<void> {
    await this.collection.bulkRemove([...keys]);
  }
}
