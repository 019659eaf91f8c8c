/**
 * Bench clients sign in like any member: a fresh account per client (new accounts join
 * the default workspace), its session put where the app keeps it, so the app starts
 * signed in and syncing without going through the sign-in page.
 */
import type { BrowserContext } from 'playwright-core';
import { newUser } from '../../e2e/harness';
import { SESSION_KEY, type Session } from '../../src/app/auth/session';
import { databaseNameFor } from '../../src/app/data/database-service';
import { gql } from './seed';

/** The app's `databaseName` (src/app/config.ts). */
const APP_DATABASE = 'fieldbook';

export interface BenchUser {
  readonly session: Session;
  /** `Bearer <token>`, for bench pages that talk to the server themselves. */
  readonly authorization: string;
  /** The RxDB database the app opens for this person. */
  readonly databaseName: string;
  /** RxDB's Dexie storage keeps each collection in its own IndexedDB database. */
  readonly tasksIndexedDb: string;
}

export async function signUpBenchUser(url: string): Promise<BenchUser> {
  const { email, password } = newUser();
  const { signUp } = await gql<{ signUp: { accessToken: string; accessTokenExpiresAt: string; refreshToken: string; user: { id: string; email: string } } }>(
    url,
    'mutation($e: String!, $p: String!) { signUp(email: $e, password: $p) { accessToken accessTokenExpiresAt refreshToken user { id email } } }',
    { e: email, p: password },
  );
  const session: Session = {
    userId: signUp.user.id, email: signUp.user.email, accessToken: signUp.accessToken,
    accessTokenExpiresAt: Date.parse(signUp.accessTokenExpiresAt), refreshToken: signUp.refreshToken,
  };
  const databaseName = databaseNameFor(APP_DATABASE, session.userId);
  return { session, authorization: `Bearer ${session.accessToken}`, databaseName, tasksIndexedDb: `rxdb-dexie-${databaseName}--0--tasks` };
}

/** Every page of `context` starts with `user` signed in (set before any app script runs). */
export async function installSession(context: BrowserContext, user: BenchUser): Promise<void> {
  // about:blank has no localStorage; the app keeps renewed tokens, so only set it once.
  const key = JSON.stringify(SESSION_KEY);
  await context.addInitScript(`try { localStorage.getItem(${key}) || localStorage.setItem(${key}, ${JSON.stringify(JSON.stringify(user.session))}); } catch {}`);
}
