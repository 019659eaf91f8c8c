/**
 * The transport against the real server (in-process yoga + PGlite). The only scripted
 * part is `faults`: a real server cannot be told to answer 503 on demand, so a wrapper
 * in front of it answers 503 for the requests a test asks for, then lets the rest through.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer, type FieldbookServer } from '../../../../server/server';
import { BACKENDS, newTask, signUpUser, testConfig, type TestDatabase, WORKSPACE } from '../../../../server/test-support';
import { FakeClock } from './fake-clock';
import { MemoryOutboxStore } from './outbox-store';
import { RetryGate } from './retry-gate';
import { SyncQueue } from './sync-queue';
import { SyncTransport, type TransportOptions } from './transport';
import { pullQuery, pushMutation } from '../../../shared/operations';
import { COLLECTIONS } from '../../../shared/collections';

let database: TestDatabase;
let server: FieldbookServer;
let endpoint: string;
/** A member of the workspace: sync needs one. */
let authorization: string;

before(async () => {
  database = await BACKENDS[0]!.create();
  server = await buildServer(testConfig(database));
  const { url } = await server.start();
  endpoint = `${url}/graphql`;
  authorization = `Bearer ${(await signUpUser(url)).accessToken}`;
});

after(async () => {
  await server.stop();
  await database.dispose();
});

const PUSH = pushMutation(COLLECTIONS[1]);
const PULL = pullQuery(COLLECTIONS[1]);

function pullRequest(checkpoint: unknown): Request {
  return new Request(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query: PULL, operationName: 'PullTasks', variables: { workspaceId: WORKSPACE, checkpoint, limit: 1000 } }),
  });
}

function pushRequest(rows: unknown[]): Request {
  return new Request(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query: PUSH, operationName: 'PushTasks', variables: { workspaceId: WORKSPACE, rows } }),
  });
}

function setup(extra: Partial<TransportOptions> = {}) {
  const faults: number[] = [];
  /** Requests whose answer is lost after the server applied them (a dropped connection). */
  let loseAnswers = 0;
  const writeIds: (string | null)[] = [];
  const expired: string[] = [];
  const clock = new FakeClock();
  const gate = new RetryGate(clock, true, () => 1);
  const store = new MemoryOutboxStore();
  const queue = new SyncQueue(store, clock);
  let online = true;
  let sent = 0;
  const transport = new SyncTransport({
    fetch: async (input, init) => {
      sent += 1;
      if (!online) throw new TypeError('Failed to fetch');
      const status = faults.shift();
      if (status) return new Response('busy', { status, headers: { 'retry-after': '2' } });
      writeIds.push((input as Request).headers.get('idempotency-key'));
      const response = await fetch(input, init);
      if (loseAnswers > 0) {
        loseAnswers -= 1;
        await response.text();
        throw new TypeError('network connection was lost');
      }
      return response;
    },
    endpoint,
    headers: { authorization },
    queue,
    gate,
    clock,
    isOnline: () => online,
    parkAfterAttempts: 2,
    onCheckpointExpired: (collection) => expired.push(collection),
    ...extra,
  });
  return { faults, clock, gate, store, queue, transport, setOnline: (v: boolean) => (online = v), sent: () => sent,
    writeIds, expired, loseAnswer: () => (loseAnswers += 1) };
}

async function pulledTitles(): Promise<Map<string, string>> {
  const result = await server.store.pull('tasks', WORKSPACE, null, 1000);
  return new Map(result.documents.map((d) => [String(d['id']), String(d['title'])]));
}

describe('SyncTransport', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });

  it('marks pushed records synced once the server accepts them', async () => {
    const task = newTask({ title: 'Accepted' });
    await env.queue.recordLocalWrite({ collection: 'tasks', docId: String(task['id']), label: 'Accepted', revision: 1, deleted: false, isInsert: true });
    const response = await env.transport.fetch(pushRequest([{ assumedMasterState: null, newDocumentState: task }]));
    const body = (await response.json()) as { data: { pushTasks: { conflicts: unknown[] } } };
    assert.deepEqual(body.data.pushTasks.conflicts, []);
    assert.deepEqual(await env.store.all(), []);
    assert.equal((await pulledTitles()).get(String(task['id'])), 'Accepted');
  });

  it('shows retrying with a rising attempt count while the server answers 503, honouring Retry-After', async () => {
    const task = newTask({ title: 'After the outage' });
    const rows = [{ assumedMasterState: null, newDocumentState: task }];
    env.faults.push(503, 503);

    await assert.rejects(env.transport.fetch(pushRequest(rows)));
    let [entry] = await env.store.all();
    assert.deepEqual([entry?.state, entry?.attempts, entry?.lastError], ['retrying', 1, 'server busy (503)']);
    assert.equal(entry?.nextRetryAt, env.clock.now() + 2000);

    const second = env.transport.fetch(pushRequest(rows));
    env.clock.advance(2000);
    await assert.rejects(second);
    [entry] = await env.store.all();
    assert.equal(entry?.attempts, 2);

    const third = env.transport.fetch(pushRequest(rows));
    env.clock.advance(2000);
    await third;
    assert.deepEqual(await env.store.all(), []);
    assert.equal(env.gate.state.attempts, 0);
  });

  it('retries a push whose answer was lost under the same write id, so it applies once and is not a conflict', async () => {
    const task = newTask({ title: 'Lost answer' });
    const created = [{ assumedMasterState: null, newDocumentState: task }];
    await env.transport.fetch(pushRequest(created));
    const edit = [{ assumedMasterState: task, newDocumentState: { ...task, title: 'Edited', revision: 2 } }];
    env.loseAnswer();
    await assert.rejects(env.transport.fetch(pushRequest(edit)));
    const retry = env.transport.fetch(pushRequest(edit));
    env.clock.advance(1000);
    const body = (await (await retry).json()) as { data: { pushTasks: { conflicts: unknown[] } } };

    assert.deepEqual(body.data.pushTasks.conflicts, [], 'the retry gets the first answer, not a conflict');
    const [createId, lostId, retryId] = env.writeIds;
    assert.ok(lostId && lostId === retryId, 'the retry carries the same write id');
    assert.notEqual(createId, lostId, 'another batch gets another write id');
    const stored = (await server.store.pull('tasks', WORKSPACE, null, 1000)).documents.find((d) => d.id === task['id']);
    assert.deepEqual([stored?.title, stored?.revision], ['Edited', 2]);
  });

  it('re-pulls a collection from scratch when the server says the checkpoint expired', async () => {
    const kept = newTask({ title: 'Kept' });
    const doomed = newTask({ title: 'Doomed' });
    await server.store.push('tasks', WORKSPACE, [{ newDocumentState: kept }, { newDocumentState: doomed }], null);
    const { checkpoint } = await server.store.pull('tasks', WORKSPACE, null, 1000);
    await server.store.push('tasks', WORKSPACE, [{ assumedMasterState: doomed, newDocumentState: { ...doomed, revision: 2, deleted: true } }], null);
    await server.store.purgeTombstones(new Date(Date.now() + 1000));

    const response = await env.transport.fetch(pullRequest(checkpoint));
    const body = (await response.json()) as { data: { pullTasks: { documents: { id: string }[] } }; errors?: unknown };
    assert.equal(body.errors, undefined);
    assert.deepEqual(env.expired, ['tasks']);
    const ids = body.data.pullTasks.documents.map((d) => d.id);
    assert.ok(ids.includes(String(kept['id'])), 'the full pull brings every live document');
    assert.ok(!ids.includes(String(doomed['id'])));
  });

  it('does not send while the gate holds a retry back', async () => {
    env.faults.push(503);
    const rows = [{ assumedMasterState: null, newDocumentState: newTask() }];
    await assert.rejects(env.transport.fetch(pushRequest(rows)));
    const before = env.sent();
    const waiting = env.transport.fetch(pushRequest(rows));
    env.clock.advance(1000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(env.sent(), before);
    env.clock.advance(1000);
    await waiting;
    assert.equal(env.sent(), before + 1);
  });

  it('keeps records saved offline, without counting attempts, when the network is gone', async () => {
    const task = newTask();
    await env.queue.recordLocalWrite({ collection: 'tasks', docId: String(task['id']), label: 'x', revision: 1, deleted: false, isInsert: true });
    env.setOnline(false);
    await assert.rejects(env.transport.fetch(pushRequest([{ assumedMasterState: null, newDocumentState: task }])));
    const [entry] = await env.store.all();
    assert.deepEqual([entry?.state, entry?.attempts], ['pending', 0]);
  });

  it('lets the other rows through when the server refuses one under its rules', async () => {
    const good = newTask({ title: 'Good' });
    const forged = newTask({ title: 'Forged', workspaceId: '00000000-0000-7000-8000-0000000000ff' });
    const response = await env.transport.fetch(pushRequest([
      { assumedMasterState: null, newDocumentState: forged },
      { assumedMasterState: null, newDocumentState: good },
    ]));
    const body = (await response.json()) as { data: { pushTasks: { rejections: { id: string; code: string }[] } } };
    assert.deepEqual(body.data.pushTasks.rejections.map((r) => r.code), ['FORBIDDEN']);
    const entries = await env.store.all();
    assert.deepEqual(entries.map((e) => [e.docId, e.state, e.rejection?.code]), [[forged['id'], 'rejected', 'FORBIDDEN']]);
    assert.equal((await pulledTitles()).get(String(good['id'])), 'Good');
  });

  it('hands RxDB the server document of a refused row as a conflict and keeps both versions with the refusal', async () => {
    const list = { id: 'list-archived-t', workspaceId: WORKSPACE, revision: 1, name: 'Old', archived: true, createdAt: 'x', deleted: false };
    await server.store.push('lists', WORKSPACE, [{ newDocumentState: list }], null);
    const task = newTask({ title: 'Paint', listId: 'list-archived-live' });
    await server.store.push('tasks', WORKSPACE, [{ newDocumentState: task }], null);
    await server.store.push('lists', WORKSPACE, [{ newDocumentState: { ...list, id: 'list-archived-live', archived: false } }], null);
    // The task is moved into the archived list while another row goes through.
    const moved = { ...task, listId: list.id, notes: 'Two coats', revision: 2 };
    const other = newTask({ title: 'Other' });
    const refusedIds: string[] = [];
    env = setup({ onRefused: (_, id) => void refusedIds.push(id) });
    const response = await env.transport.fetch(pushRequest([
      { assumedMasterState: task, newDocumentState: moved },
      { assumedMasterState: null, newDocumentState: other },
    ]));
    const body = (await response.json()) as { data: { pushTasks: { conflicts: { id: string; notes: string }[]; rejections: { code: string }[] } } };
    assert.deepEqual(body.data.pushTasks.rejections.map((r) => r.code), ['LIST_ARCHIVED']);
    assert.deepEqual(body.data.pushTasks.conflicts.map((c) => [c.id, c.notes]), [[task['id'], '']]);
    assert.deepEqual(refusedIds, [task['id']]);
    const [entry] = (await env.store.all()).filter((e) => e.state === 'rejected');
    assert.equal(entry?.rejection?.mine?.['notes'], 'Two coats');
    assert.equal(entry?.rejection?.theirs?.['notes'], '');
    assert.equal((await pulledTitles()).get(String(other['id'])), 'Other');
  });

  it('splits a batch the server cannot process, gets the good rows through and parks the poison row', async () => {
    const good1 = newTask({ title: 'Good one' });
    const good2 = newTask({ title: 'Good two' });
    // A corrupt local document: a revision GraphQL cannot coerce fails the whole request.
    const poison: Record<string, unknown> = { ...newTask({ title: 'Poison' }), revision: 'not a number' };
    const rows = [good1, poison, good2].map((doc) => ({ assumedMasterState: null, newDocumentState: doc }));

    await assert.rejects(env.transport.fetch(pushRequest(rows)));
    const titles = await pulledTitles();
    assert.equal(titles.get(String(good1['id'])), 'Good one');
    assert.equal(titles.get(String(good2['id'])), 'Good two');
    assert.equal(titles.has(String(poison['id'])), false);

    const retry = env.transport.fetch(pushRequest(rows));
    env.clock.advance(120_000);
    const response = await retry;
    assert.equal(response.status, 200);
    const entries = await env.store.all();
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.docId, poison['id']);
    assert.equal(entries[0]?.state, 'failed');
    assert.match(entries[0]?.lastError ?? '', /held back/);
    assert.deepEqual(entries[0]?.parked?.newDocumentState, poison);
  });
});
