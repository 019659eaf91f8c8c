/**
 * Users, memberships and refresh tokens, in the same database as the documents (same
 * driver, same migrations).
 */
import type { SqlDriver } from '../store/driver';

export type Role = 'owner' | 'member' | 'viewer';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  /** Epoch seconds of the last password change; tokens issued before it are void. */
  readonly passwordChangedAt: number;
}

export interface RefreshTokenUse {
  readonly userId: string;
  readonly familyId: string;
  readonly expiresAt: number;
  /** True when the token had already been used or revoked: it was replayed. */
  readonly replayed: boolean;
}

export interface AccountStore {
  /** Creates the user unless the email is taken. */
  createUser(user: { id: string; email: string; passwordHash: string }): Promise<'created' | 'email-taken'>;
  userByEmail(email: string): Promise<User | undefined>;
  userById(id: string): Promise<User | undefined>;
  /** Adds the user to the workspace; the first member becomes its owner. */
  join(workspaceId: string, userId: string, role: Role): Promise<Role>;
  saveRefreshToken(token: { tokenHash: string; userId: string; familyId: string; expiresAt: number }): Promise<void>;
  /** Marks a refresh token used, atomically; undefined when it does not exist. */
  useRefreshToken(tokenHash: string): Promise<RefreshTokenUse | undefined>;
  revokeFamily(familyId: string): Promise<void>;
  createWorkspace(workspace: { id: string; name: string }, ownerId: string): Promise<void>;
  renameWorkspace(workspaceId: string, name: string): Promise<void>;
  /** The user's role in the workspace, or undefined when not a member. */
  roleOf(workspaceId: string, userId: string): Promise<Role | undefined>;
  workspacesOf(userId: string): Promise<{ id: string; name: string; role: Role }[]>;
  membersOf(workspaceId: string): Promise<{ userId: string; email: string; role: Role }[]>;
  setRole(workspaceId: string, userId: string, role: Role): Promise<boolean>;
  removeMember(workspaceId: string, userId: string): Promise<boolean>;
  saveJoinCode(code: { codeHash: string; workspaceId: string; role: Role; createdBy: string; expiresAt: number }): Promise<void>;
  joinCode(codeHash: string): Promise<{ workspaceId: string; role: Role; expiresAt: number } | undefined>;
  /** Keeps (or updates) an invitation of `email`, who has no account yet. */
  saveInvitation(invitation: { workspaceId: string; email: string; role: Role; invitedBy: string }): Promise<void>;
  /** Makes `userId` a member of every workspace `email` was invited to, and forgets those invitations. */
  acceptInvitations(email: string, userId: string): Promise<void>;
}

interface UserRow { id: string; email: string; password_hash: string; changed: number | string }

const USER_COLUMNS = `id, email, password_hash, extract(epoch from password_changed_at)::float8 AS changed`;

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, passwordHash: row.password_hash, passwordChangedAt: Math.floor(Number(row.changed)) };
}

export class SqlAccountStore implements AccountStore {
  constructor(private readonly driver: SqlDriver) {}

  async createUser(user: { id: string; email: string; passwordHash: string }): Promise<'created' | 'email-taken'> {
    const rows = await this.driver.query<{ id: string }>(
      'INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING id',
      [user.id, user.email, user.passwordHash],
    );
    return rows.length > 0 ? 'created' : 'email-taken';
  }

  async userByEmail(email: string): Promise<User | undefined> {
    const [row] = await this.driver.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
    return row ? toUser(row) : undefined;
  }

  async userById(id: string): Promise<User | undefined> {
    const [row] = await this.driver.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return row ? toUser(row) : undefined;
  }

  async join(workspaceId: string, userId: string, role: Role): Promise<Role> {
    return this.driver.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE', [workspaceId]);
      const [{ n }] = await tx.query<{ n: number | string }>('SELECT count(*) AS n FROM memberships WHERE workspace_id = $1', [workspaceId]) as [{ n: number | string }];
      const granted: Role = Number(n) === 0 ? 'owner' : role;
      await tx.query(
        'INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT (workspace_id, user_id) DO NOTHING',
        [workspaceId, userId, granted],
      );
      return granted;
    });
  }

  async saveRefreshToken(token: { tokenHash: string; userId: string; familyId: string; expiresAt: number }): Promise<void> {
    await this.driver.query(
      'INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at) VALUES ($1, $2, $3, to_timestamp($4))',
      [token.tokenHash, token.userId, token.familyId, token.expiresAt],
    );
  }

  async useRefreshToken(tokenHash: string): Promise<RefreshTokenUse | undefined> {
    const columns = 'user_id, family_id, extract(epoch from expires_at)::float8 AS expires';
    const [fresh] = await this.driver.query<{ user_id: string; family_id: string; expires: number | string }>(
      `UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING ${columns}`,
      [tokenHash],
    );
    if (fresh) return { userId: fresh.user_id, familyId: fresh.family_id, expiresAt: Number(fresh.expires), replayed: false };
    const [stale] = await this.driver.query<{ user_id: string; family_id: string; expires: number | string }>(
      `SELECT ${columns} FROM refresh_tokens WHERE token_hash = $1`,
      [tokenHash],
    );
    return stale ? { userId: stale.user_id, familyId: stale.family_id, expiresAt: Number(stale.expires), replayed: true } : undefined;
  }

  async createWorkspace(workspace: { id: string; name: string }, ownerId: string): Promise<void> {
    await this.driver.transaction(async (tx) => {
      await tx.query('INSERT INTO workspaces (id, name) VALUES ($1, $2)', [workspace.id, workspace.name]);
      await tx.query(`INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'owner')`, [workspace.id, ownerId]);
    });
  }

  async renameWorkspace(workspaceId: string, name: string): Promise<void> {
    await this.driver.query('UPDATE workspaces SET name = $2 WHERE id = $1', [workspaceId, name]);
  }

  async roleOf(workspaceId: string, userId: string): Promise<Role | undefined> {
    const [row] = await this.driver.query<{ role: Role }>('SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2', [workspaceId, userId]);
    return row?.role;
  }

  async workspacesOf(userId: string): Promise<{ id: string; name: string; role: Role }[]> {
    return this.driver.query<{ id: string; name: string; role: Role }>(
      'SELECT w.id, w.name, m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = $1 ORDER BY w.name, w.id',
      [userId],
    );
  }

  async membersOf(workspaceId: string): Promise<{ userId: string; email: string; role: Role }[]> {
    const rows = await this.driver.query<{ user_id: string; email: string; role: Role }>(
      'SELECT m.user_id, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY u.email',
      [workspaceId],
    );
    return rows.map((r) => ({ userId: r.user_id, email: r.email, role: r.role }));
  }

  async setRole(workspaceId: string, userId: string, role: Role): Promise<boolean> {
    const rows = await this.driver.query('UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2 RETURNING 1', [workspaceId, userId, role]);
    return rows.length > 0;
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    const rows = await this.driver.query('DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2 RETURNING 1', [workspaceId, userId]);
    return rows.length > 0;
  }

  async saveJoinCode(code: { codeHash: string; workspaceId: string; role: Role; createdBy: string; expiresAt: number }): Promise<void> {
    await this.driver.query(
      'INSERT INTO join_codes (code_hash, workspace_id, role, created_by, expires_at) VALUES ($1, $2, $3, $4, to_timestamp($5))',
      [code.codeHash, code.workspaceId, code.role, code.createdBy, code.expiresAt],
    );
  }

  async joinCode(codeHash: string): Promise<{ workspaceId: string; role: Role; expiresAt: number } | undefined> {
    const [row] = await this.driver.query<{ workspace_id: string; role: Role; expires: number | string }>(
      'SELECT workspace_id, role, extract(epoch from expires_at)::float8 AS expires FROM join_codes WHERE code_hash = $1',
      [codeHash],
    );
    return row ? { workspaceId: row.workspace_id, role: row.role, expiresAt: Number(row.expires) } : undefined;
  }

  async saveInvitation(invitation: { workspaceId: string; email: string; role: Role; invitedBy: string }): Promise<void> {
    await this.driver.query(
      `INSERT INTO invitations (workspace_id, email, role, invited_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (workspace_id, email) DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, created_at = now()`,
      [invitation.workspaceId, invitation.email, invitation.role, invitation.invitedBy],
    );
  }

  async acceptInvitations(email: string, userId: string): Promise<void> {
    await this.driver.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO memberships (workspace_id, user_id, role)
         SELECT workspace_id, $2, role FROM invitations WHERE email = $1
         ON CONFLICT (workspace_id, user_id) DO NOTHING`,
        [email, userId],
      );
      await tx.query('DELETE FROM invitations WHERE email = $1', [email]);
    });
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.driver.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [familyId]);
  }
}
