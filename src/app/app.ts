import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink, RouterOutlet } from '@angular/router';
import { SyncIndicator } from './sync/sync-indicator';

@Component({
  selector: 'fb-root',
  imports: [SyncIndicator, RouterOutlet, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="top">
      <a routerLink="/" class="brand">Fieldbook</a>
      <fb-sync-indicator />
    </header>
    <router-outlet />
  `,
  styles: `
    :host { display: flex; flex-direction: column; height: 100vh; }
    .top { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
    .brand { font-weight: 700; color: var(--accent); text-decoration: none; }
  `,
})
export class App {}
