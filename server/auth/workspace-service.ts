/**
 * Workspaces and their members: create, rename, join codes, roles, removal. Every call
 * needs a signed-in caller; managing a workspace needs its owner. Refusals are typed:
 * UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT.
 */
import { randomBytes } from 'node:crypto';
import { createGraphQLError } from 'graphql-yoga';
import { uuidv7 } from '../../src/shared/uuid';
import type { AccountStore, Role } from './account-store';
import { hashToken } from './tokens';
import { AccessEvents } from './access-events';
import { EMAIL } from './auth-service';

export const JOIN_CODE_TTL_SECONDS = 7 * 24 * 3600;

function error(code: string, message: string): Error {
  return createGraphQLError(message, { extensions: { code } });
}

export function requireActor(actorId: string | null): string {
  if (!actorId) throw error('UNAUTHENTICATED', 'Sign in first');
  return actorId;
}

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw error('BAD_USER_INPUT', 'name must have 1 to 200 characters');
  return trimmed;
}

export class WorkspaceService {
  constructor(
    private readonly accounts: AccountStore,
    private readonly now: () => number = Date.now,
    /** Told when a member loses access, so their live streams end. */
    readonly access: AccessEvents = new AccessEvents(),
  ) {}

  async create(actorId: string | null, name: string): Promise<{ id: string; name: string; role: Role }> {
    const userId = requireActor(actorId);
    const workspace = { id: uuidv7(), name: cleanName(name) };
    await this.accounts.createWorkspace(workspace, userId);
    return { ...workspace, role: 'owner' };
  }

  async rename(actorId: string | null, workspaceId: string, name: string): Promise<{ id: string; name: string; role: Role }> {
    await this.requireOwner(actorId, workspaceId);
    const clean = cleanName(name);
    await this.accounts.renameWorkspace(workspaceId, clean);
    return { id: workspaceId, name: clean, role: 'owner' };
  }

  mine(actorId: string | null): Promise<{ id: string; name: string; role: Role }[]> {
    return this.accounts.workspacesOf(requireActor(actorId));
  }

  async members(actorId: string | null, workspaceId: string): Promise<{ userId: string; email: string; role: Role }[]> {
    const userId = requireActor(actorId);
    if (!(await this.accounts.roleOf(workspaceId, userId))) throw error('FORBIDDEN', 'You are not a member of this workspace');
    return this.accounts.membersOf(workspaceId);
  }

  /** A code that lets whoever has it join with `role`; shown once, stored hashed. */
  async createJoinCode(actorId: string | null, workspaceId: string, role: Role): Promise<string> {
    const userId = await this.requireOwner(actorId, workspaceId);
    if (role === 'owner') throw error('BAD_USER_INPUT', 'A join code can grant member or viewer');
    const code = randomBytes(12).toString('base64url');
    await this.accounts.saveJoinCode({
      codeHash: hashToken(code), workspaceId, role, createdBy: userId, expiresAt: Math.floor(this.now() / 1000) + JOIN_CODE_TTL_SECONDS,
    });
    return code;
  }

  async join(actorId: string | null, code: string): Promise<{ id: string; name: string; role: Role }> {
    const userId = requireActor(actorId);
    const found = await this.accounts.joinCode(hashToken(code.trim()));
    if (!found || found.expiresAt * 1000 <= this.now()) throw error('BAD_USER_INPUT', 'This join code is not valid');
    await this.accounts.join(found.workspaceId, userId, found.role);
    const workspace = (await this.accounts.workspacesOf(userId)).find((w) => w.id === found.workspaceId);
    if (!workspace) throw error('BAD_USER_INPUT', 'This join code is not valid');
    return workspace;
  }

  /**
   * Adds the person with `email` to the workspace at `role`; someone without an account
   * yet is invited and joins when they sign up with that email. A member keeps their role.
   */
  async invite(actorId: string | null, workspaceId: string, emailInput: string, role: Role): Promise<{ email: string; role: Role; status: 'added' | 'invited' }> {
    const invitedBy = await this.requireOwner(actorId, workspaceId);
    const email = emailInput.trim().toLowerCase();
    if (!EMAIL.test(email)) throw error('BAD_USER_INPUT', 'email is not a valid address');
    if (role === 'owner') throw error('BAD_USER_INPUT', 'An invitation can grant member or viewer');
    const user = await this.accounts.userByEmail(email);
    if (!user) {
      await this.accounts.saveInvitation({ workspaceId, email, role, invitedBy });
      return { email, role, status: 'invited' };
    }
    const granted = (await this.accounts.roleOf(workspaceId, user.id)) ?? (await this.accounts.join(workspaceId, user.id, role));
    return { email, role: granted, status: 'added' };
  }

  async setRole(actorId: string | null, workspaceId: string, userId: string, role: Role): Promise<boolean> {
    const ownerId = await this.requireOwner(actorId, workspaceId);
    if (userId === ownerId && role !== 'owner') await this.requireAnotherOwner(workspaceId, ownerId);
    if (!(await this.accounts.setRole(workspaceId, userId, role))) throw error('BAD_USER_INPUT', 'Not a member of this workspace');
    return true;
  }

  async removeMember(actorId: string | null, workspaceId: string, userId: string): Promise<boolean> {
    const ownerId = await this.requireOwner(actorId, workspaceId);
    if (userId === ownerId) await this.requireAnotherOwner(workspaceId, ownerId);
    if (!(await this.accounts.removeMember(workspaceId, userId))) throw error('BAD_USER_INPUT', 'Not a member of this workspace');
    this.access.revoked(workspaceId, userId);
    return true;
  }

  private async requireOwner(actorId: string | null, workspaceId: string): Promise<string> {
    const userId = requireActor(actorId);
    const role = await this.accounts.roleOf(workspaceId, userId);
    if (role !== 'owner') throw error('FORBIDDEN', 'Only an owner of the workspace can do this');
    return userId;
  }

  /** A workspace never loses its last owner. */
  private async requireAnotherOwner(workspaceId: string, ownerId: string): Promise<void> {
    const owners = (await this.accounts.membersOf(workspaceId)).filter((m) => m.role === 'owner' && m.userId !== ownerId);
    if (owners.length === 0) throw error('BAD_USER_INPUT', 'A workspace needs at least one owner');
  }
}
