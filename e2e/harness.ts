/**
 * End-to-end harness: the real server as a child process (exactly what `npm start` runs,
 * on a free loopback port with its own data folder) and Debian's Chromium driven by
 * playwright-core. Every wait is on a condition, never a fixed sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before } from 'node:test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `condition` until it returns a truthy value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, condition: () => Promise<T> | T, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RunningServer {
  readonly url: string;
  readonly dataDir: string;
  /** Graceful stop (SIGTERM), waiting for the process to exit. */
  stop(): Promise<void>;
  /** Crash (SIGKILL): no shutdown at all, in-flight requests are cut. */
  kill(): Promise<void>;
  /** Stop and delete the data folder. */
  dispose(): Promise<void>;
}

export async function startServer(options: { dataDir?: string; port?: number; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'fieldbook-e2e-')));
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    // Tests sign up a user per device from one address: lift the sign-up limit.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', SIGNUP_LIMIT_PER_HOUR: '100000', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += String(chunk)));
  child.stderr?.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`the server on ${url}`, async () => {
      if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
      const res = await fetch(`${url}/ready`).catch(() => undefined);
      return res?.ok;
    }, 90_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; server output: ${output}`);
  }
  // The first account of a fresh server owns the default workspace: make it the observer.
  await observerToken(url);
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  return {
    url,
    dataDir,
    stop,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    dispose: async () => {
      await stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** A device: its own browser context (own IndexedDB, own service worker). */
export interface Device {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Who is signed in on it. */
  readonly user: DeviceUser;
}

export interface DeviceUser {
  readonly email: string;
  readonly password: string;
}

let deviceUsers = 0;

/** A new person's credentials, unique across runs. */
export function newUser(): DeviceUser {
  deviceUsers += 1;
  return { email: `device${deviceUsers}-${Date.now().toString(36)}@example.org`, password: 'correct horse battery' };
}

/**
 * A device signed in as `user` (a new account unless `existing`), showing the workspace.
 * Every new account joins the default workspace, so devices share it.
 */
export async function openDevice(browser: Browser, url: string, options: { user?: DeviceUser; existing?: boolean } = {}): Promise<Device> {
  const user = options.user ?? newUser();
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(url);
  await signInOnPage(page, user, options.existing ? 'sign-in' : 'sign-up');
  return { context, page, user };
}

/** Fills the sign-in page (the app redirects there when nobody is signed in) and waits for the workspace. */
export async function signInOnPage(page: Page, user: DeviceUser, mode: 'sign-in' | 'sign-up' = 'sign-in'): Promise<void> {
  await page.getByTestId('auth-submit').waitFor();
  if (mode === 'sign-up') await page.getByTestId('auth-toggle').click();
  await page.getByTestId('email').fill(user.email);
  await page.getByTestId('password').fill(user.password);
  await page.getByTestId('auth-submit').click();
  // A new person's database opens on a fresh start of the app, at '/'.
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  await page.waitForLoadState('load');
  await page.getByTestId('sync-indicator').waitFor();
}

/** Resolves once the service worker has cached the app shell, so an offline reload works. */
export async function waitForOfflineShell(page: Page): Promise<void> {
  await page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration?.active) return false;
    for (const key of await caches.keys()) {
      const cache = await caches.open(key);
      if (await cache.match('/index.html')) return true;
    }
    return false;
  }, undefined, { polling: 100, timeout: 30_000 });
}

const observers = new Map<string, Promise<string>>();

/**
 * A signed-in member of the default workspace for requests from Node (one per server,
 * signed up on first use): the observer a test reads the server's truth as.
 */
export function observerToken(url: string): Promise<string> {
  let token = observers.get(url);
  if (!token) {
    const user = newUser();
    token = rawGraphql(url, 'mutation($e: String!, $p: String!) { signUp(email: $e, password: $p) { accessToken } }', { e: user.email, p: user.password })
      .then((body) => {
        const payload = (body.data as { signUp?: { accessToken: string } } | undefined)?.signUp;
        if (!payload) throw new Error(`observer sign-up failed: ${JSON.stringify(body.errors)}`);
        return payload.accessToken;
      });
    observers.set(url, token);
    token.catch(() => observers.delete(url));
  }
  return token;
}

async function rawGraphql(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<{ data?: unknown; errors?: unknown[] }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: unknown; errors?: unknown[] };
}

/**
 * One GraphQL request from Node, as another client of the endpoint would make it: signed
 * in as `token`, or as the server's observer (a member of the default workspace).
 */
export async function graphql<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const body = (await rawGraphql(url, query, variables, token ?? (await observerToken(url)))) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

/**
 * Gives `email` a role in the default workspace, as the observer: the first account of
 * every test server (`startServer` signs it up), and so the workspace's owner.
 */
export async function setRole(url: string, email: string, role: 'owner' | 'member' | 'viewer'): Promise<void> {
  const ownerToken = await observerToken(url);
  const workspaceId = DEFAULT_WORKSPACE_ID;
  const { members } = await graphql<{ members: { userId: string; email: string }[] }>(url, 'query($w: ID!) { members(workspaceId: $w) { userId email } }', { w: workspaceId }, ownerToken);
  const member = members.find((m) => m.email === email);
  if (!member) throw new Error(`${email} is not a member`);
  await graphql(url, 'mutation($w: ID!, $u: ID!, $r: Role!) { setMemberRole(workspaceId: $w, userId: $u, role: $r) }', { w: workspaceId, u: member.userId, r: role }, ownerToken);
}

/** The server and browser a test file shares; `server` may be replaced (restart tests). */
export interface TestEnvironment {
  server: RunningServer;
  browser: Browser;
}

/** Starts one server and one browser before a test file's tests and stops both after them. */
export function useServerAndBrowser(): TestEnvironment {
  const env = {} as TestEnvironment;
  before(async () => {
    [env.server, env.browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.dispose();
  });
  return env;
}
