/**
 * PgNotifier on real PostgreSQL: announcements cross connections, and after its
 * listening connection is killed it reconnects by itself and says "re-check everything"
 * (null), because announcements sent meanwhile are lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { BACKENDS, TEST_DATABASE_URL, waitFor, type TestDatabase } from './test-support';
import { PgNotifier } from './pg-notifier';

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

describe('PgNotifier on postgres', () => {
  let database: TestDatabase;
  let sender: PgNotifier;
  let receiver: PgNotifier;
  const heard: (string | null)[] = [];

  before(async () => {
    database = await postgres.create();
    sender = await PgNotifier.open(database.config.databaseUrl!);
    receiver = await PgNotifier.open(database.config.databaseUrl!, { maxBackoffMs: 200 });
    receiver.listen((workspaceId) => heard.push(workspaceId));
  });
  after(async () => {
    await sender?.close();
    await receiver?.close();
    await database?.dispose();
  });

  it('delivers an announcement made on another connection', async () => {
    sender.notify('ws-1');
    await waitFor(() => heard.includes('ws-1'), 'the announcement');
  });

  it('reconnects after its connection is killed, reports null, and hears announcements again', async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [receiver.connectionName]);
      assert.equal(killed.rowCount, 1);
    } finally {
      await admin.end();
    }
    await waitFor(() => heard.includes(null), 'the re-check-everything signal after the reconnect');
    assert.equal(receiver.listening, true);
    sender.notify('ws-2');
    await waitFor(() => heard.includes('ws-2'), 'an announcement after the reconnect');
  });
});
