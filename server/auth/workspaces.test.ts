/** Workspaces and members over the real GraphQL endpoint, on PGlite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, gql as send, startTestServer, type GraphQLAnswer as Answer, type TestServer } from '../test-support';

for (const backend of BACKENDS) {
  describe(`workspaces on ${backend.name}`, () => {
    let env: TestServer;
    before(async () => {
      env = await startTestServer(backend);
    });
    after(() => env.dispose());

    const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) => send(env.url, query, variables, token);

    async function user(email: string): Promise<{ token: string; id: string }> {
      const result = await gql(`mutation($e: String!) { signUp(email: $e, password: "long enough password") { accessToken user { id } } }`, { e: email });
      return { token: result.data?.['signUp'].accessToken, id: result.data?.['signUp'].user.id };
    }

    const code = (r: Answer) => r.errors?.[0]?.extensions?.code;

    it('creates a workspace owned by its creator and lists it among theirs', async () => {
      const owner = await user('owner1@example.org');
      const created = (await gql('mutation { createWorkspace(name: " Crew A ") { id name role } }', {}, owner.token)).data?.['createWorkspace'];
      assert.deepEqual([created.name, created.role], ['Crew A', 'owner']);
      const mine = (await gql('{ myWorkspaces { id role } }', {}, owner.token)).data?.['myWorkspaces'] as { id: string; role: string }[];
      assert.ok(mine.some((w) => w.id === created.id && w.role === 'owner'));
    });

    it('refuses workspace calls without a signed-in user', async () => {
      assert.equal(code(await gql('mutation { createWorkspace(name: "x") { id } }')), 'UNAUTHENTICATED');
      assert.equal(code(await gql('{ myWorkspaces { id } }')), 'UNAUTHENTICATED');
    });

    it('lets people join with a code at its role, and only owners manage', async () => {
      const owner = await user('owner2@example.org');
      const viewer = await user('viewer2@example.org');
      const ws = (await gql('mutation { createWorkspace(name: "Crew B") { id } }', {}, owner.token)).data?.['createWorkspace'].id;
      const joinCode = (await gql('mutation($w: ID!) { createJoinCode(workspaceId: $w, role: viewer) }', { w: ws }, owner.token)).data?.['createJoinCode'];
      const joined = (await gql('mutation($c: String!) { joinWorkspace(code: $c) { id role } }', { c: joinCode }, viewer.token)).data?.['joinWorkspace'];
      assert.deepEqual(joined, { id: ws, role: 'viewer' });
      assert.equal(code(await gql('mutation($w: ID!) { renameWorkspace(workspaceId: $w, name: "Mine now") { id } }', { w: ws }, viewer.token)), 'FORBIDDEN');
      assert.equal(code(await gql('mutation($w: ID!) { createJoinCode(workspaceId: $w, role: member) }', { w: ws }, viewer.token)), 'FORBIDDEN');
      const members = (await gql('query($w: ID!) { members(workspaceId: $w) { email role } }', { w: ws }, viewer.token)).data?.['members'];
      assert.deepEqual(members, [{ email: 'owner2@example.org', role: 'owner' }, { email: 'viewer2@example.org', role: 'viewer' }]);
    });

    it('refuses a wrong join code and hides members from outsiders', async () => {
      const owner = await user('owner3@example.org');
      const outsider = await user('outsider3@example.org');
      const ws = (await gql('mutation { createWorkspace(name: "Crew C") { id } }', {}, owner.token)).data?.['createWorkspace'].id;
      assert.equal(code(await gql('mutation { joinWorkspace(code: "not-a-code") { id } }', {}, outsider.token)), 'BAD_USER_INPUT');
      assert.equal(code(await gql('query($w: ID!) { members(workspaceId: $w) { email } }', { w: ws }, outsider.token)), 'FORBIDDEN');
    });

    it('changes roles and removes members, never leaving a workspace without an owner', async () => {
      const owner = await user('owner4@example.org');
      const member = await user('member4@example.org');
      const ws = (await gql('mutation { createWorkspace(name: "Crew D") { id } }', {}, owner.token)).data?.['createWorkspace'].id;
      const joinCode = (await gql('mutation($w: ID!) { createJoinCode(workspaceId: $w, role: member) }', { w: ws }, owner.token)).data?.['createJoinCode'];
      await gql('mutation($c: String!) { joinWorkspace(code: $c) { id } }', { c: joinCode }, member.token);
      const demoteSelf = await gql('mutation($w: ID!, $u: ID!) { setMemberRole(workspaceId: $w, userId: $u, role: member) }', { w: ws, u: owner.id }, owner.token);
      assert.equal(code(demoteSelf), 'BAD_USER_INPUT');
      await gql('mutation($w: ID!, $u: ID!) { setMemberRole(workspaceId: $w, userId: $u, role: viewer) }', { w: ws, u: member.id }, owner.token);
      assert.equal((await gql('{ myWorkspaces { id role } }', {}, member.token)).data?.['myWorkspaces'].find((w: { id: string }) => w.id === ws).role, 'viewer');
      await gql('mutation($w: ID!, $u: ID!) { removeMember(workspaceId: $w, userId: $u) }', { w: ws, u: member.id }, owner.token);
      const after = (await gql('{ myWorkspaces { id } }', {}, member.token)).data?.['myWorkspaces'] as { id: string }[];
      assert.equal(after.some((w) => w.id === ws), false);
    });

    it('invites by email: someone with an account is added at once, someone without joins when they sign up', async () => {
      const owner = await user('owner5@example.org');
      const existing = await user('existing5@example.org');
      const ws = (await gql('mutation { createWorkspace(name: "Crew E") { id } }', {}, owner.token)).data?.['createWorkspace'].id;
      const invite = (email: string, role: string, token = owner.token) =>
        gql('mutation($w: ID!, $e: String!, $r: Role!) { inviteMember(workspaceId: $w, email: $e, role: $r) { email role status } }', { w: ws, e: email, r: role }, token);

      assert.deepEqual((await invite(' Existing5@Example.org ', 'member')).data?.['inviteMember'], { email: 'existing5@example.org', role: 'member', status: 'added' });
      const theirs = (await gql('{ myWorkspaces { id role } }', {}, existing.token)).data?.['myWorkspaces'] as { id: string; role: string }[];
      assert.deepEqual(theirs.find((w) => w.id === ws), { id: ws, role: 'member' });

      assert.deepEqual((await invite('newcomer5@example.org', 'viewer')).data?.['inviteMember'], { email: 'newcomer5@example.org', role: 'viewer', status: 'invited' });
      const newcomer = await user('newcomer5@example.org');
      const joined = (await gql('{ myWorkspaces { id role } }', {}, newcomer.token)).data?.['myWorkspaces'] as { id: string; role: string }[];
      assert.deepEqual(joined.find((w) => w.id === ws), { id: ws, role: 'viewer' });
    });

    it('refuses invitations from non-owners, to invalid addresses and as owner', async () => {
      const owner = await user('owner6@example.org');
      const member = await user('member6@example.org');
      const ws = (await gql('mutation { createWorkspace(name: "Crew F") { id } }', {}, owner.token)).data?.['createWorkspace'].id;
      const invite = (email: string, role: string, token: string) =>
        gql('mutation($w: ID!, $e: String!, $r: Role!) { inviteMember(workspaceId: $w, email: $e, role: $r) { status } }', { w: ws, e: email, r: role }, token);
      assert.equal(code(await invite('someone6@example.org', 'member', member.token)), 'FORBIDDEN');
      assert.equal(code(await invite('not an address', 'member', owner.token)), 'BAD_USER_INPUT');
      assert.equal(code(await invite('someone6@example.org', 'owner', owner.token)), 'BAD_USER_INPUT');
      const stranger = await user('someone6@example.org');
      const theirs = (await gql('{ myWorkspaces { id } }', {}, stranger.token)).data?.['myWorkspaces'] as { id: string }[];
      assert.equal(theirs.some((w) => w.id === ws), false, 'a refused invitation grants nothing');
    });
  });
}
