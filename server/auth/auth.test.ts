/** Accounts over the real GraphQL endpoint, on PGlite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, gql as send, startTestServer, type GraphQLAnswer as Answer, type TestServer } from '../test-support';
import { issueAccessToken, verifyAccessToken } from './tokens';
import { RateLimiter } from './rate-limit';
import { hashPassword, verifyPassword } from './passwords';

const AUTH_FIELDS = 'accessToken accessTokenExpiresAt refreshToken user { id email }';

for (const backend of BACKENDS) {
  describe(`accounts on ${backend.name}`, () => {
    let env: TestServer;
    before(async () => {
      env = await startTestServer(backend);
    });
    after(() => env.dispose());

    const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) => send(env.url, query, variables, token);

    const signUp = (email: string, password = 'correct horse battery') =>
      gql(`mutation($e: String!, $p: String!) { signUp(email: $e, password: $p) { ${AUTH_FIELDS} } }`, { e: email, p: password });
    const signIn = (email: string, password: string) =>
      gql(`mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { ${AUTH_FIELDS} } }`, { e: email, p: password });
    const refresh = (token: string) => gql(`mutation($t: String!) { refresh(refreshToken: $t) { ${AUTH_FIELDS} } }`, { t: token });
    const me = (token?: string) => gql('{ me { id email } }', {}, token);

    it('signs up, and the access token identifies the user', async () => {
      const result = await signUp('Ana@Example.org');
      const payload = result.data?.['signUp'];
      assert.equal(payload.user.email, 'ana@example.org');
      assert.deepEqual((await me(payload.accessToken)).data?.['me'], payload.user);
    });

    it('refuses a second account with the same email and a short password, with field details', async () => {
      await signUp('dup@example.org');
      const again = await signUp('DUP@example.org');
      assert.equal(again.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      const short = await signUp('short@example.org', 'tiny');
      assert.equal(short.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.match(short.errors?.[0]?.message ?? '', /at least 10 characters/);
    });

    it('signs in with the right password only, without saying which part was wrong', async () => {
      await signUp('ben@example.org');
      assert.ok((await signIn('ben@example.org', 'correct horse battery')).data?.['signIn'].accessToken);
      const wrong = await signIn('ben@example.org', 'wrong password!!');
      const unknown = await signIn('nobody@example.org', 'wrong password!!');
      assert.equal(wrong.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.equal(wrong.errors?.[0]?.message, unknown.errors?.[0]?.message);
    });

    it('rotates refresh tokens, and a replayed refresh token ends the whole session', async () => {
      const first = (await signUp('cy@example.org')).data?.['signUp'];
      const second = (await refresh(first.refreshToken)).data?.['refresh'];
      assert.ok(second.refreshToken && second.refreshToken !== first.refreshToken);
      const replay = await refresh(first.refreshToken);
      assert.equal(replay.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      const afterTheft = await refresh(second.refreshToken);
      assert.equal(afterTheft.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    });

    it('ends the session on sign-out', async () => {
      const session = (await signUp('dee@example.org')).data?.['signUp'];
      await gql('mutation($t: String!) { signOut(refreshToken: $t) }', { t: session.refreshToken });
      assert.equal((await refresh(session.refreshToken)).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    });

    it('answers an expired or forged access token with UNAUTHENTICATED, and no token with no user', async () => {
      const session = (await signUp('eve@example.org')).data?.['signUp'];
      const forged = issueAccessToken('not the secret', { sub: session.user.id, exp: Math.floor(Date.now() / 1000) + 600, pwd: 0 });
      assert.equal((await me(forged)).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      const [payload] = session.accessToken.split('.');
      assert.equal((await me(`${payload}.tampered`)).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.equal((await me()).data?.['me'], null);
    });

    it('limits sign-in attempts with 429 and Retry-After', async () => {
      await signUp('fay@example.org');
      let limited: Answer | undefined;
      for (let i = 0; i < 8 && !limited; i++) {
        const attempt = await signIn('fay@example.org', 'not the password');
        if (attempt.errors?.[0]?.extensions?.code === 'RATE_LIMITED') limited = attempt;
      }
      assert.ok(limited, 'no attempt was rate limited');
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    });

    it('never stores a password in clear', async () => {
      await signUp('gus@example.org', 'a password in clear');
      const user = await env.server.store.accounts.userByEmail('gus@example.org');
      assert.ok(user && !user.passwordHash.includes('a password in clear') && user.passwordHash.startsWith('scrypt$'));
    });
  });
}

describe('auth building blocks', () => {
  it('verifies a password against its scrypt hash and nothing else', async () => {
    const hash = await hashPassword('pässword one');
    assert.equal(await verifyPassword('pässword one', hash), true);
    assert.equal(await verifyPassword('password one', hash), false);
  });

  it('refuses an access token past its expiry', () => {
    const token = issueAccessToken('s', { sub: 'u', exp: 100, pwd: 0 });
    assert.deepEqual(verifyAccessToken('s', token, 99).ok, true);
    assert.deepEqual(verifyAccessToken('s', token, 100), { ok: false, reason: 'expired' });
  });

  it('allows `limit` hits per window and says how long to wait after that', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 1000, () => now);
    assert.equal(limiter.hit('k'), 0);
    assert.equal(limiter.hit('k'), 0);
    assert.equal(limiter.hit('k'), 1000);
    now = 1001;
    assert.equal(limiter.hit('k'), 0);
  });
});
