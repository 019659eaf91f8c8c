import { ChangeDetectionStrategy, Component } from '@angular/core';
import { ListSidebar } from './lists/list-sidebar';
import { TaskList } from './tasks/task-list';

/** The main screen: lists in a sidebar, the selected list's tasks beside it. */
@Component({
  selector: 'fb-workspace-page',
  imports: [ListSidebar, TaskList],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<fb-list-sidebar /><main><fb-task-list /></main>`,
  styles: `
    :host { display: grid; grid-template-columns: 260px 1fr; flex: 1; min-height: 0; }
    main { display: flex; flex-direction: column; min-height: 0; }
    main > * { flex: 1; }
    @media (max-width: 700px) { :host { grid-template-columns: 1fr; grid-template-rows: auto 1fr; } }
  `,
})
export class WorkspacePage {}
