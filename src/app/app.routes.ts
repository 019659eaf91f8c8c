import { inject } from '@angular/core';
import { Router, type Routes } from '@angular/router';
import { AuthService } from './auth/auth-service';
import { SignInPage } from './auth/sign-in-page';
import { WorkspacesPage } from './workspaces/workspaces-page';
import { WorkspacePage } from './workspace-page';
import { OutboxPage } from './sync/outbox-page';
import { InboxPage } from './inbox/inbox-page';

/** The workspace needs a person on this device (their database); otherwise sign in first. */
const signedIn = () => (inject(AuthService).session() ? true : inject(Router).parseUrl('/sign-in'));

export const routes: Routes = [
  { path: '', component: WorkspacePage, title: 'Fieldbook', canActivate: [signedIn] },
  { path: 'sync', component: OutboxPage, title: 'Sync · Fieldbook', canActivate: [signedIn] },
  { path: 'inbox', component: InboxPage, title: 'Review inbox · Fieldbook', canActivate: [signedIn] },
  { path: 'workspaces', component: WorkspacesPage, title: 'Workspaces · Fieldbook', canActivate: [signedIn] },
  { path: 'sign-in', component: SignInPage, title: 'Sign in · Fieldbook' },
  { path: '**', redirectTo: '' },
];
