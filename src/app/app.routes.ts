import type { Routes } from '@angular/router';
import { WorkspacePage } from './workspace-page';
import { OutboxPage } from './sync/outbox-page';
import { InboxPage } from './inbox/inbox-page';

export const routes: Routes = [
  { path: '', component: WorkspacePage, title: 'Fieldbook' },
  { path: 'sync', component: OutboxPage, title: 'Sync · Fieldbook' },
  { path: 'inbox', component: InboxPage, title: 'Review inbox · Fieldbook' },
  { path: '**', redirectTo: '' },
];
