/**
 * Membership changes reach sync despite the account cache: at once on the instance that
 * made them, within the cache lifetime on another instance of the same PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildServer, type FieldbookServer } from '../server';
import { BACKENDS, gql, newTask, signUpUser, startTestServer, testConfig, waitFor, WORKSPACE, type GraphQLAnswer, type TestDatabase, type TestServer, type TestUser } from '../test-support';
import { ACCOUNT_CACHE_TTL_MS } from './cached-account-store';

const PULL = 'query($w: ID!) { pullTasks(workspaceId: $w, limit: 1) { checkpoint { seq id } } }';
const PUSH = `mutation($w: ID!, $rows: [TaskPushRow!]!) {
  pushTasks(workspaceId: $w, rows: $rows) { conflicts { id } rejections { id code } }
}`;
const code = (answer: GraphQLAnswer) => answer.errors?.[0]?.extensions?.code;

async function setRole(url: string, owner: TestUser, userId: string, role: string): Promise<void> {
  const answer = await gql(url, 'mutation($w: ID!, $u: ID!, $r: Role!) { setMemberRole(workspaceId: $w, userId: $u, role: $r) }', { w: WORKSPACE, u: userId, r: role }, owner.accessToken);
  assert.equal(answer.data?.['setMemberRole'], true, JSON.stringify(answer.errors));
}

for (const backend of BACKENDS) {
  describe(`membership changes and the account cache on ${backend.name}`, () => {
    let env: TestServer;
    let owner: TestUser;
    before(async () => {
      env = await startTestServer(backend);
      owner = await signUpUser(env.url);
    });
    after(() => env.dispose());

    it('refuses a removed member on their very next sync, though they synced a moment before', async () => {
      const member = await signUpUser(env.url);
      assert.equal((await gql(env.url, PULL, { w: WORKSPACE }, member.accessToken)).errors, undefined);
      const removed = await gql(env.url, 'mutation($w: ID!, $u: ID!) { removeMember(workspaceId: $w, userId: $u) }', { w: WORKSPACE, u: member.id }, owner.accessToken);
      assert.equal(removed.data?.['removeMember'], true);
      assert.equal(code(await gql(env.url, PULL, { w: WORKSPACE }, member.accessToken)), 'FORBIDDEN');
    });

    it('applies a role change to the very next push', async () => {
      const member = await signUpUser(env.url);
      await setRole(env.url, owner, member.id, 'viewer');
      const refused = await gql(env.url, PUSH, { w: WORKSPACE, rows: [{ assumedMasterState: null, newDocumentState: newTask() }] }, member.accessToken);
      assert.deepEqual(refused.data?.['pushTasks'].rejections.map((r: { code: string }) => r.code), ['FORBIDDEN']);
      await setRole(env.url, owner, member.id, 'member');
      const accepted = await gql(env.url, PUSH, { w: WORKSPACE, rows: [{ assumedMasterState: null, newDocumentState: newTask() }] }, member.accessToken);
      assert.deepEqual(accepted.data?.['pushTasks'], { conflicts: [], rejections: [] });
    });
  });
}

describe('membership changes across two instances on one PostgreSQL', () => {
  const postgres = BACKENDS.find((b) => b.name === 'postgres')!;
  let database: TestDatabase;
  let first: FieldbookServer;
  let second: FieldbookServer;
  let firstUrl: string;
  let secondUrl: string;
  before(async () => {
    database = await postgres.create();
    first = await buildServer(testConfig(database, { authSecret: 'shared secret of both instances' }));
    firstUrl = (await first.start()).url;
    second = await buildServer(testConfig(database, { authSecret: 'shared secret of both instances' }));
    secondUrl = (await second.start()).url;
  });
  after(async () => {
    await first.stop();
    await second.stop();
    await database.dispose();
  });

  it('refuses a member removed on one instance on the other within the cache lifetime', async () => {
    const owner = await signUpUser(firstUrl);
    const member = await signUpUser(firstUrl);
    // The second instance has just checked (and cached) the membership.
    assert.equal((await gql(secondUrl, PULL, { w: WORKSPACE }, member.accessToken)).errors, undefined);
    await gql(firstUrl, 'mutation($w: ID!, $u: ID!) { removeMember(workspaceId: $w, userId: $u) }', { w: WORKSPACE, u: member.id }, owner.accessToken);
    await waitFor(async () => code(await gql(secondUrl, PULL, { w: WORKSPACE }, member.accessToken)) === 'FORBIDDEN',
      'the other instance to refuse the removed member', ACCOUNT_CACHE_TTL_MS + 4_000);
  });
});
