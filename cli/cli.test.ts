/**
 * The CLI as a user runs it: a child process against a real server (PGlite and
 * PostgreSQL), authenticated with a personal access token. Only the test harness talks
 * to the server's code; the CLI itself is checked to import none of it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, gql, signUpUser, startTestServer, type TestServer } from '../server/test-support';
import { parseCsv } from './csv';

const CLI_DIR = path.dirname(fileURLToPath(import.meta.url));

interface Run { code: number; stdout: string; stderr: string }

function runCli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(CLI_DIR, 'fieldbook.ts'), ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('cli sources', () => {
  it('import nothing from the server or the app: the public API is all they use', async () => {
    for (const file of (await readdir(CLI_DIR)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = await readFile(path.join(CLI_DIR, file), 'utf8');
      assert.doesNotMatch(text, /from '\.\.\/(server|src)\//, file);
    }
  });
});

for (const backend of BACKENDS) {
  describe(`cli on ${backend.name}`, () => {
    let env: TestServer;
    let dir: string;
    let workspaceId: string;
    let listId: string;
    let cliEnv: Record<string, string>;
    let ownerToken: string;

    before(async () => {
      env = await startTestServer(backend);
      dir = await mkdtemp(path.join(os.tmpdir(), 'fieldbook-cli-'));
      const owner = await signUpUser(env.url);
      ownerToken = owner.accessToken;
      workspaceId = (await gql(env.url, 'mutation { createWorkspace(name: "Crew") { id } }', {}, owner.accessToken)).data?.['createWorkspace'].id;
      const pat = await gql(env.url, 'mutation($w: ID!) { createAccessToken(workspaceId: $w, name: "cli", readOnly: false) { token } }', { w: workspaceId }, owner.accessToken);
      cliEnv = { FIELDBOOK_SERVER: env.url, FIELDBOOK_TOKEN: pat.data?.['createAccessToken'].token };
      listId = (await gql(env.url, 'mutation($w: ID!) { createList(workspaceId: $w, input: { name: "Site, north" }) { ... on List { id } } }', { w: workspaceId }, cliEnv['FIELDBOOK_TOKEN'])).data?.['createList'].id;
    });
    after(async () => {
      await env.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    it('imports tasks from CSV, reports conflicts and refusals, and never imports a row twice', async () => {
      // A task someone already edited past revision 1: the import's row 4 is stale.
      const existing = (await gql(env.url, `mutation($w: ID!, $l: ID!) { createTask(workspaceId: $w, input: { listId: $l, title: "Existing" }) { ... on Task { id } } }`,
        { w: workspaceId, l: listId }, ownerToken)).data?.['createTask'].id;
      await gql(env.url, 'mutation($id: ID!) { updateTask(id: $id, expectedRevision: 1, patch: { status: "doing" }) { __typename } }', { id: existing }, ownerToken);
      const csv = path.join(dir, 'tasks.csv');
      await writeFile(csv, [
        'title,notes,status,priority,dueAt,id,revision',
        'Check pump,"Pressure low, see ""log""",todo,high,2026-12-01,,',
        'Order filters,,doing,,,,',
        'Existing (my copy),,done,,,' + existing + ',1',
        ',no title,,,,,',
        'Bad date,,todo,,soon,,',
      ].join('\n') + '\n');
      const args = ['import-tasks', '--workspace', workspaceId, '--list', listId, csv];
      const first = await runCli(args, cliEnv);
      assert.equal(first.code, 2, first.stderr);
      assert.match(first.stdout, /created: 2\n/);
      assert.match(first.stdout, /conflicts: 1\n {4}row 4 "Existing \(my copy\)": .*revision 2.*title "Existing"/);
      assert.match(first.stdout, /refused: 2\n {4}row 5 "": VALIDATION .*title must not be empty.*\n {4}row 6 "Bad date": VALIDATION .*dueAt/);

      const again = await runCli(args, cliEnv);
      assert.equal(again.code, 2);
      assert.match(again.stdout, /created: 2\n/);
      const tasks = (await gql(env.url, 'query($w: ID!) { tasks(workspaceId: $w) { nodes { title notes priority dueAt listId } } }', { w: workspaceId }, ownerToken)).data?.['tasks'].nodes;
      assert.deepEqual(tasks.map((t: { title: string }) => t.title).sort(), ['Check pump', 'Existing', 'Order filters']);
      const pump = tasks.find((t: { title: string }) => t.title === 'Check pump');
      assert.deepEqual(pump, { title: 'Check pump', notes: 'Pressure low, see "log"', priority: 'high', dueAt: '2026-12-01', listId });
    });

    it('exports the workspace to JSON and CSV, and a re-import of the CSV updates in place', async () => {
      const json = await runCli(['export', '--workspace', workspaceId, '--format', 'json'], cliEnv);
      assert.equal(json.code, 0, json.stderr);
      const exported = JSON.parse(json.stdout);
      assert.equal(exported.workspaceId, workspaceId);
      assert.deepEqual(exported.lists.map((l: { name: string }) => l.name), ['Site, north']);
      assert.equal(exported.tasks.length, 3);

      const out = path.join(dir, 'export.csv');
      const csv = await runCli(['export', '--workspace', workspaceId, '--format', 'csv', '--out', out], cliEnv);
      assert.equal(csv.code, 0, csv.stderr);
      assert.match(csv.stderr, /Exported 1 lists, 3 tasks/);
      const rows = parseCsv(await readFile(out, 'utf8'));
      const header = rows[0]!;
      assert.ok(['id', 'title', 'listId', 'listName', 'revision', 'status'].every((h) => header.includes(h)));
      assert.ok(rows.slice(1).every((r) => r[header.indexOf('listName')] === 'Site, north'));

      // Edit one exported row and import the file back: that task is updated, no duplicates.
      const pumpRow = rows.findIndex((r) => r[header.indexOf('title')] === 'Check pump');
      rows[pumpRow]![header.indexOf('status')] = 'done';
      await writeFile(out, rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n'));
      const reimport = await runCli(['import-tasks', '--workspace', workspaceId, '--list', listId, out], cliEnv);
      assert.equal(reimport.code, 0, reimport.stdout + reimport.stderr);
      assert.match(reimport.stdout, /created: 0\n {2}updated: 3\n {2}conflicts: 0\n {2}refused: 0/);
      const tasks = (await gql(env.url, 'query($w: ID!) { tasks(workspaceId: $w) { nodes { title status revision } } }', { w: workspaceId }, ownerToken)).data?.['tasks'].nodes;
      assert.equal(tasks.length, 3);
      assert.equal(tasks.find((t: { title: string }) => t.title === 'Check pump').status, 'done');
    });

    it('explains usage and access errors with exit status 1', async () => {
      const noToken = await runCli(['export', '--workspace', workspaceId], { ...cliEnv, FIELDBOOK_TOKEN: '' });
      assert.equal(noToken.code, 1);
      assert.match(noToken.stderr, /FIELDBOOK_TOKEN/);
      const badToken = await runCli(['export', '--workspace', workspaceId], { ...cliEnv, FIELDBOOK_TOKEN: 'fbp_not-a-token' });
      assert.equal(badToken.code, 1);
      assert.match(badToken.stderr, /UNAUTHENTICATED/);
      const badColumn = path.join(dir, 'bad.csv');
      await writeFile(badColumn, 'title,colour\nx,red\n');
      const unknown = await runCli(['import-tasks', '--workspace', workspaceId, '--list', listId, badColumn], cliEnv);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /Unknown column\(s\) colour/);
    });
  });
}
