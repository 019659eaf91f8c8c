import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { WorkspaceContext, type Role } from './workspace-context';

interface Member {
  readonly userId: string;
  readonly email: string;
  readonly role: Role;
}

/**
 * The person's workspaces: switch, create, join with a code; and for the active one,
 * its members. Owners rename it, invite by email or join code, change roles and remove
 * members. Everything here needs the server; offline it says so and the cached list of
 * workspaces still allows switching.
 */
@Component({
  selector: 'fb-workspaces-page',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main>
      <h1>Workspaces</h1>
      @if (message()) { <p class="message" role="status" data-testid="workspace-message">{{ message() }}</p> }
      @if (error()) { <p class="error" role="alert" data-testid="workspace-error">{{ error() }}</p> }

      <ul class="workspaces" data-testid="workspace-list">
        @for (w of ctx.workspaces(); track w.id) {
          <li data-testid="workspace-item" [attr.data-id]="w.id">
            <span class="name">{{ w.name }}</span> <span class="role">{{ w.role }}</span>
            @if (w.id === ctx.activeId()) { <strong class="current">current</strong> }
            @else { <button type="button" (click)="ctx.switchTo(w.id)" data-testid="switch-workspace">Switch</button> }
          </li>
        } @empty {
          <li>Connect to load your workspaces.</li>
        }
      </ul>

      <section class="row">
        <form (ngSubmit)="create()">
          <input name="newName" [(ngModel)]="newName" placeholder="New workspace" aria-label="New workspace name" data-testid="new-workspace-input" />
          <button type="submit" data-testid="new-workspace-submit">Create</button>
        </form>
        <form (ngSubmit)="join()">
          <input name="code" [(ngModel)]="code" placeholder="Join code" aria-label="Join code" data-testid="join-code-input" />
          <button type="submit" data-testid="join-submit">Join</button>
        </form>
      </section>

      @if (ctx.active(); as active) {
        <h2>{{ active.name }} <span class="role">you are {{ active.role }}</span></h2>
        @if (active.role === 'viewer') { <p data-testid="viewer-note">You can read this workspace but not change it.</p> }
        @if (active.role === 'owner') {
          <form (ngSubmit)="rename()" class="row">
            <input name="rename" [(ngModel)]="renameTo" [placeholder]="active.name" aria-label="Workspace name" data-testid="rename-workspace-input" />
            <button type="submit">Rename</button>
          </form>
          <form (ngSubmit)="invite()" class="row">
            <input name="inviteEmail" type="email" [(ngModel)]="inviteEmail" placeholder="Email" aria-label="Invite by email" data-testid="invite-email" />
            <select name="inviteRole" [(ngModel)]="inviteRole" aria-label="Role" data-testid="invite-role">
              <option value="member">member</option><option value="viewer">viewer</option>
            </select>
            <button type="submit" data-testid="invite-submit">Invite</button>
          </form>
          <div class="row">
            <select [(ngModel)]="codeRole" name="codeRole" aria-label="Role for the join code" data-testid="code-role">
              <option value="member">member</option><option value="viewer">viewer</option>
            </select>
            <button type="button" (click)="makeCode()" data-testid="make-code">Create join code</button>
            @if (joinCode()) { <code data-testid="join-code">{{ joinCode() }}</code> <span class="hint">shown once; valid 7 days</span> }
          </div>
        }
        <table data-testid="members">
          <thead><tr><th>Member</th><th>Role</th>@if (active.role === 'owner') {<th></th>}</tr></thead>
          <tbody>
            @for (m of members(); track m.userId) {
              <tr data-testid="member-row">
                <td>{{ m.email }}</td>
                <td>
                  @if (active.role === 'owner') {
                    <select [ngModel]="m.role" (ngModelChange)="setRole(m, $event)" [name]="'role-' + m.userId" aria-label="Role" data-testid="member-role">
                      <option value="owner">owner</option><option value="member">member</option><option value="viewer">viewer</option>
                    </select>
                  } @else { {{ m.role }} }
                </td>
                @if (active.role === 'owner') {
                  <td><button type="button" class="danger" (click)="remove(m)" data-testid="remove-member">Remove</button></td>
                }
              </tr>
            }
          </tbody>
        </table>
      }
    </main>
  `,
  styles: `
    main { padding: 1rem; max-width: 52rem; display: flex; flex-direction: column; gap: .8rem; }
    .workspaces { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: .3rem; }
    .workspaces li { display: flex; gap: .6rem; align-items: center; }
    .role, .hint { color: var(--muted); font-size: .85rem; font-weight: normal; }
    .row { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
    form { display: flex; gap: .4rem; }
    .error { color: #a4262c; }
    .message { color: var(--accent); }
    table { border-collapse: collapse; }
    td, th { padding: .3rem .6rem; border-bottom: 1px solid var(--line); text-align: left; }
    .danger { color: #a4262c; }
  `,
})
export class WorkspacesPage implements OnInit {
  protected readonly ctx = inject(WorkspaceContext);
  protected readonly members = signal<readonly Member[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly message = signal<string | null>(null);
  protected readonly joinCode = signal<string | null>(null);
  protected newName = '';
  protected code = '';
  protected renameTo = '';
  protected inviteEmail = '';
  protected inviteRole: Role = 'member';
  protected codeRole: Role = 'member';

  ngOnInit(): void {
    void this.run(async () => {
      await this.ctx.refresh();
      await this.loadMembers();
    });
  }

  protected create(): Promise<void> {
    return this.run(async () => {
      const { createWorkspace } = await this.ctx.call<{ createWorkspace: { id: string } }>(
        'mutation($n: String!) { createWorkspace(name: $n) { id } }', { n: this.newName });
      this.newName = '';
      await this.ctx.refresh();
      this.ctx.switchTo(createWorkspace.id);
    });
  }

  protected join(): Promise<void> {
    return this.run(async () => {
      const { joinWorkspace } = await this.ctx.call<{ joinWorkspace: { id: string } }>(
        'mutation($c: String!) { joinWorkspace(code: $c) { id } }', { c: this.code });
      await this.ctx.refresh();
      this.ctx.switchTo(joinWorkspace.id);
    });
  }

  protected rename(): Promise<void> {
    return this.run(async () => {
      await this.ctx.call('mutation($w: ID!, $n: String!) { renameWorkspace(workspaceId: $w, name: $n) { id } }', { w: this.ctx.activeId(), n: this.renameTo });
      this.renameTo = '';
      await this.ctx.refresh();
      this.message.set('Renamed.');
    });
  }

  protected invite(): Promise<void> {
    return this.run(async () => {
      const { inviteMember } = await this.ctx.call<{ inviteMember: { status: string } }>(
        'mutation($w: ID!, $e: String!, $r: Role!) { inviteMember(workspaceId: $w, email: $e, role: $r) { status } }',
        { w: this.ctx.activeId(), e: this.inviteEmail, r: this.inviteRole });
      this.message.set(inviteMember.status === 'added'
        ? `${this.inviteEmail} is now a ${this.inviteRole}.`
        : `Invitation saved: ${this.inviteEmail} joins as ${this.inviteRole} when they create their account.`);
      this.inviteEmail = '';
      await this.loadMembers();
    });
  }

  protected makeCode(): Promise<void> {
    return this.run(async () => {
      const { createJoinCode } = await this.ctx.call<{ createJoinCode: string }>(
        'mutation($w: ID!, $r: Role!) { createJoinCode(workspaceId: $w, role: $r) }', { w: this.ctx.activeId(), r: this.codeRole });
      this.joinCode.set(createJoinCode);
    });
  }

  protected setRole(member: Member, role: Role): Promise<void> {
    return this.run(async () => {
      await this.ctx.call('mutation($w: ID!, $u: ID!, $r: Role!) { setMemberRole(workspaceId: $w, userId: $u, role: $r) }',
        { w: this.ctx.activeId(), u: member.userId, r: role });
      await this.loadMembers();
    });
  }

  protected remove(member: Member): Promise<void> {
    if (!confirm(`Remove ${member.email} from ${this.ctx.active()?.name}? They lose access at once.`)) return Promise.resolve();
    return this.run(async () => {
      await this.ctx.call('mutation($w: ID!, $u: ID!) { removeMember(workspaceId: $w, userId: $u) }', { w: this.ctx.activeId(), u: member.userId });
      await this.loadMembers();
    });
  }

  private async loadMembers(): Promise<void> {
    if (!this.ctx.active()) return;
    const { members } = await this.ctx.call<{ members: Member[] }>('query($w: ID!) { members(workspaceId: $w) { userId email role } }', { w: this.ctx.activeId() });
    this.members.set(members);
  }

  /** Runs a server action; a refusal or no network becomes the page's error line. */
  private async run(action: () => Promise<void>): Promise<void> {
    this.error.set(null);
    this.message.set(null);
    try {
      await action();
    } catch (error) {
      this.error.set(error instanceof TypeError ? 'You are offline: workspace changes need the server.' : (error as Error).message);
    }
  }
}
