/**
 * What a person does in the app, as functions over a page. Tests read what the
 * person sees (titles, the sync indicator), not internal state.
 */
import type { Page } from 'playwright-core';
import { waitFor } from './harness';

export async function createList(page: Page, name: string): Promise<void> {
  await page.getByTestId('new-list-input').fill(name);
  await page.getByTestId('new-list-submit').click();
  await page.getByTestId('list-title').filter({ hasText: name }).waitFor();
}

export async function selectList(page: Page, name: string): Promise<void> {
  await page.getByTestId('list-item').filter({ hasText: name }).click();
  await page.getByTestId('list-title').filter({ hasText: name }).waitFor();
}

export async function createTask(page: Page, title: string): Promise<void> {
  await page.getByTestId('new-task-input').fill(title);
  await page.getByTestId('new-task-submit').click();
  await page.getByTestId('task-title').filter({ hasText: title }).first().waitFor();
}

export async function taskTitles(page: Page): Promise<string[]> {
  return (await page.getByTestId('task-title').allTextContents()).map((t) => t.trim());
}

export async function listNames(page: Page): Promise<string[]> {
  return (await page.getByTestId('list-item').allTextContents()).map((t) => t.trim());
}

export async function openTask(page: Page, title: string): Promise<void> {
  await page.getByTestId('task-title').filter({ hasText: title }).first().click();
  await page.getByTestId('task-editor').waitFor();
}

export interface TaskEdit {
  title?: string;
  notes?: string;
  status?: string;
  priority?: string;
  dueAt?: string;
}

export async function editTask(page: Page, title: string, edit: TaskEdit): Promise<void> {
  await openTask(page, title);
  if (edit.title !== undefined) await page.getByTestId('edit-title').fill(edit.title);
  if (edit.notes !== undefined) await page.getByTestId('edit-notes').fill(edit.notes);
  if (edit.status !== undefined) await page.getByTestId('edit-status').selectOption(edit.status);
  if (edit.priority !== undefined) await page.getByTestId('edit-priority').selectOption(edit.priority);
  if (edit.dueAt !== undefined) await page.getByTestId('edit-due').fill(edit.dueAt);
  await page.getByTestId('edit-save').click();
  await page.getByTestId('task-editor').waitFor({ state: 'detached' });
}

export async function deleteTask(page: Page, title: string): Promise<void> {
  await openTask(page, title);
  await page.getByTestId('edit-delete').click();
  await page.getByTestId('task-title').filter({ hasText: title }).waitFor({ state: 'detached' });
}

export async function syncPhase(page: Page): Promise<string | null> {
  return page.getByTestId('sync-indicator').getAttribute('data-state');
}

export async function waitForPhase(page: Page, phase: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(`sync indicator "${phase}"`, async () => (await syncPhase(page)) === phase, timeoutMs);
}

/** What the person sees of a task once its editor is open: every editable field. */
export async function readTask(page: Page, title: string): Promise<Required<TaskEdit>> {
  await openTask(page, title);
  const value = {
    title: await page.getByTestId('edit-title').inputValue(),
    notes: await page.getByTestId('edit-notes').inputValue(),
    status: await page.getByTestId('edit-status').inputValue(),
    priority: await page.getByTestId('edit-priority').inputValue(),
    dueAt: await page.getByTestId('edit-due').inputValue(),
  };
  await page.getByRole('button', { name: 'Close' }).click();
  return value;
}

/** The sync state badge beside a task: its state and the words shown. */
export async function recordState(page: Page, title: string): Promise<{ state: string | null; label: string }> {
  const row = page.getByTestId('task-row').filter({ has: page.getByTestId('task-title').filter({ hasText: title }) }).first();
  const badge = row.getByTestId('record-sync-state');
  return { state: await badge.getAttribute('data-state'), label: ((await badge.textContent()) ?? '').trim() };
}

export async function waitForRecordState(page: Page, title: string, state: string, timeoutMs = 20_000): Promise<string> {
  const label = await waitFor(`task "${title}" to be ${state}`, async () => {
    const current = await recordState(page, title);
    return current.state === state ? current.label || state : undefined;
  }, timeoutMs);
  return label ?? state;
}

export async function syncLabel(page: Page): Promise<string> {
  return ((await page.getByTestId('sync-label').textContent()) ?? '').trim();
}

export interface OutboxRow {
  label: string;
  operation: string;
  state: string;
  attempts: number;
  error: string;
}

export async function openSyncPage(page: Page): Promise<void> {
  await page.getByTestId('sync-page-link').click();
  await page.getByTestId('outbox-summary').waitFor();
}

/**
 * A snapshot of the Sync page's table, read in one go so rows cannot change under the
 * read. (A string, so the test compiler's helpers do not leak into the page.)
 */
export async function outboxRows(page: Page): Promise<OutboxRow[]> {
  return page.evaluate(`Array.from(document.querySelectorAll('[data-testid="outbox-row"]')).map((row) => {
    const text = (id) => (row.querySelector('[data-testid="' + id + '"]')?.textContent ?? '').trim();
    return {
      label: text('outbox-label'),
      operation: text('outbox-operation'),
      state: row.getAttribute('data-state') ?? '',
      attempts: Number(text('outbox-attempts')),
      error: text('outbox-error'),
    };
  })`);
}

/** Opens the review inbox from the header link ("n need review"). */
export async function openInbox(page: Page): Promise<void> {
  await page.getByTestId('inbox-link').click();
  await page.getByTestId('inbox-summary').waitFor();
}

/** The header's count of records waiting in the review inbox (0 when the link is absent). */
export async function inboxCount(page: Page): Promise<number> {
  const text = await page.evaluate(`document.querySelector('[data-testid="inbox-link"]')?.textContent ?? '0'`);
  return Number.parseInt(String(text), 10);
}

/** The inbox card of a record, by the label shown on it. */
export function inboxItem(page: Page, label: string) {
  return page.getByTestId('inbox-item').filter({ has: page.getByTestId('inbox-label').filter({ hasText: label }) });
}

export async function backToTasks(page: Page): Promise<void> {
  await page.getByRole('link', { name: '← Tasks' }).click();
  await page.getByTestId('list-title').waitFor();
}

export async function addComment(page: Page, taskTitle: string, body: string): Promise<void> {
  await openTask(page, taskTitle);
  await page.getByTestId('comment-input').fill(body);
  await page.getByTestId('comment-submit').click();
  await page.getByTestId('comment').filter({ hasText: body }).waitFor();
  await page.getByRole('button', { name: 'Close' }).click();
}

export async function archiveList(page: Page, name: string): Promise<void> {
  const item = page.locator('li').filter({ has: page.getByTestId('list-item').filter({ hasText: name }) });
  await item.getByTestId('archive-list').click();
  await item.getByTestId('list-archived').waitFor();
}
