/**
 * `npm run cli -- <command>`: exports a workspace and imports tasks through the public
 * GraphQL API only (docs/api.md), like any third-party integration would: it imports
 * nothing from the server or the app.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ApiClient, ApiError } from './api-client';
import { formatCsv, parseCsv } from './csv';

const USAGE = `Usage: npm run -s cli -- <command> [options]

Commands:
  export --workspace W [--format json|csv] [--out FILE] [--include-deleted]
      JSON: every collection of the workspace (lists, tasks, ...).
      CSV: the tasks, one per row, with their list's name.
  import-tasks --workspace W --list L FILE.csv
      Creates a task per row (columns: title, notes, status, priority, dueAt, assigneeId).
      Rows with id and revision columns (as exported) update that task if it is still
      at that revision. Re-running the same file does not create tasks twice.

Options:
  --server URL   default $FIELDBOOK_SERVER or http://localhost:4000
  --token T      default $FIELDBOOK_TOKEN: a personal access token (fbp_...)

Exit status: 0 done; 1 usage, access or network error; 2 some rows were conflicts or refused.`;

class UsageError extends Error {}

/**
 * What the CLI knows of the SDL (`server/schema.graphql`). Written out rather than
 * discovered by introspection, because production servers turn introspection off.
 * A collection added to the API needs one entry here to be exported.
 */
interface CollectionInfo { readonly field: string; readonly nodeType: string; readonly fields: readonly string[] }
const META = ['id', 'workspaceId', 'revision', 'updatedAt', 'updatedBy', 'deleted'];
const COLLECTIONS: readonly CollectionInfo[] = [
  { field: 'lists', nodeType: 'List', fields: [...META, 'name', 'archived', 'createdAt'] },
  { field: 'tasks', nodeType: 'Task', fields: [...META, 'listId', 'title', 'notes', 'status', 'priority', 'dueAt', 'assigneeId', 'createdAt'] },
];
const TASKS = COLLECTIONS.find((c) => c.field === 'tasks')!;
/** `TaskPatch` fields an import writes, and which of them are nullable (an empty cell clears them). */
const TASK_PATCH_FIELDS = ['title', 'notes', 'status', 'priority', 'dueAt', 'assigneeId'];
const NULLABLE_TASK_FIELDS = new Set(['dueAt', 'assigneeId']);

async function fetchAll(api: ApiClient, collection: CollectionInfo, workspaceId: string, includeDeleted: boolean): Promise<Record<string, unknown>[]> {
  const query = `query($w: ID!, $after: String, $filter: ${collection.nodeType}Filter) {
    page: ${collection.field}(workspaceId: $w, first: 100, after: $after, filter: $filter) {
      nodes { ${collection.fields.join(' ')} } pageInfo { endCursor hasNextPage } } }`;
  // 100 a page: the server's query cost limit counts `first` times the fields selected.
  const all: Record<string, unknown>[] = [];
  let after: string | null = null;
  for (;;) {
    const data: Record<string, any> = await api.request(query, { w: workspaceId, after, filter: { includeDeleted } });
    all.push(...data['page'].nodes);
    if (!data['page'].pageInfo.hasNextPage) return all;
    after = data['page'].pageInfo.endCursor;
  }
}

async function exportWorkspace(api: ApiClient, options: { workspace: string; format: string; out?: string; includeDeleted: boolean }): Promise<void> {
  if (options.format !== 'json' && options.format !== 'csv') throw new UsageError('--format must be json or csv');
  const collections = COLLECTIONS;
  const data: Record<string, Record<string, unknown>[]> = {};
  for (const collection of collections) data[collection.field] = await fetchAll(api, collection, options.workspace, options.includeDeleted);
  let text: string;
  if (options.format === 'json') {
    text = JSON.stringify({ workspaceId: options.workspace, exportedAt: new Date().toISOString(), ...data }, null, 2) + '\n';
  } else {
    const listNames = new Map((data['lists'] ?? []).map((l) => [l['id'], l['name']]));
    const header = TASKS.fields.flatMap((name) => (name === 'listId' ? ['listId', 'listName'] : [name]));
    text = formatCsv(header, (data['tasks'] ?? []).map((t) => ({ ...t, listName: listNames.get(t['listId']) ?? '' })));
  }
  if (options.out) {
    await writeFile(options.out, text);
    const counts = collections.map((c) => `${data[c.field]!.length} ${c.field}`).join(', ');
    process.stderr.write(`Exported ${counts} of workspace ${options.workspace} to ${options.out}\n`);
  } else {
    process.stdout.write(text);
  }
}

interface RowReport { row: number; title: string; line: string }

const RESULT = (fields: string) => `__typename
  ... on Task { id revision }
  ... on RevisionConflict { message current { ... on Task { ${fields} } } }
  ... on RuleViolation { code message fields { field message } }`;

async function importTasks(api: ApiClient, options: { workspace: string; list: string; file: string }): Promise<number> {
  const rows = parseCsv(await readFile(options.file, 'utf8')).filter((r) => r.some((cell) => cell.trim() !== ''));
  const header = (rows.shift() ?? []).map((h) => h.trim());
  const patchFields = new Set(TASK_PATCH_FIELDS);
  const nullable = NULLABLE_TASK_FIELDS;
  // Columns of our own CSV export that an import does not write.
  const ignored = new Set([...TASKS.fields, 'listName', 'listId']);
  const unknown = header.filter((h) => !patchFields.has(h) && !ignored.has(h));
  if (unknown.length > 0) throw new UsageError(`Unknown column(s) ${unknown.join(', ')}; known: ${[...patchFields].join(', ')}, id, revision`);
  if (!header.includes('title')) throw new UsageError('The CSV needs a header row with a title column');

  const list = (await api.request('query($id: ID!) { list(id: $id) { id name workspaceId deleted } }', { id: options.list }))['list'];
  if (!list || list.workspaceId !== options.workspace || list.deleted) throw new UsageError(`No list ${options.list} in workspace ${options.workspace}`);

  const shown = TASKS.fields.join(' ');
  const created: RowReport[] = [];
  const updated: RowReport[] = [];
  const conflicts: RowReport[] = [];
  const refused: RowReport[] = [];
  for (const [index, cells] of rows.entries()) {
    const rowNumber = index + 2; // 1-based, after the header
    const record = Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
    const title = record['title'] ?? '';
    const values: Record<string, unknown> = { listId: options.list };
    for (const [column, value] of Object.entries(record)) {
      if (!patchFields.has(column) || column === 'listId') continue;
      if (value !== '') values[column] = value;
      else if (column === 'title') values[column] = '';
      else if (record['id'] && record['revision']) values[column] = nullable.has(column) ? null : '';
    }
    // Same file, same row: same key, so a re-run or a retry never writes twice.
    const clientMutationId = 'import-' + createHash('sha256').update(JSON.stringify([options.workspace, options.list, rowNumber, record])).digest('hex').slice(0, 40);
    let outcome: Record<string, any>;
    const updating = Boolean(record['id'] && record['revision']);
    try {
      if (updating) {
        const revision = Number(record['revision']);
        if (!Number.isInteger(revision)) {
          refused.push({ row: rowNumber, title, line: `BAD_USER_INPUT revision "${record['revision']}" is not a whole number` });
          continue;
        }
        outcome = (await api.request(`mutation($id: ID!, $rev: Int!, $patch: TaskPatch!, $m: ID) {
          r: updateTask(id: $id, expectedRevision: $rev, patch: $patch, clientMutationId: $m) { ${RESULT(shown)} } }`,
        { id: record['id'], rev: revision, patch: values, m: clientMutationId }))['r'];
      } else {
        if (record['id']) values['id'] = record['id'];
        outcome = (await api.request(`mutation($w: ID!, $input: TaskCreateInput!, $m: ID) {
          r: createTask(workspaceId: $w, input: $input, clientMutationId: $m) { ${RESULT(shown)} } }`,
        { w: options.workspace, input: values, m: clientMutationId }))['r'];
      }
    } catch (error) {
      if (!(error instanceof ApiError) || ['UNAUTHENTICATED', 'NETWORK', 'RATE_LIMITED'].includes(error.code ?? '')) throw error;
      refused.push({ row: rowNumber, title, line: `${error.code ?? 'ERROR'} ${error.message}` });
      continue;
    }
    if (outcome['__typename'] === 'Task') {
      (updating ? updated : created).push({ row: rowNumber, title, line: `${outcome['id']} at revision ${outcome['revision']}` });
    } else if (outcome['__typename'] === 'RevisionConflict') {
      const current = outcome['current'];
      conflicts.push({ row: rowNumber, title, line: `${current.id}: the server has revision ${current.revision}${current.deleted ? ' (deleted)' : ''}, title "${current.title}", status ${current.status}; nothing written` });
    } else {
      const fields = (outcome['fields'] as { field: string; message: string }[]).map((f) => f.message).join('; ');
      refused.push({ row: rowNumber, title, line: `${outcome['code']} ${outcome['message']}${fields ? ` (${fields})` : ''}` });
    }
  }

  const out: string[] = [`Imported ${options.file} into list "${list.name}" (${options.list}) of workspace ${options.workspace}: ${rows.length} row(s)`];
  const section = (name: string, items: RowReport[], detail: boolean) => {
    out.push(`  ${name}: ${items.length}`);
    if (detail) for (const item of items) out.push(`    row ${item.row} "${item.title}": ${item.line}`);
  };
  section('created', created, false);
  section('updated', updated, false);
  section('conflicts', conflicts, true);
  section('refused', refused, true);
  if (conflicts.length > 0) out.push('Conflicts: the task changed since your copy; export again, re-apply your edits and import those rows again.');
  out.push('(Rows already imported by an earlier run of this file are answered as then, never written twice.)');
  process.stdout.write(out.join('\n') + '\n');
  return conflicts.length + refused.length > 0 ? 2 : 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      server: { type: 'string' }, token: { type: 'string' }, workspace: { type: 'string' }, list: { type: 'string' },
      format: { type: 'string', default: 'json' }, out: { type: 'string' }, 'include-deleted': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 1;
  }
  const token = values.token ?? process.env['FIELDBOOK_TOKEN'];
  if (!token) throw new UsageError('Set --token or FIELDBOOK_TOKEN (create a personal access token, see docs/api.md)');
  if (!values.workspace) throw new UsageError('--workspace is required');
  const api = new ApiClient({ server: values.server ?? process.env['FIELDBOOK_SERVER'] ?? 'http://localhost:4000', token });
  switch (command) {
    case 'export':
      await exportWorkspace(api, { workspace: values.workspace, format: values.format ?? 'json', out: values.out, includeDeleted: values['include-deleted'] ?? false });
      return 0;
    case 'import-tasks':
      if (!values.list) throw new UsageError('--list is required');
      if (rest.length !== 1) throw new UsageError('Name one CSV file');
      return importTasks(api, { workspace: values.workspace, list: values.list, file: rest[0]! });
    default:
      throw new UsageError(`Unknown command ${command}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cli/fieldbook.ts')) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      const message = error instanceof ApiError ? `${error.code ?? 'ERROR'}: ${error.message}` : (error as Error).message;
      process.stderr.write(`fieldbook: ${message}\n${error instanceof UsageError ? `\n${USAGE}\n` : ''}`);
      process.exitCode = 1;
    },
  );
}
