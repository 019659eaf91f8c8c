/**
 * A Chromium device in a convergence run: the built app in its own browser context,
 * loaded through its own chaos proxy, signed up through the UI and driven through the UI
 * (`app-driver.ts`) in one of the shared lists: create, edit, delete and comment on
 * tasks, go offline (the context's network) and back. What it checks is what the person
 * sees: the list's task titles against the server's, the sync indicator, the Sync page.
 */
import type { Browser } from 'playwright-core';
import { addComment, backToTasks, createTask, deleteTask, editTask, openSyncPage, outboxRows, selectList, syncPhase, taskTitles } from '../app-driver';
import { DEFAULT_WORKSPACE_ID, TASK_STATUSES } from '../../src/shared/collections';
import { graphql, observerToken, openDevice, type Device } from '../harness';
import { ChaosProxy, type FaultRates } from './chaos-proxy';
import { HELD_STATES } from './checks';
import type { ExtraClient } from './run-seed';
import type { Prng } from './prng';
import { serverHistory, type ServerDocuments } from './server-state';

/** Gentler than the Node clients' rates: a UI step waits on what the person sees, and each fault costs seconds there. */
const BROWSER_RATES: FaultRates = { dropRequest: 0.04, dropResponse: 0.04, delay: 0.1, duplicate: 0.05, reorder: 0.04 };

export interface BrowserRun {
  readonly serverUrl: string;
  readonly rng: Prng;
  readonly onPushInFlight: () => void;
}

export async function openBrowserClient(browser: Browser, name: string, listName: string, run: BrowserRun): Promise<ExtraClient> {
  const script = run.rng.fork();
  const proxy = new ChaosProxy(new URL(run.serverUrl), run.rng.fork(), BROWSER_RATES, run.onPushInFlight);
  proxy.setChaos(false);
  const proxyUrl = await proxy.start();
  const device = await openDevice(browser, proxyUrl);
  await selectList(device.page, listName);
  const { members } = await graphql<{ members: { userId: string; email: string }[] }>(run.serverUrl,
    'query($w: ID!) { members(workspaceId: $w) { userId email } }', { w: DEFAULT_WORKSPACE_ID });
  const userId = members.find((m) => m.email === device.user.email)!.userId;
  // By id from here on: other clients rename lists.
  const { lists } = await graphql<{ lists: { nodes: { id: string; name: string }[] } }>(run.serverUrl,
    'query($w: ID!) { lists(workspaceId: $w) { nodes { id name } } }', { w: DEFAULT_WORKSPACE_ID });
  const listId = lists.nodes.find((l) => l.name === listName)!.id;
  return new BrowserClient(name, device, proxy, run, script, listId, userId);
}

class BrowserClient implements ExtraClient {
  /** The last title this device gave each task it created or renamed, and whether it deleted it. */
  private readonly titles = new Map<string, { deleted: boolean }>();
  private serial = 0;

  constructor(
    private readonly name: string,
    private readonly device: Device,
    private readonly proxy: ChaosProxy,
    private readonly run: BrowserRun,
    /** This device's own stream of choices. */
    private readonly rng: Prng,
    private readonly listId: string,
    private readonly userId: string,
  ) {}

  get faults() {
    return this.proxy.faults;
  }

  async act(operations: number): Promise<number> {
    const { page, context } = this.device;
    const rng = this.rng;
    this.proxy.setChaos(true);
    let done = 0;
    let offline = false;
    for (let step = 0; step < operations; step += 1) {
      if (rng.chance(0.12)) {
        offline = !offline;
        await context.setOffline(offline);
      }
      if (rng.chance(0.05)) this.proxy.cutWebSockets();
      // An owner archived the list: nothing can be added or changed in it until unarchived.
      if (await page.getByTestId('list-archived-note').isVisible()) continue;
      const visible = await taskTitles(page);
      const stamp = `${this.name}-${(this.serial += 1)}`;
      const roll = rng.next();
      try {
        if (roll < 0.35 || visible.length === 0) {
          const title = `Task ${stamp}`;
          await createTask(page, title);
          this.titles.set(title, { deleted: false });
        } else if (roll < 0.7) {
          const target = rng.pick(visible);
          if (rng.chance(0.5)) {
            const title = `Title ${stamp}`;
            await editTask(page, target, { title });
            // Read-your-writes: the list shows the new title at once.
            await page.getByTestId('task-title').filter({ hasText: title }).first().waitFor({ timeout: 5_000 });
            // The old title is superseded by this device's own later write.
            this.titles.delete(target);
            this.titles.set(title, { deleted: false });
          } else {
            await editTask(page, target, { notes: `Notes ${stamp}`, status: rng.pick(TASK_STATUSES) });
          }
        } else if (roll < 0.85) {
          const target = rng.pick(visible);
          await deleteTask(page, target);
          if (this.titles.has(target)) this.titles.set(target, { deleted: true });
        } else {
          await addComment(page, rng.pick(visible), `Comment ${stamp}`);
        }
        done += 1;
      } catch (error) {
        // A task another client deleted or renamed under the pointer is not this device's failure.
        await page.keyboard.press('Escape').catch(() => undefined);
        const stillThere = await taskTitles(page);
        if (visible.every((t) => stillThere.includes(t))) throw error;
      }
    }
    if (offline) await context.setOffline(false);
    return done;
  }

  async quiesce(): Promise<void> {
    this.proxy.setChaos(false);
    await this.device.context.setOffline(false);
  }

  async divergence(server: ServerDocuments): Promise<string[]> {
    const phase = await syncPhase(this.device.page);
    if (phase !== 'synced') return [`${this.name} sync indicator is ${phase}`];
    // Count in this device's list, under the name the server has for it now (renames happen).
    const listName = String(server.lists.get(this.listId)?.['name']);
    const shownList = ((await this.device.page.getByTestId('list-title').textContent()) ?? '').trim();
    if (shownList !== listName) await selectList(this.device.page, listName);
    const expected = [...server.tasks.values()].filter((t) => !t.deleted && t['listId'] === this.listId).map((t) => String(t['title']));
    // The list scrolls virtually: the count covers every task, the titles those rendered.
    const count = ((await this.device.page.getByTestId('task-count').textContent()) ?? '').trim();
    const total = Number(/(\d+) total/.exec(count)?.[1]);
    const shown = await taskTitles(this.device.page);
    const extra = shown.filter((t) => !expected.includes(t));
    if (total === expected.length && extra.length === 0) return [];
    const held = await this.heldLabels();
    const unheld = extra.filter((t) => !held.has(t));
    if (unheld.length === 0 && Math.abs(total - expected.length) <= held.size) return [];
    return [`${this.name} shows ${total} tasks (${unheld.map((t) => `"${t}"`).join(', ') || 'all on the server'}), the server has ${expected.length}`];
  }

  async lostWrites(server: ServerDocuments): Promise<string[]> {
    const held = await this.heldLabels();
    const problems: string[] = [];
    const token = await observerToken(this.run.serverUrl);
    for (const [title, { deleted }] of this.titles) {
      if (held.has(title) || deleted) continue;
      let found = [...server.tasks.values()].some((t) => t['title'] === title);
      for (const task of server.tasks.values()) {
        if (found) break;
        const history = await serverHistory(this.run.serverUrl, DEFAULT_WORKSPACE_ID, 'tasks', task.id, token);
        found = history.some((r) => r.updatedBy === this.userId && r.fields.get('title') === title);
      }
      if (!found) problems.push(`${this.name}'s task "${title}" is not on the server and not held; on the device: ${await this.storedRecords(title)}`);
    }
    return problems;
  }

  async close(): Promise<void> {
    await this.device.context.close();
    await this.proxy.stop();
  }

  /** Every IndexedDB record on the device that mentions `text` (what a failure report needs to show). */
  private storedRecords(text: string): Promise<string> {
    return this.device.page.evaluate(`(async () => {
      const found = [];
      for (const info of await indexedDB.databases()) {
        const db = await new Promise((resolve, reject) => { const r = indexedDB.open(info.name); r.onsuccess = () => resolve(r.result); r.onerror = reject; });
        for (const store of Array.from(db.objectStoreNames)) {
          const all = await new Promise((resolve) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => resolve(r.result); r.onerror = () => resolve([]); });
          for (const record of all) { const json = JSON.stringify(record); if (json.includes(${JSON.stringify(text)})) found.push(info.name + '/' + store + ': ' + json.slice(0, 600)); }
        }
        db.close();
      }
      return found.join(' | ') || 'nothing';
    })()`);
  }

  /** Records the Sync page lists as needing review or rejected: held visibly for the person. */
  private async heldLabels(): Promise<Set<string>> {
    const page = this.device.page;
    await openSyncPage(page);
    const rows = await outboxRows(page);
    await backToTasks(page);
    return new Set(rows.filter((r) => HELD_STATES.has(r.state as never)).map((r) => r.label));
  }
}
