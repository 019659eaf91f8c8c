/**
 * The device session against the real server (in-process yoga + PGlite): sign-in and
 * sign-up, renewing an expired access token, keeping the person when the server refuses
 * the session, two tabs sharing one storage never replaying a refresh token, and the
 * authorized fetch renewing once after a refusal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer, type FieldbookServer } from '../../../server/server';
import { BACKENDS, gql, testConfig, type TestDatabase, WORKSPACE } from '../../../server/test-support';
import { pullQuery } from '../../shared/operations';
import { COLLECTIONS } from '../../shared/collections';
import { AuthError, authorizedFetch, RENEW_MARGIN_MS, SessionManager, type KeyValueStorage } from './session';
import { waitFor } from '../../../server/test-support';

let database: TestDatabase;
let server: FieldbookServer;
let url: string;

before(async () => {
  database = await BACKENDS[0]!.create();
  server = await buildServer(testConfig(database));
  url = (await server.start()).url;
});
after(async () => {
  await server.stop();
  await database.dispose();
});

class MemoryStorage implements KeyValueStorage {
  private readonly map = new Map<string, string>();
  getItem(key: string) { return this.map.get(key) ?? null; }
  setItem(key: string, value: string) { this.map.set(key, value); }
  removeItem(key: string) { this.map.delete(key); }
}

let clock = Date.now();
let lockChain: Promise<unknown> = Promise.resolve();
/** Stands in for Web Locks: one renewal at a time across the "tabs" of a test. */
function withLock<T>(task: () => Promise<T>): Promise<T> {
  const run = lockChain.then(task, task);
  lockChain = run.catch(() => undefined);
  return run;
}

function manager(storage: KeyValueStorage = new MemoryStorage()): SessionManager {
  return new SessionManager({ endpoint: `${url}/graphql`, fetch: (i, init) => fetch(i, init), storage, now: () => clock, withLock });
}

let emails = 0;
const email = () => `session${++emails}-${Date.now()}@example.org`;
const PASSWORD = 'correct horse battery';

async function canPull(authorization: string | null): Promise<boolean> {
  const answer = await gql(url, pullQuery(COLLECTIONS[1]!, false), { workspaceId: WORKSPACE, checkpoint: null, limit: 1 },
    authorization?.replace(/^Bearer /, ''));
  return answer.data?.['pullTasks'] != null;
}

describe('SessionManager', () => {
  it('signs up, keeps the session in storage, and a second manager on the same storage (a reload) is signed in', async () => {
    const storage = new MemoryStorage();
    const session = await manager(storage).signUp(email(), PASSWORD);
    assert.ok(session.accessToken && session.refreshToken);
    const reloaded = manager(storage);
    assert.equal(reloaded.session?.userId, session.userId);
    assert.ok(await canPull(await reloaded.authorization()));
  });

  it('refuses a wrong password with a typed error and stays signed out', async () => {
    const address = email();
    await manager().signUp(address, PASSWORD);
    const m = manager();
    await assert.rejects(m.signIn(address, 'not the password'), (e: unknown) => e instanceof AuthError && e.code === 'UNAUTHENTICATED');
    assert.equal(m.session, null);
    await assert.rejects(m.signUp('not-an-email', PASSWORD), (e: unknown) => e instanceof AuthError && e.code === 'BAD_USER_INPUT' && e.fields.length > 0);
  });

  it('renews an expired access token before a request, and the new one works', async () => {
    const m = manager();
    const first = await m.signUp(email(), PASSWORD);
    clock = first.accessTokenExpiresAt + 1_000;
    const header = await m.authorization();
    // Renewed through the refresh token, which rotates (the access token may look the
    // same when issued within the same second).
    assert.notEqual(m.session?.refreshToken, first.refreshToken);
    assert.ok(await canPull(header));
    clock = Date.now();
  });

  it('two tabs on one storage renew once: the second picks up the first one\'s tokens, and the session survives', async () => {
    const storage = new MemoryStorage();
    let refreshes = 0;
    const counting = (storage: KeyValueStorage) => new SessionManager({
      endpoint: `${url}/graphql`, storage, now: () => clock, withLock,
      fetch: (i, init) => {
        if (String(init?.body ?? '').includes('mutation Refresh')) refreshes += 1;
        return fetch(i, init);
      },
    });
    const tabA = counting(storage);
    const first = await tabA.signUp(email(), PASSWORD);
    const tabB = counting(storage);
    // The server stamps expiries in whole seconds of its own clock: once the next second has
    // begun, a renewed token outlives the first one, so the device (its clock half a second
    // into the renewal margin) sees the renewed token as fresh and the first one as due.
    const signedUpIn = Math.floor(Date.now() / 1000);
    await waitFor(() => Math.floor(Date.now() / 1000) > signedUpIn, 'the next second');
    clock = first.accessTokenExpiresAt - RENEW_MARGIN_MS + 500;
    const [a, b] = await Promise.all([tabA.authorization(), tabB.authorization()]);
    assert.equal(refreshes, 1, 'one renewal for both tabs');
    assert.equal(a, b);
    // A replayed refresh token would have ended the session: it still renews and works.
    clock += 20 * 60_000;
    assert.ok(await canPull(await tabB.authorization()));
    assert.equal(tabA.needsSignIn, false);
    clock = Date.now();
  });

  it('when the server refuses the session, keeps the person, needs a new sign-in, and signing in again resumes', async () => {
    const m = manager();
    const address = email();
    const first = await m.signUp(address, PASSWORD);
    // The session is ended elsewhere (signed out on another device with this refresh token).
    await gql(url, 'mutation($t: String!) { signOut(refreshToken: $t) }', { t: first.refreshToken });
    clock = first.accessTokenExpiresAt + 1_000;
    assert.equal(await m.authorization(), null);
    assert.equal(m.needsSignIn, true);
    assert.equal(m.session?.userId, first.userId);
    clock = Date.now();
    await m.signIn(address, PASSWORD);
    assert.equal(m.needsSignIn, false);
    assert.ok(await canPull(await m.authorization()));
  });

  it('keeps the session as it is when the server cannot be reached to renew', async () => {
    const storage = new MemoryStorage();
    const first = await manager(storage).signUp(email(), PASSWORD);
    const offline = new SessionManager({
      endpoint: `${url}/graphql`, storage, now: () => first.accessTokenExpiresAt + 1_000, withLock,
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    assert.equal(await offline.authorization(), `Bearer ${first.accessToken}`);
    assert.equal(offline.needsSignIn, false);
    assert.equal(offline.session?.refreshToken, first.refreshToken);
  });
});

describe('authorizedFetch', () => {
  it('sends the token, and after the server refuses it renews once and resends', async () => {
    const m = manager();
    const first = await m.signUp(email(), PASSWORD);
    const sent: (string | null)[] = [];
    // The first answer is a refusal as the server gives it for a token it no longer accepts.
    let refuseNext = true;
    const authed = authorizedFetch(m, async (input, init) => {
      const request = new Request(input, init);
      sent.push(request.headers.get('authorization'));
      if (refuseNext) {
        refuseNext = false;
        return new Response(JSON.stringify({ errors: [{ message: 'Sign in again', extensions: { code: 'UNAUTHENTICATED' } }] }), {
          status: 200, headers: { 'content-type': 'application/json' },
        });
      }
      return fetch(request);
    });
    const response = await authed(`${url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: pullQuery(COLLECTIONS[1]!, false), variables: { workspaceId: WORKSPACE, checkpoint: null, limit: 1 } }),
    });
    const body = (await response.json()) as { data?: unknown };
    assert.ok(body.data);
    assert.equal(sent.length, 2);
    assert.notEqual(m.session?.refreshToken, first.refreshToken);
    assert.ok(sent.every((h) => h?.startsWith('Bearer ')));
  });
});
