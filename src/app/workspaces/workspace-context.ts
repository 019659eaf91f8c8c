import { Injectable, computed, inject, signal } from '@angular/core';
import { Subject } from 'rxjs';
import { APP_CONFIG } from '../config';
import { AuthService } from '../auth/auth-service';
import { SYNC_HEADERS } from '../sync/replication';
import { DEFAULT_WORKSPACE_ID } from '../../shared/collections';

export type Role = 'owner' | 'member' | 'viewer';

export interface WorkspaceInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
}

/**
 * Which workspace this device works in, and the person's workspaces with their roles.
 * Both are kept per person in storage, so the app opens in the right workspace with the
 * right permissions offline; the list is refreshed from the server when online.
 * Switching restarts the app on the other workspace (its own replication checkpoints).
 */
@Injectable({ providedIn: 'root' })
export class WorkspaceContext {
  private readonly auth = inject(AuthService);
  private readonly config = inject(APP_CONFIG);
  private readonly userId = this.auth.session()?.userId ?? 'nobody';
  private readonly listState = signal<readonly WorkspaceInfo[]>(this.readList());
  private readonly droppedSubject = new Subject<readonly WorkspaceInfo[]>();

  /** The workspace the app shows and syncs. */
  readonly activeId = signal<string>(localStorage.getItem(this.key('active')) ?? DEFAULT_WORKSPACE_ID).asReadonly();
  readonly workspaces = this.listState.asReadonly();
  readonly active = computed(() => this.workspaces().find((w) => w.id === this.activeId()) ?? null);
  /** Viewers read everything and change nothing (the server refuses their writes too). */
  readonly canEdit = computed(() => this.active()?.role !== 'viewer');
  readonly isOwner = computed(() => this.active()?.role === 'owner');
  /** Workspaces of the cached list the server no longer counts the person in, on each refresh that finds some. */
  readonly dropped$ = this.droppedSubject.asObservable();

  /** Fetches the person's workspaces; keeps the cached list when offline. */
  async refresh(): Promise<readonly WorkspaceInfo[]> {
    const data = await this.call<{ myWorkspaces: WorkspaceInfo[] }>('{ myWorkspaces { id name role } }');
    const dropped = this.listState().filter((w) => !data.myWorkspaces.some((mine) => mine.id === w.id));
    this.listState.set(data.myWorkspaces);
    localStorage.setItem(this.key('list'), JSON.stringify(data.myWorkspaces));
    if (dropped.length > 0) this.droppedSubject.next(dropped);
    return data.myWorkspaces;
  }

  /** Makes `workspaceId` the active one and restarts the app on it. */
  switchTo(workspaceId: string): void {
    localStorage.setItem(this.key('active'), workspaceId);
    location.assign('/');
  }

  /** One GraphQL operation as the signed-in person; a refusal is thrown with the server's message. */
  async call<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await this.auth.fetch(this.config.graphqlHttpUrl, {
      method: 'POST',
      headers: { ...SYNC_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json().catch(() => null)) as { data?: T; errors?: { message: string }[] } | null;
    if (!body?.data || body.errors?.length) throw new Error(body?.errors?.[0]?.message ?? `The server answered ${response.status}`);
    return body.data;
  }

  private key(what: 'active' | 'list'): string {
    return `fieldbook.workspace.${what}.${this.userId}`;
  }

  private readList(): readonly WorkspaceInfo[] {
    try {
      return JSON.parse(localStorage.getItem(this.key('list')) ?? '[]') as WorkspaceInfo[];
    } catch {
      return [];
    }
  }
}
