/**
 * Sign-up, sign-in, token refresh (rotating), sign-out, and authenticating a request's
 * bearer token. Failures are typed GraphQL errors: BAD_USER_INPUT, UNAUTHENTICATED,
 * RATE_LIMITED (HTTP 429 with Retry-After).
 */
import { createGraphQLError } from 'graphql-yoga';
import { uuidv7 } from '../../src/shared/uuid';
import type { AccountStore, User } from './account-store';
import { hashPassword, verifyPassword } from './passwords';
import { RateLimiter } from './rate-limit';
import { hashToken, issueAccessToken, newRefreshToken, verifyAccessToken } from './tokens';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
export const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;

export interface AuthPayload {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: string;
  readonly refreshToken: string;
  readonly user: { readonly id: string; readonly email: string };
}

export interface AuthOptions {
  readonly secret: string;
  /** The workspace every new user joins until invitations exist. */
  readonly defaultWorkspaceId: string;
  readonly now?: () => number;
  /** Sign-ups per client per hour, and sign-in attempts per client per minute. */
  readonly signUpLimitPerHour?: number;
  readonly signInLimitPerMinute?: number;
  /** Lifetime of access tokens (default ACCESS_TOKEN_TTL_SECONDS). */
  readonly accessTokenTtlSeconds?: number;
}

function error(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return createGraphQLError(message, { extensions: { code, ...extra } });
}

function rateLimited(retryAfterMs: number): Error {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return error('RATE_LIMITED', `Too many attempts; try again in ${seconds} s`, {
    retryAfter: seconds,
    http: { status: 429, headers: { 'Retry-After': String(seconds) } },
  });
}

export class AuthService {
  private readonly now: () => number;
  private readonly signInByAccount = new RateLimiter(5, 60_000);
  private readonly signInByClient: RateLimiter;
  private readonly signUpByClient: RateLimiter;

  constructor(private readonly accounts: AccountStore, private readonly options: AuthOptions) {
    this.now = options.now ?? Date.now;
    this.signInByClient = new RateLimiter(options.signInLimitPerMinute ?? 30, 60_000);
    this.signUpByClient = new RateLimiter(options.signUpLimitPerHour ?? 10, 3_600_000);
  }

  async signUp(emailInput: string, password: string, client: string): Promise<AuthPayload> {
    const wait = this.signUpByClient.hit(client);
    if (wait > 0) throw rateLimited(wait);
    const email = emailInput.trim().toLowerCase();
    const fields: { field: string; message: string }[] = [];
    if (!EMAIL.test(email)) fields.push({ field: 'email', message: 'email is not a valid address' });
    if (password.length < 10) fields.push({ field: 'password', message: 'password must have at least 10 characters' });
    if (password.length > 200) fields.push({ field: 'password', message: 'password must have at most 200 characters' });
    if (fields.length > 0) throw error('BAD_USER_INPUT', fields.map((f) => f.message).join('; '), { fields });
    const id = uuidv7();
    const outcome = await this.accounts.createUser({ id, email, passwordHash: await hashPassword(password) });
    if (outcome === 'email-taken') {
      throw error('BAD_USER_INPUT', 'An account with this email exists; sign in instead', { fields: [{ field: 'email', message: 'email is taken' }] });
    }
    await this.accounts.join(this.options.defaultWorkspaceId, id, 'member');
    await this.accounts.acceptInvitations(email, id);
    return this.issue({ id, email }, uuidv7());
  }

  async signIn(emailInput: string, password: string, client: string): Promise<AuthPayload> {
    const email = emailInput.trim().toLowerCase();
    const wait = Math.max(this.signInByAccount.hit(`${client}|${email}`), this.signInByClient.hit(client));
    if (wait > 0) throw rateLimited(wait);
    const user = await this.accounts.userByEmail(email);
    // Same answer, and the same hashing work, whether or not the account exists.
    const valid = user ? await verifyPassword(password, user.passwordHash) : (await hashPassword(password), false);
    if (!user || !valid) throw error('UNAUTHENTICATED', 'Wrong email or password');
    return this.issue(user, uuidv7());
  }

  /** Exchanges a refresh token for a new pair; a replayed token revokes its whole family. */
  async refresh(refreshToken: string): Promise<AuthPayload> {
    const use = await this.accounts.useRefreshToken(hashToken(refreshToken));
    if (!use) throw error('UNAUTHENTICATED', 'Sign in again');
    if (use.replayed) {
      await this.accounts.revokeFamily(use.familyId);
      throw error('UNAUTHENTICATED', 'This session was ended; sign in again');
    }
    if (use.expiresAt * 1000 <= this.now()) throw error('UNAUTHENTICATED', 'Session expired; sign in again');
    const user = await this.accounts.userById(use.userId);
    if (!user) throw error('UNAUTHENTICATED', 'Sign in again');
    return this.issue(user, use.familyId);
  }

  async signOut(refreshToken: string): Promise<boolean> {
    const use = await this.accounts.useRefreshToken(hashToken(refreshToken));
    if (use) await this.accounts.revokeFamily(use.familyId);
    return true;
  }

  /**
   * The user a bearer token belongs to, or why it does not authenticate. A token issued
   * before the user's last password change does not.
   */
  async authenticate(token: string): Promise<{ ok: true; user: User; expiresAt: number } | { ok: false; reason: string }> {
    const check = verifyAccessToken(this.options.secret, token, Math.floor(this.now() / 1000));
    if (!check.ok) return { ok: false, reason: check.reason === 'expired' ? 'token expired' : 'invalid token' };
    const user = await this.accounts.userById(check.claims.sub);
    if (!user || check.claims.pwd < user.passwordChangedAt) return { ok: false, reason: 'session ended' };
    return { ok: true, user, expiresAt: check.claims.exp };
  }

  private async issue(user: Pick<User, 'id' | 'email'> & Partial<Pick<User, 'passwordChangedAt'>>, familyId: string): Promise<AuthPayload> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const changed = user.passwordChangedAt ?? (await this.accounts.userById(user.id))?.passwordChangedAt ?? nowSeconds;
    const exp = nowSeconds + (this.options.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL_SECONDS);
    const refreshToken = newRefreshToken();
    await this.accounts.saveRefreshToken({ tokenHash: hashToken(refreshToken), userId: user.id, familyId, expiresAt: nowSeconds + REFRESH_TOKEN_TTL_SECONDS });
    return {
      accessToken: issueAccessToken(this.options.secret, { sub: user.id, exp, pwd: changed }),
      accessTokenExpiresAt: new Date(exp * 1000).toISOString(),
      refreshToken,
      user: { id: user.id, email: user.email },
    };
  }
}
