/**
 * The signed-in person on this device: who they are, their short-lived access token and
 * the refresh token that renews it. Plain TypeScript (no Angular), so the transport, the
 * WebSocket and Node tests share it.
 *
 * Offline-first rules:
 * - the session lives in storage, so the app opens signed in across reloads and restarts
 *   with no network at all; an expired access token never stops local work;
 * - a token is renewed only when a request is about to go out (or the server refused it);
 *   a renewal the network cannot reach keeps the session as it is;
 * - when the server refuses the refresh token (revoked, password changed, expired), the
 *   session keeps the person (and so their database and pending changes) but needs a new
 *   sign-in: `needsSignIn` turns true and sync holds until they sign in again.
 *
 * Refresh tokens rotate and a replayed one ends the whole session on the server, so two
 * tabs must never refresh with the same token: renewals are serialised across tabs
 * (Web Locks) and each re-reads storage first, where another tab may already have put a
 * fresh pair.
 */
import { BehaviorSubject, type Observable } from 'rxjs';

export interface Session {
  readonly userId: string;
  readonly email: string;
  /** Null after the server refused the refresh token: sign in again to sync. */
  readonly accessToken: string | null;
  /** Epoch ms. */
  readonly accessTokenExpiresAt: number;
  readonly refreshToken: string | null;
}

export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** A refusal of sign-in or sign-up, with the server's code and per-field messages. */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly fields: readonly { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SessionOptions {
  readonly endpoint: string;
  readonly fetch: FetchLike;
  readonly storage: KeyValueStorage;
  readonly headers?: Readonly<Record<string, string>>;
  readonly now?: () => number;
  /** Runs `task` while holding a lock shared by every tab (Web Locks when available). */
  readonly withLock?: <T>(task: () => Promise<T>) => Promise<T>;
}

export const SESSION_KEY = 'fieldbook.session';
/** Renew this long before expiry, so a request never leaves with a token about to lapse. */
export const RENEW_MARGIN_MS = 30_000;
const AUTH_FIELDS = 'accessToken accessTokenExpiresAt refreshToken user { id email }';

interface AuthPayload {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: { id: string; email: string };
}

type RefreshOutcome = 'renewed' | 'refused' | 'unreachable';

export function browserLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? (locks.request('fieldbook-session-refresh', task) as Promise<T>) : task();
}

export class SessionManager {
  private readonly subject: BehaviorSubject<Session | null>;
  private readonly now: () => number;
  private renewal: Promise<RefreshOutcome> | undefined;

  constructor(private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
    this.subject = new BehaviorSubject(this.read());
  }

  get session(): Session | null {
    return this.subject.value;
  }

  /** The session as it changes (sign-in, renewal, sign-out, refused refresh). */
  changes(): Observable<Session | null> {
    return this.subject.asObservable();
  }

  /** True when a person is known on this device but the server wants a new sign-in. */
  get needsSignIn(): boolean {
    const session = this.session;
    return session !== null && session.refreshToken === null;
  }

  signIn(email: string, password: string): Promise<Session> {
    return this.authenticate('signIn', email, password);
  }

  signUp(email: string, password: string): Promise<Session> {
    return this.authenticate('signUp', email, password);
  }

  /**
   * The `Authorization` header for the next request, renewing an access token that has
   * expired (or is about to). Null when there is nothing to send: signed out, or the
   * server refused the session.
   */
  async authorization(): Promise<string | null> {
    let session = this.refreshFromStorage();
    if (!session?.accessToken) return null;
    if (session.accessTokenExpiresAt - RENEW_MARGIN_MS <= this.now()) {
      await this.renew();
      session = this.session;
    }
    return session?.accessToken ? `Bearer ${session.accessToken}` : null;
  }

  /**
   * The server refused the access token: renew it. Resolves true when a fresh token is
   * there; false when the person must sign in again or the server cannot be reached.
   */
  async renewAfterRefusal(refusedHeader: string | null): Promise<boolean> {
    const current = this.refreshFromStorage();
    // Another request (or tab) renewed meanwhile: just use the new token.
    if (current?.accessToken && refusedHeader !== `Bearer ${current.accessToken}`) return true;
    return (await this.renew()) === 'renewed';
  }

  /** Ends the session on the server (best effort: offline, it simply lapses) and forgets it here. */
  async signOut(): Promise<void> {
    const refreshToken = this.session?.refreshToken;
    this.write(null);
    if (!refreshToken) return;
    await this.call('mutation SignOut($t: String!) { signOut(refreshToken: $t) }', { t: refreshToken }).catch(() => undefined);
  }

  private async authenticate(operation: 'signIn' | 'signUp', email: string, password: string): Promise<Session> {
    const name = operation === 'signIn' ? 'SignIn' : 'SignUp';
    const body = await this.call(`mutation ${name}($e: String!, $p: String!) { ${operation}(email: $e, password: $p) { ${AUTH_FIELDS} } }`, { e: email, p: password });
    const payload = body.data?.[operation] as AuthPayload | undefined;
    if (!payload) {
      const error = body.errors?.[0];
      throw new AuthError(error?.message ?? 'The server did not answer', error?.extensions?.code ?? 'UNKNOWN', error?.extensions?.fields ?? []);
    }
    const session = toSession(payload);
    this.write(session);
    return session;
  }

  /** One renewal at a time in this tab, and across tabs through the lock. */
  private renew(): Promise<RefreshOutcome> {
    this.renewal ??= (this.options.withLock ?? browserLock)(() => this.renewLocked()).finally(() => (this.renewal = undefined));
    return this.renewal;
  }

  private async renewLocked(): Promise<RefreshOutcome> {
    const before = this.session;
    const session = this.refreshFromStorage();
    if (!session?.refreshToken) return 'refused';
    // Another tab renewed while we waited for the lock.
    if (before?.refreshToken !== session.refreshToken && session.accessTokenExpiresAt - RENEW_MARGIN_MS > this.now()) return 'renewed';
    let body: GraphQLBody;
    try {
      body = await this.call(`mutation Refresh($t: String!) { refresh(refreshToken: $t) { ${AUTH_FIELDS} } }`, { t: session.refreshToken });
    } catch {
      return 'unreachable';
    }
    const payload = body.data?.['refresh'] as AuthPayload | undefined;
    if (payload) {
      this.write(toSession(payload));
      return 'renewed';
    }
    if (body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') {
      // Keep who it is (their database, their pending changes); drop what no longer works.
      this.write({ ...session, accessToken: null, refreshToken: null });
      return 'refused';
    }
    return 'unreachable';
  }

  private async call(query: string, variables: Record<string, unknown>): Promise<GraphQLBody> {
    const response = await this.options.fetch(this.options.endpoint, {
      method: 'POST',
      headers: { ...this.options.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json().catch(() => null)) as GraphQLBody | null;
    if (!body) throw new Error(`server answered ${response.status}`);
    if (response.status >= 500 && !body.data) throw new Error(`server answered ${response.status}`);
    return body;
  }

  /** Storage is the source of truth shared by tabs; pick up what another tab wrote. */
  private refreshFromStorage(): Session | null {
    const stored = this.read();
    if (JSON.stringify(stored) !== JSON.stringify(this.subject.value)) this.subject.next(stored);
    return stored;
  }

  private read(): Session | null {
    try {
      const raw = this.options.storage.getItem(SESSION_KEY);
      const value = raw ? (JSON.parse(raw) as Session) : null;
      return value && typeof value.userId === 'string' ? value : null;
    } catch {
      return null;
    }
  }

  private write(session: Session | null): void {
    if (session) this.options.storage.setItem(SESSION_KEY, JSON.stringify(session));
    else this.options.storage.removeItem(SESSION_KEY);
    this.subject.next(session);
  }
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; fields?: { field: string; message: string }[] } }[];
}

function toSession(payload: AuthPayload): Session {
  return {
    userId: payload.user.id,
    email: payload.user.email,
    accessToken: payload.accessToken,
    accessTokenExpiresAt: Date.parse(payload.accessTokenExpiresAt),
    refreshToken: payload.refreshToken,
  };
}

/** True when a GraphQL response says the caller is not (or no longer) signed in. */
export async function isUnauthenticated(response: Response): Promise<boolean> {
  if (response.status === 401) return true;
  if (!(response.headers.get('content-type') ?? '').includes('json')) return false;
  const body = (await response.clone().json().catch(() => null)) as GraphQLBody | null;
  return body?.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') === true;
}

/**
 * `fetch` with the session's token on every request. A request the server refuses as
 * unauthenticated is sent once more after renewing the token; if renewal is impossible
 * the refusal goes back to the caller (the transport then holds sync until sign-in).
 */
export function authorizedFetch(session: SessionManager, base: FetchLike): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init);
    // Read once as text: sent twice at most, and a plain body stays visible to tools and proxies.
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
    const send = async (): Promise<{ response: Response; header: string | null }> => {
      const header = await session.authorization();
      const headers = new Headers(request.headers);
      if (header) headers.set('authorization', header);
      else headers.delete('authorization');
      return { response: await base(request.url, { method: request.method, headers, body, signal: request.signal }), header };
    };
    const first = await send();
    if (!(await isUnauthenticated(first.response))) return first.response;
    if (!(await session.renewAfterRefusal(first.header))) return first.response;
    return (await send()).response;
  };
}
