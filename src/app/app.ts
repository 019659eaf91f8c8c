import { ChangeDetectionStrategy, Component } from '@angular/core';
import { SyncIndicator } from './sync/sync-indicator';
import { ListSidebar } from './lists/list-sidebar';
import { TaskList } from './tasks/task-list';

@Component({
  selector: 'fb-root',
  imports: [SyncIndicator, ListSidebar, TaskList],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="top">
      <span class="brand">Fieldbook</span>
      <fb-sync-indicator />
    </header>
    <div class="main">
      <fb-list-sidebar />
      <main><fb-task-list /></main>
    </div>
  `,
  styles: `
    :host { display: flex; flex-direction: column; height: 100vh; }
    .top { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
    .brand { font-weight: 700; color: var(--accent); }
    .main { display: grid; grid-template-columns: 260px 1fr; flex: 1; min-height: 0; }
    main { display: flex; flex-direction: column; min-height: 0; }
    main > * { flex: 1; }
    @media (max-width: 700px) { .main { grid-template-columns: 1fr; grid-template-rows: auto 1fr; } }
  `,
})
export class App {}
