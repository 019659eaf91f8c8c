import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AuthService } from './auth-service';
import { SyncService } from '../sync/sync-service';
import { WorkspaceContext } from '../workspaces/workspace-context';

/** Who is signed in, "sign in again" when the server ended the session, and sign-out. */
@Component({
  selector: 'fb-account-menu',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (auth.session(); as session) {
      <a routerLink="/workspaces" class="workspace" data-testid="workspace-link">{{ workspace.active()?.name ?? 'Workspaces' }}</a>
      <span class="who" data-testid="signed-in-as">{{ session.email }}</span>
      @if (auth.needsSignIn()) {
        <a routerLink="/sign-in" class="again" data-testid="sign-in-again-link">Sign in again to sync</a>
      }
      <button type="button" (click)="signOut()" data-testid="sign-out">Sign out</button>
    }
  `,
  styles: `
    :host { display: flex; align-items: center; gap: .6rem; }
    .who { color: var(--muted); font-size: .9rem; }
    .workspace { font-weight: 600; color: var(--text); }
    .again { color: #a4262c; font-weight: 600; }
  `,
})
export class AccountMenu {
  protected readonly auth = inject(AuthService);
  protected readonly workspace = inject(WorkspaceContext);
  private readonly sync = inject(SyncService);

  /**
   * Signs out. Unsynced changes stay in this person's database on the device and sync
   * when they sign in again, but they cannot sync meanwhile: say how many, and ask first.
   */
  protected async signOut(): Promise<void> {
    const unsynced = this.sync.entries().length;
    if (unsynced > 0) {
      const noun = unsynced === 1 ? 'change' : 'changes';
      const ok = confirm(`You have ${unsynced} unsynced ${noun}. They stay on this device and sync when you sign in again as ${this.auth.session()?.email}. Sign out anyway?`);
      if (!ok) return;
    }
    await this.auth.signOut();
    location.assign('/sign-in');
  }
}
