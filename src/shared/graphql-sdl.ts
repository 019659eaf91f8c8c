/**
 * The GraphQL contract, generated from the collection schemas (`collections.ts`).
 * The server serves exactly this SDL; the client builds its replication queries from
 * the same field lists. `server/schema.graphql` is this text, exported for other clients.
 */
import { COLLECTIONS, type CollectionDefinition } from './collections';
import { publicApiSdl } from './public-api-sdl';

interface PropertySchema {
  readonly type: string | readonly string[];
}

function scalarOf(prop: PropertySchema, field: string): string {
  if (field === 'id' || field.endsWith('Id')) return 'ID';
  const types = typeof prop.type === 'string' ? [prop.type] : prop.type;
  const base = types.find((t) => t !== 'null');
  switch (base) {
    case 'string': return 'String';
    case 'integer': return 'Int';
    case 'number': return 'Float';
    case 'boolean': return 'Boolean';
    default: throw new Error(`No GraphQL scalar for field ${field} of type ${String(base)}`);
  }
}

function isNullable(prop: PropertySchema): boolean {
  return typeof prop.type !== 'string' && prop.type.includes('null');
}

/** The fields a client selects for a document of this collection, tombstone included. */
export function selectionOf(collection: CollectionDefinition): string {
  return [...Object.keys(collection.schema.properties), 'deleted'].join(' ');
}

function objectType(collection: CollectionDefinition): string {
  const props = collection.schema.properties as Record<string, PropertySchema>;
  const lines = Object.entries(props).map(
    ([field, prop]) => `  ${field}: ${scalarOf(prop, field)}${isNullable(prop) ? '' : '!'}`,
  );
  lines.push('  "Tombstone: true once the document is deleted."\n  deleted: Boolean!');
  return `"${collection.schema.description}"\ntype ${collection.typeName} {\n${lines.join('\n')}\n}`;
}

function inputType(collection: CollectionDefinition): string {
  const props = collection.schema.properties as Record<string, PropertySchema>;
  const lines = Object.entries(props).map(([field, prop]) => {
    // updatedAt/updatedBy are stamped by the server: optional on input.
    const optional = isNullable(prop) || field === 'updatedAt' || field === 'updatedBy';
    return `  ${field}: ${scalarOf(prop, field)}${optional ? '' : '!'}`;
  });
  lines.push('  deleted: Boolean!');
  return `input ${collection.typeName}Input {\n${lines.join('\n')}\n}`;
}

function collectionSdl(c: CollectionDefinition): string {
  const t = c.typeName;
  return [
    objectType(c),
    inputType(c),
    `type ${t}PullBatch {\n  documents: [${t}!]!\n  checkpoint: Checkpoint\n` +
      `  "Documents still to pull after this batch (pull only; 0 on the live stream)."\n  remaining: Int!\n}`,
    `input ${t}PushRow {\n  assumedMasterState: ${t}Input\n  newDocumentState: ${t}Input!\n}`,
    `"Outcome of a push. Rows absent from both lists were accepted."\ntype ${t}PushResult {\n` +
      `  "Rows whose assumed master state is stale: the server's current document."\n  conflicts: [${t}!]!\n` +
      `  "Rows the server refuses under its rules, with the reason."\n  rejections: [Rejection!]!\n` +
      `  "The server's current document of each refused row it has (the record's truth; the refused version stays with the client)."\n  refused: [${t}!]!\n}`,
  ].join('\n\n');
}

const common = `"Position in a workspace's change feed: documents are ordered by (seq, id)."
type Checkpoint {
  seq: Float!
  id: String!
}

input CheckpointInput {
  seq: Float!
  id: String!
}

"Why the server refused a write. Stable codes clients may switch on."
enum RejectionCode {
  VALIDATION
  FORBIDDEN
  NOT_A_MEMBER
  LIST_ARCHIVED
  REVISION_INVALID
}

type FieldError {
  field: String!
  message: String!
}

type DigestBucket {
  "The last characters of the ids in this bucket."
  bucket: String!
  count: Int!
  "SHA-256 (hex) of the bucket's id:revision lines in id order (see src/shared/digest.ts)."
  hash: String!
}

"Digest of a collection's live documents, bucketed by id suffix."
type CollectionDigest {
  collection: String!
  buckets: [DigestBucket!]!
}

type Rejection {
  id: ID!
  code: RejectionCode!
  message: String!
  fields: [FieldError!]!
}

enum CollectionName {
${COLLECTIONS.map((c) => `  ${c.name}`).join('\n')}
}

"A field as one revision changed it. Values are shown as text (strings as they are, other values as JSON); null when absent."
type FieldChange {
  field: String!
  from: String
  to: String
}

"One revision the server accepted: who wrote it, when, and what it changed against the revision before."
type DocumentRevision {
  revision: Int!
  updatedAt: String!
  updatedBy: ID
  updatedByEmail: String
  deleted: Boolean!
  changes: [FieldChange!]!
}`;

const accounts = `type User {
  id: ID!
  email: String!
}

"What a member may do in a workspace: owners manage it, members edit, viewers only read."
enum Role {
  owner
  member
  viewer
}

type Workspace {
  id: ID!
  name: String!
  "The caller's role in it."
  role: Role!
}

type Member {
  userId: ID!
  email: String!
  role: Role!
}

"What an invitation by email did: \`added\`, the person has an account and is now a member; \`invited\`, they join with the role when they sign up."
enum InvitationStatus { added invited }

type Invitation {
  email: String!
  role: Role!
  status: InvitationStatus!
}

"A signed-in session: a short-lived access token (sent in the Authorization header as a Bearer token) and a refresh token that rotates on every use."
type AuthPayload {
  accessToken: String!
  accessTokenExpiresAt: String!
  refreshToken: String!
  user: User!
}`;

const accountQueries = `  "The signed-in user; null without a token, UNAUTHENTICATED with an invalid or expired one."
  me: User
  "Workspaces the caller belongs to."
  myWorkspaces: [Workspace!]!
  members(workspaceId: ID!): [Member!]!
  "Per-collection digests of the workspace's live documents: a client compares them with its copy and re-pulls only the buckets that differ."
  syncDigest(workspaceId: ID!): [CollectionDigest!]!`;

const accountMutations = `  "Creates an account (password: 10 to 200 characters) and signs in."
  signUp(email: String!, password: String!): AuthPayload!
  signIn(email: String!, password: String!): AuthPayload!
  "Exchanges a refresh token for a new pair; each refresh token works once."
  refresh(refreshToken: String!): AuthPayload!
  "Ends the session the refresh token belongs to."
  signOut(refreshToken: String!): Boolean!
  createWorkspace(name: String!): Workspace!
  "Owner only."
  renameWorkspace(workspaceId: ID!, name: String!): Workspace!
  "Owner only. A code for joining as member or viewer, valid 7 days; shown once."
  createJoinCode(workspaceId: ID!, role: Role!): String!
  joinWorkspace(code: String!): Workspace!
  "Owner only. Adds the person with this email at \`role\` (member or viewer), or, without an account yet, when they sign up."
  inviteMember(workspaceId: ID!, email: String!, role: Role!): Invitation!
  "Owner only. A workspace always keeps one owner."
  setMemberRole(workspaceId: ID!, userId: ID!, role: Role!): Boolean!
  "Owner only."
  removeMember(workspaceId: ID!, userId: ID!): Boolean!`;

export function buildSdl(): string {
  const query = COLLECTIONS.map(
    (c) => `  "Documents changed after the checkpoint, oldest first, at most \`limit\`."\n` +
      `  pull${c.plural}(workspaceId: ID!, checkpoint: CheckpointInput, limit: Int!, ` +
      `"Only documents whose id ends with this digest bucket (reconciliation repair)." bucket: String): ${c.typeName}PullBatch!`,
  ).join('\n');
  const mutation = COLLECTIONS.map(
    (c) => `  push${c.plural}(workspaceId: ID!, rows: [${c.typeName}PushRow!]!): ${c.typeName}PushResult!`,
  ).join('\n');
  const subscription = COLLECTIONS.map(
    (c) => `  "Live changes of the workspace, as pull batches."\n  stream${c.plural}(workspaceId: ID!): ${c.typeName}PullBatch!`,
  ).join('\n');
  const history = `  "Every accepted revision of a document, oldest first."\n  history(workspaceId: ID!, collection: CollectionName!, id: ID!): [DocumentRevision!]!`;
  return [
    common,
    accounts,
    ...COLLECTIONS.map(collectionSdl),
    `type Query {\n${accountQueries}\n${query}\n${history}\n}`,
    `type Mutation {\n${accountMutations}\n${mutation}\n}`,
    `type Subscription {\n${subscription}\n}`,
    publicApiSdl(),
  ].join('\n\n') + '\n';
}
