import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { SyncService } from '../sync/sync-service';

/** After the app left a workspace the person lost access to: what happened and where their work is. */
@Component({
  selector: 'fb-lost-access-notice',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (sync.lostAccessNotice(); as message) {
      <p class="notice" role="status" data-testid="lost-access-notice">
        <span data-testid="lost-access-message">{{ message }}</span>
        @if (sync.recovered().length > 0) { <a routerLink="/sync" data-testid="recovered-link">Recovered work</a> }
        <button type="button" (click)="sync.dismissLostAccessNotice()" data-testid="dismiss-lost-access">Dismiss</button>
      </p>
    }
  `,
  styles: `
    .notice { display: flex; gap: .8rem; align-items: center; margin: 0; padding: .5rem 1rem; background: #fff4ce; border-bottom: 1px solid var(--line); }
    a { color: var(--accent); }
  `,
})
export class LostAccessNotice {
  protected readonly sync = inject(SyncService);
}
