import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { AuthService } from './auth-service';
import { AuthError } from './session';
import { SyncService } from '../sync/sync-service';

/**
 * Sign in or create an account. When the server ended the session (revoked, password
 * changed), this page says so: the person's pending changes are still on the device and
 * sync resumes once they sign in again.
 */
@Component({
  selector: 'fb-sign-in-page',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="card">
      <h1>{{ mode() === 'sign-in' ? 'Sign in' : 'Create an account' }}</h1>
      @if (auth.needsSignIn()) {
        <p class="notice" data-testid="sign-in-again">
          Your session ended. Sign in again as <strong>{{ auth.session()!.email }}</strong> to sync.
          @if (pending() > 0) { Your {{ pending() }} unsynced {{ pending() === 1 ? 'change is' : 'changes are' }} kept on this device. }
        </p>
      }
      <form (ngSubmit)="submit()">
        <label>Email <input name="email" type="email" autocomplete="username" required [(ngModel)]="email" data-testid="email" /></label>
        <label>Password
          <input name="password" type="password" required minlength="10" [(ngModel)]="password" data-testid="password"
            [attr.autocomplete]="mode() === 'sign-in' ? 'current-password' : 'new-password'" />
        </label>
        @if (error()) { <p class="error" role="alert" data-testid="auth-error">{{ error() }}</p> }
        <button type="submit" [disabled]="busy()" data-testid="auth-submit">{{ mode() === 'sign-in' ? 'Sign in' : 'Create account' }}</button>
      </form>
      <button type="button" class="link" (click)="toggle()" data-testid="auth-toggle">
        {{ mode() === 'sign-in' ? 'New here? Create an account' : 'Have an account? Sign in' }}
      </button>
    </main>
  `,
  styles: `
    .card { max-width: 24rem; margin: 3rem auto; padding: 1.5rem; border: 1px solid var(--line); border-radius: 10px; display: flex; flex-direction: column; gap: .8rem; }
    form { display: flex; flex-direction: column; gap: .7rem; }
    label { display: flex; flex-direction: column; gap: .25rem; color: var(--muted); }
    .error { color: #a4262c; margin: 0; }
    .notice { background: #fff6e0; padding: .6rem; border-radius: 6px; margin: 0; }
    .link { border: none; background: none; color: var(--accent); padding: 0; align-self: flex-start; }
  `,
})
export class SignInPage {
  protected readonly auth = inject(AuthService);
  private readonly sync = inject(SyncService);
  private readonly router = inject(Router);
  protected readonly mode = signal<'sign-in' | 'sign-up'>('sign-in');
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly pending = computed(() => this.sync.entries().length);
  protected email = this.auth.session()?.email ?? '';
  protected password = '';

  protected toggle(): void {
    this.mode.update((m) => (m === 'sign-in' ? 'sign-up' : 'sign-in'));
    this.error.set(null);
  }

  protected async submit(): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    const before = this.auth.session()?.userId;
    try {
      const session = this.mode() === 'sign-in' ? await this.auth.signIn(this.email, this.password) : await this.auth.signUp(this.email, this.password);
      if (before === session.userId && this.sync.started) {
        // Same person signing in again: their database is open and sync resumes.
        await this.router.navigateByUrl('/');
      } else {
        // Another person's database: start the app afresh on it.
        location.assign('/');
      }
    } catch (error) {
      this.error.set(error instanceof AuthError ? error.message : 'The server cannot be reached; try again when online');
    } finally {
      this.busy.set(false);
    }
  }
}
