import { Injectable, inject, signal } from '@angular/core';
import { APP_CONFIG } from '../config';
import { SYNC_HEADERS } from '../sync/replication';
import { authorizedFetch, SessionManager, type FetchLike, type Session } from './session';

/**
 * The signed-in person for Angular: the device session (`session.ts`) as signals, and
 * the `fetch` every server request goes through so it carries their token.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly config = inject(APP_CONFIG);
  readonly manager = new SessionManager({
    endpoint: this.config.graphqlHttpUrl,
    fetch: (input, init) => fetch(input, init),
    storage: localStorage,
    headers: SYNC_HEADERS,
  });
  private readonly sessionState = signal<Session | null>(this.manager.session);
  /** Who is signed in on this device (also while the server wants a new sign-in), or null. */
  readonly session = this.sessionState.asReadonly();
  /** `fetch` with the person's token, renewed when needed. */
  readonly fetch: FetchLike = authorizedFetch(this.manager, (input, init) => fetch(input, init));

  constructor() {
    this.manager.changes().subscribe((session) => this.sessionState.set(session));
  }

  /** True when the server ended the session: local work continues, sync waits for a sign-in. */
  needsSignIn(): boolean {
    const session = this.session();
    return session !== null && session.refreshToken === null;
  }

  signIn(email: string, password: string): Promise<Session> {
    return this.manager.signIn(email, password);
  }

  signUp(email: string, password: string): Promise<Session> {
    return this.manager.signUp(email, password);
  }

  signOut(): Promise<void> {
    return this.manager.signOut();
  }

  /** The WebSocket's connection parameter, renewed like any request's token. */
  async connectionParams(): Promise<Record<string, string>> {
    const authorization = await this.manager.authorization();
    return authorization ? { authorization } : {};
  }
}
