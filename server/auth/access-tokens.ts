/**
 * Personal access tokens (`fbp_…`) for integrations and the CLI. A token acts as the
 * user who made it, within one workspace, read-only or read-write, until it expires or
 * is revoked. It never grants more than the user's current role: a viewer's read-write
 * token still cannot write, and a token of a removed member reads nothing.
 *
 * The secret is shown once; the server keeps its SHA-256 only, so a database leak does
 * not leak usable tokens. Creating and managing tokens needs a sign-in token: a personal
 * access token cannot mint others.
 */
import { randomBytes } from 'node:crypto';
import { createGraphQLError } from 'graphql-yoga';
import { uuidv7 } from '../../src/shared/uuid';
import type { AccountStore } from './account-store';
import { hashToken } from './tokens';
import type { AccessTokenRecord, PublicApiStore } from '../store/public-api-store';

export const ACCESS_TOKEN_PREFIX = 'fbp_';

/** What a request authenticated with a personal access token may reach. */
export interface TokenScope {
  readonly tokenId: string;
  readonly workspaceId: string;
  readonly readOnly: boolean;
}

export type TokenAuthentication =
  | { readonly ok: true; readonly userId: string; readonly scope: TokenScope }
  | { readonly ok: false; readonly reason: string };

function error(code: string, message: string): Error {
  return createGraphQLError(message, { extensions: { code } });
}

export function isPersonalAccessToken(token: string): boolean {
  return token.startsWith(ACCESS_TOKEN_PREFIX);
}

export class AccessTokenService {
  constructor(
    private readonly tokens: PublicApiStore,
    private readonly accounts: AccountStore,
    private readonly now: () => number = Date.now,
  ) {}

  async create(
    userId: string,
    input: { workspaceId: string; name: string; readOnly: boolean; expiresAt?: string | null },
  ): Promise<{ token: string; accessToken: AccessTokenRecord }> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 100) throw error('BAD_USER_INPUT', 'name must have 1 to 100 characters');
    let expiresAt: string | null = null;
    if (input.expiresAt) {
      const at = Date.parse(input.expiresAt);
      if (Number.isNaN(at)) throw error('BAD_USER_INPUT', 'expiresAt must be an ISO 8601 instant');
      if (at <= this.now()) throw error('BAD_USER_INPUT', 'expiresAt must be in the future');
      expiresAt = new Date(at).toISOString();
    }
    if (!(await this.accounts.roleOf(input.workspaceId, userId))) throw error('FORBIDDEN', 'You are not a member of this workspace');
    const token = ACCESS_TOKEN_PREFIX + randomBytes(24).toString('base64url');
    const accessToken = await this.tokens.createAccessToken({
      id: uuidv7(), tokenHash: hashToken(token), userId, workspaceId: input.workspaceId, name, readOnly: input.readOnly, expiresAt,
    });
    return { token, accessToken };
  }

  list(userId: string): Promise<AccessTokenRecord[]> {
    return this.tokens.accessTokensOf(userId);
  }

  async revoke(userId: string, id: string): Promise<boolean> {
    if (!(await this.tokens.revokeAccessToken(userId, id))) throw error('NOT_FOUND', 'No such access token');
    return true;
  }

  /** The user and scope of an `fbp_…` bearer token, or why it does not authenticate. */
  async authenticate(token: string): Promise<TokenAuthentication> {
    const record = await this.tokens.useAccessToken(hashToken(token));
    if (!record) return { ok: false, reason: 'invalid token' };
    if (record.revokedAt) return { ok: false, reason: 'token revoked' };
    if (record.expiresAt && Date.parse(record.expiresAt) <= this.now()) return { ok: false, reason: 'token expired' };
    return { ok: true, userId: record.userId, scope: { tokenId: record.id, workspaceId: record.workspaceId, readOnly: record.readOnly } };
  }
}
