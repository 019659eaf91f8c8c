import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { AuthService } from './auth/auth-service';
import { RouterLink, RouterOutlet } from '@angular/router';
import { SyncIndicator } from './sync/sync-indicator';
import { AccountMenu } from './auth/account-menu';
import { LostAccessNotice } from './workspaces/lost-access-notice';
import { StorageHealth } from './data/storage-health';

@Component({
  selector: 'fb-root',
  imports: [SyncIndicator, AccountMenu, LostAccessNotice, RouterOutlet, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="top">
      <a routerLink="/" class="brand">Fieldbook</a>
      @if (auth.session()) {
        <fb-sync-indicator class="grow" />
        <fb-account-menu />
      }
    </header>
    @if (auth.session()) { <fb-lost-access-notice /> }
    @if (storage.full()) {
      <p class="storage-full" role="alert" data-testid="storage-full">
        The device is out of storage: new changes cannot be saved until space is freed. Everything saved before is kept.
      </p>
    }
    <router-outlet />
  `,
  styles: `
    :host { display: flex; flex-direction: column; height: 100vh; }
    .top { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
    .grow { margin-left: auto; }
    .storage-full { margin: 0; padding: .5rem 1rem; color: #fff; background: var(--danger); }
    .brand { font-weight: 700; color: var(--accent); text-decoration: none; }
  `,
})
export class App {
  protected readonly auth = inject(AuthService);
  protected readonly storage = inject(StorageHealth);
}
