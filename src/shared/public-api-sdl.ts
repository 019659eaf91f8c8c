/**
 * The public API beside replication: plain list/filter queries with cursor pagination,
 * create/update/delete mutations with union results, and personal access tokens.
 * Generated from `collections.ts` like the replication operations, so every collection
 * (lists, tasks, and any added later) gets the same operations and filters.
 *
 * It extends `Query` and `Mutation` (`extend type`), so `graphql-sdl.ts` only appends it.
 * `docs/api.md` documents it for integrators.
 */
import { COLLECTIONS, type CollectionDefinition } from './collections';

interface PropertySchema {
  readonly type: string | readonly string[];
  readonly enum?: readonly string[];
  readonly minLength?: number;
}

/** Fields a client never sets through the public API: bookkeeping and creation time. */
const NOT_WRITABLE = new Set(['id', 'workspaceId', 'revision', 'updatedAt', 'updatedBy', 'createdAt']);

function propsOf(collection: CollectionDefinition): [string, PropertySchema][] {
  return Object.entries(collection.schema.properties as Record<string, PropertySchema>);
}

function baseType(prop: PropertySchema): string {
  return (typeof prop.type === 'string' ? [prop.type] : prop.type).find((t) => t !== 'null') ?? 'string';
}

function scalar(field: string, prop: PropertySchema): string {
  if (field.endsWith('Id')) return 'ID';
  switch (baseType(prop)) {
    case 'integer': return 'Int';
    case 'number': return 'Float';
    case 'boolean': return 'Boolean';
    default: return 'String';
  }
}

/** Content fields a client writes: everything but bookkeeping. */
export function writableFields(collection: CollectionDefinition): [string, PropertySchema][] {
  return propsOf(collection).filter(([field]) => !NOT_WRITABLE.has(field));
}

/**
 * Fields a create must name: references (`…Id`, not nullable) and non-empty strings.
 * Every other writable field has a default (see `defaultValue`).
 */
export function isRequiredOnCreate(field: string, prop: PropertySchema): boolean {
  const nullable = typeof prop.type !== 'string' && prop.type.includes('null');
  if (nullable || prop.enum) return false;
  return field.endsWith('Id') || (baseType(prop) === 'string' && (prop.minLength ?? 0) > 0);
}

/** The value a create stores for a field it does not name. */
export function defaultValue(prop: PropertySchema): unknown {
  if (typeof prop.type !== 'string' && prop.type.includes('null')) return null;
  if (prop.enum) return prop.enum[0];
  switch (baseType(prop)) {
    case 'boolean': return false;
    case 'integer': case 'number': return 0;
    default: return '';
  }
}

/** Fields a list can be filtered on by equality: references, enums and flags. */
export function equalityFilterFields(collection: CollectionDefinition): [string, PropertySchema][] {
  return writableFields(collection).filter(([field, prop]) => field.endsWith('Id') || prop.enum || baseType(prop) === 'boolean');
}

/** Free-text fields searched by the `text` filter. */
export function textFields(collection: CollectionDefinition): string[] {
  return writableFields(collection)
    .filter(([field, prop]) => baseType(prop) === 'string' && !field.endsWith('Id') && !prop.enum && !('pattern' in prop))
    .map(([field]) => field);
}

/** Operation names of one collection, e.g. `tasks`, `task`, `createTask`, `updateTask`, `deleteTask`. */
export function publicOperationNames(c: CollectionDefinition): { list: string; get: string; create: string; update: string; delete: string } {
  const t = c.typeName;
  return { list: c.name, get: t[0]!.toLowerCase() + t.slice(1), create: `create${t}`, update: `update${t}`, delete: `delete${t}` };
}

function collectionSdl(c: CollectionDefinition): string {
  const t = c.typeName;
  const fields = writableFields(c);
  const filters = equalityFilterFields(c).map(([f, p]) => `  ${f}: ${scalar(f, p)}`);
  const text = textFields(c);
  return [
    `"Filters of \`${c.name}\`; all given filters must match."\ninput ${t}Filter {\n${filters.join('\n')}\n` +
      (text.length > 0 ? `  "Case-insensitive substring of ${text.join(' or ')}."\n  text: String\n` : '') +
      `  "Also return deleted ones (tombstones). Default false."\n  includeDeleted: Boolean\n` +
      `  "Only those changed at or after this ISO 8601 instant."\n  updatedSince: String\n}`,
    `input ${t}CreateInput {\n  "Optional client-chosen id (UUID recommended); the server makes a UUID v7 otherwise."\n  id: ID\n` +
      fields.map(([f, p]) => `  ${f}: ${scalar(f, p)}${isRequiredOnCreate(f, p) ? '!' : ''}`).join('\n') + '\n}',
    `"Fields to change; absent fields keep their value."\ninput ${t}Patch {\n` +
      fields.map(([f, p]) => `  ${f}: ${scalar(f, p)}`).join('\n') + '\n}',
    `"One page of ${c.name}, ordered by id (UUID v7 ids sort by creation time)."\ntype ${t}Connection {\n  nodes: [${t}!]!\n  pageInfo: PageInfo!\n}`,
    `"The outcome of a write to a ${t.toLowerCase()}: the stored ${t.toLowerCase()}, a revision conflict, or a rule violation."\n` +
      `union ${t}Result = ${t} | RevisionConflict | RuleViolation`,
  ].join('\n\n');
}

const common = `"Any replicated document."
union Document = ${COLLECTIONS.map((c) => c.typeName).join(' | ')}

type PageInfo {
  "Pass as \`after\` to get the next page; null when the page is empty."
  endCursor: String
  hasNextPage: Boolean!
}

"The write assumed a revision that is not the server's current one: nothing was written. \`current\` is the server's document; re-apply the change to it and retry with its revision."
type RevisionConflict {
  message: String!
  current: Document!
}

"The server refused the write under its rules (same rules and codes as replication pushes): nothing was written."
type RuleViolation {
  code: RejectionCode!
  message: String!
  fields: [FieldError!]!
}

"A personal access token, for integrations: scoped to one workspace, read-only or read-write."
type AccessToken {
  id: ID!
  name: String!
  workspaceId: ID!
  readOnly: Boolean!
  createdAt: String!
  "Null: never expires."
  expiresAt: String
  lastUsedAt: String
  revokedAt: String
}

type CreatedAccessToken {
  "The secret (\`fbp_…\`), shown only in this answer: the server keeps only its hash."
  token: String!
  accessToken: AccessToken!
}`;

export function publicApiSdl(): string {
  const queries: string[] = [];
  const mutations: string[] = [];
  const idempotency = `"Idempotency key: a retry with the same key (same caller) returns the first answer without writing again."`;
  for (const c of COLLECTIONS) {
    const t = c.typeName;
    const op = publicOperationNames(c);
    queries.push(
      `  "The ${c.name} of a workspace, filtered, one page at a time (\`first\`: 1 to 500, default 100)."\n` +
        `  ${op.list}(workspaceId: ID!, filter: ${t}Filter, first: Int = 100, after: String): ${t}Connection!`,
      `  "One ${t.toLowerCase()} by id (deleted ones too), or null."\n  ${op.get}(id: ID!): ${t}`,
    );
    mutations.push(
      `  create${t}(\n    workspaceId: ID!\n    input: ${t}CreateInput!\n    ${idempotency}\n    clientMutationId: ID\n  ): ${t}Result!`,
      `  "Applies \`patch\` if the ${t.toLowerCase()} is still at \`expectedRevision\`; the stored revision becomes expectedRevision + 1."\n` +
        `  update${t}(id: ID!, expectedRevision: Int!, patch: ${t}Patch!, clientMutationId: ID): ${t}Result!`,
      `  "Deletes (tombstones) the ${t.toLowerCase()} if it is still at \`expectedRevision\`."\n` +
        `  delete${t}(id: ID!, expectedRevision: Int!, clientMutationId: ID): ${t}Result!`,
    );
  }
  return [
    common,
    ...COLLECTIONS.map(collectionSdl),
    `extend type Query {\n${queries.join('\n')}\n  "The caller's personal access tokens, revoked ones included."\n  accessTokens: [AccessToken!]!\n}`,
    `extend type Mutation {\n${mutations.join('\n')}\n` +
      `  "A personal access token for one workspace the caller is a member of. Needs a sign-in token. \`expiresAt\`: ISO 8601, optional."\n` +
      `  createAccessToken(workspaceId: ID!, name: String!, readOnly: Boolean!, expiresAt: String): CreatedAccessToken!\n` +
      `  "Revokes one of the caller's tokens; it stops working at once."\n  revokeAccessToken(id: ID!): Boolean!\n}`,
  ].join('\n\n');
}
