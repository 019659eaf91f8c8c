/**
 * Seeded generators of hostile requests, one per fuzz category. Every case is built
 * from the seed and the targets alone, so `generateCases(seed, …)` returns the same
 * requests on every run and a failure names the seed that reproduces it.
 */
import { COLLECTIONS, type CollectionDefinition, type CollectionName } from '../../src/shared/collections';
import { pullQuery, pushMutation, streamSubscription } from '../../src/shared/operations';
import { CLIENT_HEADER, MAX_BODY_BYTES, WRITE_ID_HEADER } from '../hardening';
import { createPrng, deriveSeed, type Prng } from './prng';
import { FUZZ_CATEGORIES, type FuzzCase, type FuzzCategory, type FuzzTargets, type HttpFuzzCase, type WsFrame, type WsFuzzCase } from './fuzz-case';

const JSON_TYPE = 'application/json';
const GRAPHQL_WS = 'graphql-transport-ws';

/** Strings that have broken parsers, SQL, JSON columns and encodings elsewhere. */
const NASTY_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE documents; --",
  '"; SELECT pg_sleep(5); --',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0041\u0301',
  '🧨'.repeat(40),
  '%s%s%s%n',
  '../../etc/passwd',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '\\',
  '',
  ' ',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '0'.repeat(65),
];

/** Values of the wrong type for almost any GraphQL argument or document field. */
const WRONG_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308,
  '', '1', 'NaN', 'Infinity', '-0', '1e309', '0x10', [], [1, 2], {}, { id: 'x' }, { $gt: '' }, [null],
];

function http(category: FuzzCategory, label: string, body: string | Uint8Array<ArrayBuffer> | undefined, headers: Record<string, string>, extra: Partial<HttpFuzzCase> = {}): HttpFuzzCase {
  return { kind: 'http', category, label, method: 'POST', body, headers, ...extra };
}

function uuidLike(rng: Prng): string {
  const hex = (n: number) => rng.string(n, '0123456789abcdef');
  return `${hex(8)}-${hex(4)}-7${hex(3)}-8${hex(3)}-${hex(12)}`;
}

/** An id the server has never seen, an id of either workspace, or a hostile string. */
function anyId(rng: Prng, t: FuzzTargets, collection: CollectionName): string {
  const known = [...t.attackerIds[collection], ...t.victimIds[collection]];
  return rng.pick([() => uuidLike(rng), () => rng.pick(known), () => rng.pick(NASTY_STRINGS), () => rng.string(rng.int(1, 80))])();
}

function collection(rng: Prng): CollectionDefinition {
  return rng.pick(COLLECTIONS);
}

/** A document of `c` that passes validation. */
function validDocument(rng: Prng, c: CollectionDefinition, workspaceId: string, id = uuidLike(rng)): Record<string, unknown> {
  const base = { id, workspaceId, revision: 1, createdAt: '2025-01-01T00:00:00.000Z', deleted: false };
  switch (c.name) {
    case 'lists':
      return { ...base, name: `List ${rng.string(6)}`, archived: false };
    case 'tasks':
      return {
        ...base, listId: uuidLike(rng), title: `Task ${rng.string(8)}`, notes: rng.string(rng.int(0, 40)),
        status: rng.pick(['todo', 'doing', 'done']), priority: rng.pick(['none', 'low', 'medium', 'high']),
        dueAt: rng.chance(0.5) ? null : '2026-05-01', assigneeId: null,
      };
    case 'comments':
      return { ...base, taskId: uuidLike(rng), body: `Comment ${rng.string(10)}` };
  }
}

/** The attacker's headers: its own sign-in token, most of the time. */
function authHeaders(rng: Prng, t: FuzzTargets): Record<string, string> {
  const authorization = rng.chance(0.75) ? `Bearer ${t.attackerToken}` : rng.pick([
    undefined, 'Bearer ', `Bearer ${rng.string(rng.int(1, 300))}`, `Bearer fbp_${rng.string(40, 'abcdef0123456789')}`,
    `Basic ${rng.string(20)}`, `Bearer ${t.attackerToken.slice(0, -3)}xyz`,
  ]);
  return { 'content-type': JSON_TYPE, ...(authorization === undefined ? {} : { authorization }) };
}

function operation(query: string, variables?: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ query, variables, ...extra });
}

function pullBody(c: CollectionDefinition, workspaceId: string, checkpoint: unknown = null, limit: unknown = 10): string {
  return operation(pullQuery(c), { workspaceId, checkpoint, limit });
}

function pushBody(c: CollectionDefinition, workspaceId: string, rows: unknown): string {
  return operation(pushMutation(c), { workspaceId, rows });
}

const malformedJson = (rng: Prng, t: FuzzTargets): FuzzCase => {
  const headers = authHeaders(rng, t);
  const valid = pullBody(collection(rng), t.attackerWorkspaceId);
  const variant = rng.int(0, 8);
  switch (variant) {
    case 0:
      return http('malformed-json', 'truncated body', valid.slice(0, rng.int(0, valid.length - 1)), headers);
    case 1: {
      const body = rng.pick(['[]', '"query"', '42', 'null', 'true', '{}', `[${valid}]`, `[${valid},${valid}]`, '{"query": 42}',
        '{"query": null}', '{"query": {}}', `{"query": ${JSON.stringify(pullQuery(COLLECTIONS[0]))}, "variables": "x"}`,
        `{"query": "{ me { id } }", "variables": [1]}`, '{"query": "{ me { id } }", "operationName": 5}',
        '{"query": "{ me { id } }", "extensions": "x"}', '{"query": "{ me { id } }", "extensions": {"persistedQuery": {"sha256Hash": 1}}}',
        '{"__proto__": {"query": "{ me { id } }"}}', '{"query": "{ me { id } }", "query": "{ __typename }"}']);
      return http('malformed-json', `wrong top-level shape ${body.slice(0, 40)}`, body, headers);
    }
    case 2:
      return http('malformed-json', 'binary garbage', rng.bytes(rng.int(1, 4000)), headers);
    case 3: {
      const type = rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql',
        'application/xml', 'application/json-patch+json', 'application/jsonx', '', '*/*', 'application/json; charset=utf-16', 'APPLICATION/JSON; charset=latin1']);
      return http('malformed-json', `content type "${type}"`, valid, { ...headers, 'content-type': type });
    }
    case 4: {
      const prefix = rng.pick(['\ufeff', '\u0000', '\xff\xfe', ' \n\t', ')]}\'\n']);
      return http('malformed-json', 'junk before the JSON', prefix + valid, headers);
    }
    case 5: {
      const depth = rng.int(1_000, 200_000);
      return http('malformed-json', `JSON nested ${depth} deep`, `{"query": "{ me { id } }", "variables": {"x": ${'['.repeat(depth)}${']'.repeat(depth)}}}`, headers);
    }
    case 6: {
      const bytes = new TextEncoder().encode(valid);
      const at = rng.int(0, bytes.length - 1);
      bytes[at] = rng.pick([0x00, 0xc0, 0xff, 0xed, 0x80]);
      return http('malformed-json', `invalid UTF-8 byte at ${at}`, bytes, headers);
    }
    case 7: {
      const query = rng.pick([`{ pullTasks(workspaceId: "${t.attackerWorkspaceId}", limit: 1) { checkpoint { seq } } }`, '{', '%ff', rng.string(rng.int(1, 200))]);
      const search = `?query=${rng.chance(0.5) ? encodeURIComponent(query) : query}&variables=${rng.pick(['{', '[]', '%00', 'null', encodeURIComponent(rng.string(30))])}`;
      return http('malformed-json', 'GET with a malformed query string', undefined, { ...headers, [CLIENT_HEADER]: 'fuzz' }, { method: 'GET', search });
    }
    default:
      return http('malformed-json', 'empty body', '', headers);
  }
};

const wrongTypes = (rng: Prng, t: FuzzTargets): FuzzCase => {
  const headers = authHeaders(rng, t);
  const c = collection(rng);
  const wrong = () => rng.pick(WRONG_VALUES);
  const variant = rng.int(0, 5);
  switch (variant) {
    case 0: {
      const variables: Record<string, unknown> = { workspaceId: t.attackerWorkspaceId, checkpoint: null, limit: 10 };
      const field = rng.pick(Object.keys(variables));
      if (rng.chance(0.2)) delete variables[field];
      else variables[field] = wrong();
      return http('wrong-types', `pull with ${field}=${JSON.stringify(variables[field])}`, operation(pullQuery(c), variables), headers);
    }
    case 1: {
      const rows = rng.pick([wrong(), [wrong()], [{ newDocumentState: wrong() }], [{ assumedMasterState: wrong(), newDocumentState: validDocument(rng, c, t.attackerWorkspaceId) }]]);
      return http('wrong-types', `push rows ${JSON.stringify(rows).slice(0, 60)}`, pushBody(c, t.attackerWorkspaceId, rows), headers);
    }
    case 2: {
      const [email, password] = [rng.chance(0.5) ? wrong() : 'x@example.org', rng.chance(0.5) ? wrong() : 'long enough password'];
      const mutation = rng.pick(['signIn', 'signUp']);
      return http('wrong-types', `${mutation} with wrong types`, operation(`mutation($e: String!, $p: String!) { ${mutation}(email: $e, password: $p) { accessToken } }`, { e: email, p: password }), headers);
    }
    case 3: {
      const literal = rng.pick(['"ten"', '10.5', '99999999999', 'null', '[1]', '{a: 1}', 'true', 'ENUM_VALUE', '$undeclared']);
      return http('wrong-types', `pull with limit literal ${literal}`,
        operation(`{ pull${c.plural}(workspaceId: "${t.attackerWorkspaceId}", limit: ${literal}) { checkpoint { seq } } }`), headers);
    }
    case 4: {
      const variables = { w: wrong(), c: wrong(), i: wrong() };
      return http('wrong-types', `history with ${JSON.stringify(variables).slice(0, 60)}`,
        operation('query($w: ID!, $c: CollectionName!, $i: ID!) { history(workspaceId: $w, collection: $c, id: $i) { revision } }', variables), headers);
    }
    default: {
      const variables = { w: rng.chance(0.5) ? t.attackerWorkspaceId : wrong(), f: wrong(), first: wrong(), after: wrong() };
      return http('wrong-types', `tasks page with ${JSON.stringify(variables).slice(0, 60)}`,
        operation('query($w: ID!, $f: TaskFilter, $first: Int, $after: String) { tasks(workspaceId: $w, filter: $f, first: $first, after: $after) { nodes { id } } }', variables), headers);
    }
  }
};

const hugeDocument = (rng: Prng, t: FuzzTargets): FuzzCase => {
  const headers = authHeaders(rng, t);
  const c = COLLECTIONS[1]!;
  const variant = rng.int(0, 6);
  switch (variant) {
    case 0: {
      // Just under the body limit: the server has to read and parse it all.
      const doc = validDocument(rng, c, t.attackerWorkspaceId);
      const envelope = pushBody(c, t.attackerWorkspaceId, [{ assumedMasterState: null, newDocumentState: { ...doc, notes: '' } }]);
      const notes = 'n'.repeat(MAX_BODY_BYTES - envelope.length - rng.int(0, 50_000));
      return http('huge-document', `notes of ${notes.length} characters, just under the limit`, pushBody(c, t.attackerWorkspaceId, [{ assumedMasterState: null, newDocumentState: { ...doc, notes } }]), headers);
    }
    case 1: {
      const size = MAX_BODY_BYTES + rng.int(1, 200_000);
      return http('huge-document', `body of ${size} bytes, over the limit`, operation('{ me { id } }', { pad: 'x'.repeat(size) }), headers);
    }
    case 2: {
      const field = rng.pick(['title', 'notes', 'listId', 'id', 'workspaceId', 'status', 'createdAt', 'dueAt', 'updatedAt']);
      const length = rng.int(1_000, 1_500_000);
      const doc = { ...validDocument(rng, c, t.attackerWorkspaceId), [field]: 'z'.repeat(length) };
      return http('huge-document', `${field} of ${length} characters`, pushBody(c, t.attackerWorkspaceId, [{ assumedMasterState: null, newDocumentState: doc }]), headers);
    }
    case 3: {
      const count = rng.int(1_000, 8_000);
      const rows = Array.from({ length: count }, () => ({ assumedMasterState: null, newDocumentState: { ...validDocument(rng, c, t.attackerWorkspaceId), title: '' } }));
      return http('huge-document', `${count} invalid rows in one push`, pushBody(c, t.attackerWorkspaceId, rows), headers);
    }
    case 4: {
      const length = rng.int(1_000, 2_000_000);
      const what = rng.pick(['workspaceId', 'checkpoint.id', 'operationName', 'email']);
      const big = 'w'.repeat(length);
      if (what === 'workspaceId') return http('huge-document', `workspaceId of ${length} characters`, pullBody(collection(rng), big), headers);
      if (what === 'checkpoint.id') return http('huge-document', `checkpoint id of ${length} characters`, pullBody(collection(rng), t.attackerWorkspaceId, { seq: 1, id: big }), headers);
      if (what === 'email') return http('huge-document', `email of ${length} characters`, operation('mutation($e: String!) { signIn(email: $e, password: "long enough password") { accessToken } }', { e: `${big}@example.org` }), headers);
      return http('huge-document', `operationName of ${length} characters`, operation('{ me { id } }', {}, { operationName: big }), headers);
    }
    case 5: {
      const length = rng.int(100, 20_000);
      return http('huge-document', `Idempotency-Key of ${length} characters`, pushBody(c, t.attackerWorkspaceId, []), { ...headers, [WRITE_ID_HEADER]: 'k'.repeat(length) });
    }
    default: {
      const length = rng.int(10_000, 1_000_000);
      return http('huge-document', `a string literal of ${length} characters in the document`,
        operation(`{ task(id: "${'i'.repeat(length)}") { id } }`), headers);
    }
  }
};

const deepDocument = (rng: Prng, t: FuzzTargets): FuzzCase => {
  const headers = authHeaders(rng, t);
  const variant = rng.int(0, 6);
  switch (variant) {
    case 0: {
      const depth = rng.int(9, 400);
      const query = `{ ${'__schema { types { fields { type { ofType { '.repeat(Math.ceil(depth / 5))}name${' } } } } }'.repeat(Math.ceil(depth / 5))} }`;
      return http('deep-document', `selection nested ${depth} deep`, operation(query), headers);
    }
    case 1: {
      const count = rng.int(6, 400);
      const aliases = Array.from({ length: count }, (_, i) => `a${i}: me { id }`).join(' ');
      return http('deep-document', `${count} aliases`, operation(`{ ${aliases} }`), headers);
    }
    case 2: {
      const size = rng.int(2, 6);
      const names = Array.from({ length: size }, (_, i) => `F${i}`);
      const fragments = names.map((name, i) => `fragment ${name} on Query { me { id } ...${names[(i + 1) % size]} }`).join(' ');
      return http('deep-document', `fragment cycle of ${size}`, operation(`{ ...F0 } ${fragments}`), headers);
    }
    case 3: {
      const depth = rng.int(5, 60);
      const fragments = Array.from({ length: depth }, (_, i) => `fragment G${i} on Query { __typename ${i + 1 < depth ? `...G${i + 1}` : ''} }`).join(' ');
      return http('deep-document', `fragment chain ${depth} long`, operation(`{ ...G0 } ${fragments}`), headers);
    }
    case 4: {
      const count = rng.int(11, 300);
      return http('deep-document', `${count} directives`, operation(`{ me ${'@skip(if: false) '.repeat(count)}{ id } }`), headers);
    }
    case 5: {
      const depth = rng.int(10, 5_000);
      // Written as text: JSON.stringify itself overflows the stack on such values.
      const arrays = Array.from({ length: depth }, () => rng.chance(0.5));
      const value = `${arrays.map((a) => (a ? '[' : '{"a":')).join('')}"leaf"${arrays.reverse().map((a) => (a ? ']' : '}')).join('')}`;
      const c = collection(rng);
      return http('deep-document', `input value nested ${depth} deep`,
        `{"query": ${JSON.stringify(pushMutation(c))}, "variables": {"workspaceId": "${t.attackerWorkspaceId}", "rows": ${value}}}`, headers);
    }
    default: {
      const count = rng.int(2, 200);
      const operations = Array.from({ length: count }, (_, i) => `query Q${i} { me { id } }`).join(' ');
      return http('deep-document', `${count} operations, no operationName`, operation(operations, {}, rng.chance(0.5) ? { operationName: `Q${rng.int(0, count * 2)}` } : {}), headers);
    }
  }
};

const forgedIds = (rng: Prng, t: FuzzTargets): FuzzCase => {
  const headers = authHeaders(rng, t);
  const c = collection(rng);
  const victim = t.victimWorkspaceId;
  const nastyWorkspace = () => rng.pick([victim, victim, rng.pick(NASTY_STRINGS), uuidLike(rng), victim.toUpperCase(), ` ${victim}`]);
  const variant = rng.int(0, 8);
  switch (variant) {
    case 0:
      return http('forged-ids', 'pull another workspace', pullBody(c, nastyWorkspace()), headers);
    case 1: {
      const doc = validDocument(rng, c, victim, rng.chance(0.5) ? rng.pick(t.victimIds[c.name]) : uuidLike(rng));
      return http('forged-ids', 'push into another workspace', pushBody(c, nastyWorkspace(), [{ assumedMasterState: null, newDocumentState: { ...doc, revision: rng.int(1, 50) } }]), headers);
    }
    case 2: {
      // Own workspace in the push, the victim's ids or workspace in the rows.
      const id = rng.pick(t.victimIds[c.name]);
      const doc = validDocument(rng, c, rng.chance(0.5) ? victim : t.attackerWorkspaceId, id);
      const assumed = rng.chance(0.5) ? { ...doc, revision: rng.int(1, 3) } : null;
      return http('forged-ids', 'own workspace, victim document id', pushBody(c, t.attackerWorkspaceId, [{ assumedMasterState: assumed, newDocumentState: { ...doc, revision: rng.int(1, 5) } }]), headers);
    }
    case 3: {
      const id = rng.pick(NASTY_STRINGS);
      const doc = { ...validDocument(rng, c, t.attackerWorkspaceId, id), ...(c.name === 'tasks' ? { listId: rng.pick(NASTY_STRINGS), title: rng.pick(NASTY_STRINGS) } : {}) };
      return http('forged-ids', `hostile id ${JSON.stringify(id).slice(0, 30)}`, pushBody(c, t.attackerWorkspaceId, [{ assumedMasterState: null, newDocumentState: doc }]), headers);
    }
    case 4: {
      const field = rng.pick(['syncDigest(workspaceId: $w) { collection }', 'members(workspaceId: $w) { email }',
        `history(workspaceId: $w, collection: ${c.name}, id: "${rng.pick(t.victimIds[c.name])}") { revision }`]);
      return http('forged-ids', `read another workspace: ${field.split('(')[0]}`, operation(`query($w: ID!) { ${field} }`, { w: nastyWorkspace() }), headers);
    }
    case 5: {
      const mutation = rng.pick([
        'renameWorkspace(workspaceId: $w, name: "pwned") { id }', 'createJoinCode(workspaceId: $w, role: member)',
        `removeMember(workspaceId: $w, userId: "${uuidLike(rng)}")`, `setMemberRole(workspaceId: $w, userId: "${uuidLike(rng)}", role: owner)`,
        'createAccessToken(workspaceId: $w, name: "x", readOnly: false) { token }']);
      return http('forged-ids', `manage another workspace: ${mutation.split('(')[0]}`, operation(`mutation($w: ID!) { ${mutation} }`, { w: nastyWorkspace() }), headers);
    }
    case 6: {
      const id = rng.pick(t.victimIds[c.name]);
      const noun = c.typeName;
      const query = rng.pick([
        `query($i: ID!) { ${noun.toLowerCase()}(id: $i) { id } }`,
        `mutation($i: ID!) { update${noun}(id: $i, expectedRevision: 1, patch: {}) { __typename } }`,
        `mutation($i: ID!) { delete${noun}(id: $i, expectedRevision: ${rng.int(1, 3)}) { __typename } }`]);
      return http('forged-ids', `public API on a victim ${noun.toLowerCase()}`, operation(query, { i: id }), headers);
    }
    case 7: {
      const code = rng.pick([rng.string(rng.int(1, 40)), rng.pick(NASTY_STRINGS), uuidLike(rng)]);
      return http('forged-ids', 'join with a guessed code', operation('mutation($c: String!) { joinWorkspace(code: $c) { id } }', { c: code }), headers);
    }
    default:
      return http('forged-ids', 'history of a victim id in own workspace',
        operation('query($w: ID!, $i: ID!) { history(workspaceId: $w, collection: tasks, id: $i) { revision } }', { w: t.attackerWorkspaceId, i: anyId(rng, t, 'tasks') }), headers);
  }
};

const checkpoints = (rng: Prng, t: FuzzTargets): FuzzCase => {
  const headers = authHeaders(rng, t);
  const c = collection(rng);
  const checkpoint = rng.pick<() => unknown>([
    () => ({ seq: -rng.int(1, 1_000_000), id: '' }),
    () => ({ seq: t.victimSeq + rng.int(1, 1_000_000_000), id: uuidLike(rng) }),
    () => ({ seq: rng.pick([2 ** 53, 2 ** 53 + 2, 1e300, -0, 2 ** 63, 1.5, 0.0001]), id: '' }),
    () => ({ seq: rng.pick(['5', 'NaN', 'Infinity', null, true, [], {}]), id: '' }),
    () => ({ seq: 1, id: rng.pick([5, null, true, [], {}, { $ne: null }]) }),
    () => ({ seq: t.victimSeq, id: rng.pick(t.victimIds[c.name]) }),
    () => ({ seq: rng.int(0, 50), id: rng.pick(NASTY_STRINGS) }),
    () => ({ seq: 1 }),
    () => ({ id: 'x' }),
    () => ({ seq: 1, id: 'x', extra: 1 }),
    () => rng.pick(['{"seq":1}', 7, [], true]),
  ])();
  const limit = rng.chance(0.7) ? rng.int(1, 50) : rng.pick<unknown>([0, -1, 1001, 2 ** 31 - 1, 1.5, null]);
  const workspaceId = rng.chance(0.8) ? t.attackerWorkspaceId : t.victimWorkspaceId;
  if (rng.chance(0.2)) {
    const bucket = rng.pick(['00', 'zz', '-', '', 'ÿÿ', "'", '0'.repeat(300), null]);
    return http('checkpoints', `bucket pull ${JSON.stringify(bucket)} from ${JSON.stringify(checkpoint)}`.slice(0, 120),
      operation(`query($w: ID!, $c: CheckpointInput, $l: Int!, $b: String) { pull${c.plural}(workspaceId: $w, checkpoint: $c, limit: $l, bucket: $b) { checkpoint { seq id } remaining } }`,
        { w: workspaceId, c: checkpoint, l: limit, b: bucket }), headers);
  }
  const withRemaining = rng.chance(0.5);
  return http('checkpoints', `pull from ${JSON.stringify(checkpoint)} limit ${JSON.stringify(limit)}`.slice(0, 120),
    operation(pullQuery(c, withRemaining), { workspaceId, checkpoint, limit }), headers);
};

/**
 * A push row built from a valid one with random damage. Most damage keeps the GraphQL
 * types (so the row reaches the store's rules); `typeDamage` also breaks types and
 * required fields, which GraphQL refuses for the whole push.
 */
function randomRow(rng: Prng, t: FuzzTargets, c: CollectionDefinition, typeDamage: boolean): Record<string, unknown> {
  const existing = rng.chance(0.5) && t.attackerIds[c.name].length > 0 ? rng.pick(t.attackerIds[c.name]) : undefined;
  let doc: Record<string, unknown> = validDocument(rng, c, t.attackerWorkspaceId, existing);
  if (typeDamage && rng.chance(0.5)) doc = Object.fromEntries(rng.subset(Object.entries(doc)));
  if (typeDamage) for (const field of Object.keys(doc)) if (rng.chance(0.1)) doc[field] = rng.pick(WRONG_VALUES);
  for (const field of Object.keys(doc)) {
    if (typeof doc[field] === 'string' && rng.chance(0.08)) doc[field] = rng.pick([...NASTY_STRINGS.filter((n) => !/\u0000|[\ud800-\udfff]/.test(n)), 'x'.repeat(rng.int(60, 30_000))]);
  }
  if (rng.chance(0.15)) doc['deleted'] = !doc['deleted'];
  if (rng.chance(0.4)) doc['revision'] = rng.pick([0, -1, -(2 ** 31), 2 ** 31 - 1, 2_000_000_001, rng.int(1, 10)]);
  if (typeDamage && rng.chance(0.2)) doc[rng.pick(['extra', '__proto__', 'constructor', 'updatedAt', 'updatedBy'])] = rng.pick(WRONG_VALUES);
  const assumed = existing && rng.chance(0.5)
    ? { ...validDocument(rng, c, t.attackerWorkspaceId, rng.chance(0.8) ? existing : uuidLike(rng)), revision: rng.int(1, 4) }
    : null;
  return { assumedMasterState: assumed, newDocumentState: doc };
}

const pushRows = (rng: Prng, t: FuzzTargets): FuzzCase => {
  const headers = authHeaders(rng, t);
  const c = collection(rng);
  const typeDamage = rng.chance(0.25);
  const rows = Array.from({ length: rng.int(1, 8) }, () => randomRow(rng, t, c, typeDamage));
  if (rng.chance(0.3)) rows.push(...rows.slice(0, rng.int(1, rows.length)));
  const writeId = rng.pick([undefined, undefined, `fuzz-${rng.int(0, 20)}`, rng.string(rng.int(0, 12)), rng.pick(NASTY_STRINGS)]);
  // Header values travel as bytes: send a non-Latin-1 key as its raw UTF-8 bytes.
  // (control characters cannot be sent at all).
  const withKey = writeId === undefined ? headers : { ...headers, [WRITE_ID_HEADER]: Buffer.from(writeId.replace(/[\u0000-\u001f]/g, '?')).toString('latin1') };
  return http('push-rows', `${rows.length} random ${c.name} rows${writeId === undefined ? '' : ` key ${JSON.stringify(writeId)}`}`, pushBody(c, t.attackerWorkspaceId, rows), withKey);
};

const publicApi = (rng: Prng, t: FuzzTargets): FuzzCase => {
  const headers = authHeaders(rng, t);
  const c = collection(rng);
  const noun = c.typeName;
  const patchValue = () => rng.pick<unknown>([...WRONG_VALUES, ...NASTY_STRINGS, 'todo', 'high', '2026-02-30', '2026-01-01', uuidLike(rng), rng.string(rng.int(0, 600))]);
  const fields = Object.keys(c.schema.properties).filter((f) => !['id', 'workspaceId', 'revision', 'updatedAt', 'updatedBy', 'createdAt'].includes(f));
  const patch = Object.fromEntries(rng.subset([...fields, 'deleted', 'revision', 'bogus']).map((f) => [f, patchValue()]));
  const clientMutationId = rng.pick<unknown>([undefined, `cm-${rng.int(0, 10)}`, '', 'x'.repeat(rng.int(150, 400)), rng.pick(NASTY_STRINGS)]);
  const expectedRevision = rng.pick<unknown>([1, 2, rng.int(1, 5), 0, -1, 2 ** 31 - 1, 2 ** 31, 1.5, '1', null]);
  const variant = rng.int(0, 3);
  switch (variant) {
    case 0: {
      const id = anyId(rng, t, c.name);
      return http('public-api', `update${noun} with ${Object.keys(patch).join(',') || 'no fields'}`,
        operation(`mutation($i: ID!, $r: Int!, $p: ${noun}Patch!, $m: ID) { update${noun}(id: $i, expectedRevision: $r, patch: $p, clientMutationId: $m) { __typename ... on RuleViolation { code } } }`,
          { i: id, r: expectedRevision, p: patch, m: clientMutationId }), headers);
    }
    case 1: {
      const input = { ...patch, ...(rng.chance(0.3) ? { id: anyId(rng, t, c.name) } : {}) };
      const workspaceId = rng.pick([t.attackerWorkspaceId, t.attackerWorkspaceId, t.victimWorkspaceId, rng.pick(NASTY_STRINGS)]);
      return http('public-api', `create${noun} with ${Object.keys(input).join(',') || 'no fields'}`,
        operation(`mutation($w: ID!, $in: ${noun}CreateInput!, $m: ID) { create${noun}(workspaceId: $w, input: $in, clientMutationId: $m) { __typename ... on RuleViolation { code } } }`,
          { w: workspaceId, in: input, m: clientMutationId }), headers);
    }
    case 2:
      return http('public-api', `delete${noun} at ${JSON.stringify(expectedRevision)}`,
        operation(`mutation($i: ID!, $r: Int!, $m: ID) { delete${noun}(id: $i, expectedRevision: $r, clientMutationId: $m) { __typename } }`,
          { i: anyId(rng, t, c.name), r: expectedRevision, m: clientMutationId }), headers);
    default: {
      const after = rng.pick<unknown>([null, rng.string(rng.int(1, 60)), Buffer.from(JSON.stringify({ id: rng.pick(WRONG_VALUES) })).toString('base64url'),
        Buffer.from(JSON.stringify({ id: rng.pick(NASTY_STRINGS) })).toString('base64url'), Buffer.from('{"id":').toString('base64url')]);
      const filter = Object.fromEntries(rng.subset(['text', 'includeDeleted', 'updatedSince', ...(c.name === 'tasks' ? ['status', 'priority', 'listId'] : [])]).map((f) => [f, patchValue()]));
      return http('public-api', `${c.name} page filter ${Object.keys(filter).join(',')}`,
        operation(`query($w: ID!, $f: ${noun}Filter, $n: Int, $a: String) { ${c.name}(workspaceId: $w, filter: $f, first: $n, after: $a) { nodes { id } pageInfo { endCursor } } }`,
          { w: rng.chance(0.8) ? t.attackerWorkspaceId : t.victimWorkspaceId, f: filter, n: rng.pick([1, 10, 500, 501, 0, -5, null]), a: after }), headers);
    }
  }
};

function ws(label: string, frames: WsFrame[], protocol: string | undefined = GRAPHQL_WS): WsFuzzCase {
  return { kind: 'ws', category: 'websocket', label, protocol, frames };
}

const websocket = (rng: Prng, t: FuzzTargets): FuzzCase => {
  const init = JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${t.attackerToken}` } });
  const c = collection(rng);
  const subscribe = (id: unknown, workspaceId: unknown, query = streamSubscription(c)) =>
    JSON.stringify({ id, type: 'subscribe', payload: { query, variables: { workspaceId } } });
  const variant = rng.int(0, 9);
  switch (variant) {
    case 0:
      return ws('non-JSON text frame', [rng.chance(0.5) ? init : rng.string(3), rng.string(rng.int(1, 200))]);
    case 1:
      return ws('binary frame', [...(rng.chance(0.5) ? [init] : []), rng.bytes(rng.int(1, 2_000))]);
    case 2: {
      const message = rng.pick<unknown>([{ type: 'hello' }, { type: 'start', id: '1', payload: {} }, { type: 42 }, {}, [], null, 'connection_init', { type: 'connection_ack' }, { type: 'next', id: '1', payload: {} }]);
      return ws(`unknown message ${JSON.stringify(message)}`, [init, JSON.stringify(message)]);
    }
    case 3:
      return ws('subscribe before connection_init', [subscribe('1', t.victimWorkspaceId)]);
    case 4: {
      const payload = rng.pick<unknown>([null, 'x', [], { authorization: 'Bearer nope' }, { authorization: 5 }, { authorization: `Bearer ${t.attackerToken}x` }, {}]);
      return ws(`connection_init with payload ${JSON.stringify(payload).slice(0, 40)}`, [JSON.stringify({ type: 'connection_init', payload }), subscribe('1', t.attackerWorkspaceId)]);
    }
    case 5:
      return ws('connection_init twice', [init, init]);
    case 6: {
      const size = rng.int(MAX_BODY_BYTES, MAX_BODY_BYTES * 2);
      return ws(`frame of ${size} bytes`, [init, subscribe('1', t.attackerWorkspaceId, `subscription { ${'x'.repeat(size)} }`)]);
    }
    case 7:
      return ws('subscribe to another workspace', [init, subscribe(rng.string(4), rng.pick([t.victimWorkspaceId, rng.pick(NASTY_STRINGS), uuidLike(rng)]))]);
    case 8: {
      const frame = rng.pick([
        subscribe(rng.pick<unknown>([null, 5, {}, '']), t.victimWorkspaceId),
        subscribe('q', t.attackerWorkspaceId, rng.pick(['subscription {', '{ me { id } ', `subscription { stream${c.plural}(workspaceId: 5) { checkpoint { seq } } }`, 'subscription { nope }'])),
        JSON.stringify({ id: '1', type: 'subscribe', payload: rng.pick<unknown>([null, 'x', [], { query: 5 }, { query: streamSubscription(c), variables: 'x' }]) }),
      ]);
      return ws('malformed subscribe', [init, frame]);
    }
    default:
      return ws('wrong or no subprotocol', [init, subscribe('1', t.victimWorkspaceId)], rng.pick([undefined, 'graphql-ws', 'graphql', 'x', 'graphql-transport-ws-v2']));
  }
};

const GENERATORS: Record<FuzzCategory, (rng: Prng, targets: FuzzTargets) => FuzzCase> = {
  'malformed-json': malformedJson,
  'wrong-types': wrongTypes,
  'huge-document': hugeDocument,
  'deep-document': deepDocument,
  'forged-ids': forgedIds,
  checkpoints,
  'push-rows': pushRows,
  'public-api': publicApi,
  websocket,
};

/**
 * `perCategory` cases of every category, category after category, each category drawn
 * from its own stream of `seed`: changing the count leaves each category's first cases as
 * they were. Lazy, so a long run never holds its megabyte-sized cases all at once.
 */
export function* generateCases(seed: number, targets: FuzzTargets, perCategory: number): Generator<FuzzCase> {
  for (const [index, category] of FUZZ_CATEGORIES.entries()) {
    const rng = createPrng(deriveSeed(seed, index));
    for (let i = 0; i < perCategory; i++) yield GENERATORS[category](rng, targets);
  }
}
