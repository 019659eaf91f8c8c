/**
 * An `AccountStore` that remembers users and roles for a moment. Every sync request
 * authenticates (the user, for the password-change check) and checks membership (the
 * role); without it each pull cost three statements instead of one.
 *
 * Guarantees:
 * - a write through this store (role change, removal, join, new workspace, new user)
 *   is seen by every read that starts after the write resolved, on this instance;
 * - a change made by another instance on the same database is seen within `ttlMs`
 *   (a removed member may sync for up to that long on an instance that cached them);
 * - concurrent reads of the same key share one query.
 */
import type { AccountStore, RefreshTokenUse, Role, User } from './account-store';

/** How long a user or role is reused; bounds how late other instances' changes are seen. */
export const ACCOUNT_CACHE_TTL_MS = 1_000;
/** Entries kept at most; past it the cache starts over (a burst of distinct users). */
const MAX_ENTRIES = 10_000;

interface Entry<T> {
  readonly value: Promise<T>;
  readonly expiresAt: number;
}

class ExpiringCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly ttlMs: number, private readonly now: () => number) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return entry.value;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const value = load();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    // A failed read is not remembered: the next caller asks the database again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key for which `matches` holds. */
  deleteWhere(matches: (key: string) => boolean): void {
    for (const key of this.entries.keys()) if (matches(key)) this.entries.delete(key);
  }
}

export class CachedAccountStore implements AccountStore {
  private readonly users: ExpiringCache<User | undefined>;
  private readonly roles: ExpiringCache<Role | undefined>;

  constructor(private readonly inner: AccountStore, options: { ttlMs?: number; now?: () => number } = {}) {
    const ttlMs = options.ttlMs ?? ACCOUNT_CACHE_TTL_MS;
    const now = options.now ?? Date.now;
    this.users = new ExpiringCache(ttlMs, now);
    this.roles = new ExpiringCache(ttlMs, now);
  }

  userById(id: string): Promise<User | undefined> {
    return this.users.get(id, () => this.inner.userById(id));
  }

  roleOf(workspaceId: string, userId: string): Promise<Role | undefined> {
    return this.roles.get(roleKey(workspaceId, userId), () => this.inner.roleOf(workspaceId, userId));
  }

  // Writes forget what they change only once they have resolved: a read started before
  // that could still bring back the old value and would otherwise stay cached.

  async createUser(user: { id: string; email: string; passwordHash: string }): Promise<'created' | 'email-taken'> {
    const outcome = await this.inner.createUser(user);
    this.users.delete(user.id);
    return outcome;
  }

  async join(workspaceId: string, userId: string, role: Role): Promise<Role> {
    try {
      return await this.inner.join(workspaceId, userId, role);
    } finally {
      this.roles.delete(roleKey(workspaceId, userId));
    }
  }

  async createWorkspace(workspace: { id: string; name: string }, ownerId: string): Promise<void> {
    try {
      await this.inner.createWorkspace(workspace, ownerId);
    } finally {
      this.roles.deleteWhere((key) => key.startsWith(`${workspace.id}|`));
    }
  }

  async setRole(workspaceId: string, userId: string, role: Role): Promise<boolean> {
    try {
      return await this.inner.setRole(workspaceId, userId, role);
    } finally {
      this.roles.delete(roleKey(workspaceId, userId));
    }
  }

  async acceptInvitations(email: string, userId: string): Promise<void> {
    try {
      await this.inner.acceptInvitations(email, userId);
    } finally {
      this.roles.deleteWhere((key) => key.endsWith(`|${userId}`));
    }
  }

  saveInvitation(invitation: { workspaceId: string; email: string; role: Role; invitedBy: string }): Promise<void> {
    return this.inner.saveInvitation(invitation);
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    try {
      return await this.inner.removeMember(workspaceId, userId);
    } finally {
      this.roles.delete(roleKey(workspaceId, userId));
    }
  }

  userByEmail(email: string): Promise<User | undefined> {
    return this.inner.userByEmail(email);
  }

  saveRefreshToken(token: { tokenHash: string; userId: string; familyId: string; expiresAt: number }): Promise<void> {
    return this.inner.saveRefreshToken(token);
  }

  useRefreshToken(tokenHash: string): Promise<RefreshTokenUse | undefined> {
    return this.inner.useRefreshToken(tokenHash);
  }

  revokeFamily(familyId: string): Promise<void> {
    return this.inner.revokeFamily(familyId);
  }

  renameWorkspace(workspaceId: string, name: string): Promise<void> {
    return this.inner.renameWorkspace(workspaceId, name);
  }

  workspacesOf(userId: string): Promise<{ id: string; name: string; role: Role }[]> {
    return this.inner.workspacesOf(userId);
  }

  membersOf(workspaceId: string): Promise<{ userId: string; email: string; role: Role }[]> {
    return this.inner.membersOf(workspaceId);
  }

  saveJoinCode(code: { codeHash: string; workspaceId: string; role: Role; createdBy: string; expiresAt: number }): Promise<void> {
    return this.inner.saveJoinCode(code);
  }

  joinCode(codeHash: string): Promise<{ workspaceId: string; role: Role; expiresAt: number } | undefined> {
    return this.inner.joinCode(codeHash);
  }
}

function roleKey(workspaceId: string, userId: string): string {
  return `${workspaceId}|${userId}`;
}
