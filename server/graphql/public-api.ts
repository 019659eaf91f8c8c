/**
 * Resolvers of the public API (SDL: `src/shared/public-api-sdl.ts`; guide: `docs/api.md`):
 * plain queries and writes for clients that do not replicate, plus personal access tokens.
 *
 * Every write becomes one push row through `Store.push`, the path the app's pushes take,
 * so the same revision contract and rules decide it (`store/push-decision.ts`) and the
 * same typed rejection codes come back, here as a `RuleViolation`. An accepted write is
 * announced on the change feed, so replicating app clients receive it live.
 *
 * Access: the caller is a signed-in user or a personal access token acting for one. Reads
 * need membership of the workspace; writes need the role member or owner and, with a
 * token, a read-write token of that workspace. A refused write is data (`RuleViolation`
 * FORBIDDEN / NOT_A_MEMBER); a refused read is an error (FORBIDDEN).
 */
import { createGraphQLError } from 'graphql-yoga';
import { COLLECTIONS, type CollectionDefinition } from '../../src/shared/collections';
import {
  defaultValue, equalityFilterFields, publicOperationNames, textFields, writableFields,
} from '../../src/shared/public-api-sdl';
import { uuidv7 } from '../../src/shared/uuid';
import type { FieldError } from '../../src/shared/validate';
import type { AccessTokenRecord } from '../store/public-api-store';
import type { PushResult, WireDocument } from '../store/store';
import type { GraphQLContext } from './context';

export const MAX_PAGE_SIZE = 500;
const MAX_CLIENT_MUTATION_ID = 200;
/** A claimed clientMutationId without an outcome after this long belongs to a request that died. */
const CLAIM_STALE_SECONDS = 60;

type Outcome = Record<string, unknown> & { __typename: string };

function error(code: string, message: string): Error {
  return createGraphQLError(message, { extensions: { code } });
}

function violation(code: string, message: string, fields: readonly FieldError[] = []): Outcome {
  return { __typename: 'RuleViolation', code, message, fields };
}

/** The user behind the request (sign-in token or personal access token). */
function requireCaller(context: GraphQLContext): string {
  if (context.authError) throw error('UNAUTHENTICATED', `Not signed in: ${context.authError}`);
  if (!context.actorId) throw error('UNAUTHENTICATED', 'Send a sign-in token or a personal access token (Authorization: Bearer …)');
  return context.actorId;
}

/** Why the caller may not read the workspace, or undefined when it may. */
async function readRefusal(context: GraphQLContext, userId: string, workspaceId: string): Promise<Outcome | undefined> {
  const scope = context.tokenScope;
  if (scope && scope.workspaceId !== workspaceId) return violation('FORBIDDEN', 'This access token is scoped to another workspace');
  if (!(await context.store.accounts.roleOf(workspaceId, userId))) return violation('NOT_A_MEMBER', 'You are not a member of this workspace');
  return undefined;
}

async function writeRefusal(context: GraphQLContext, userId: string, workspaceId: string): Promise<Outcome | undefined> {
  const refusal = await readRefusal(context, userId, workspaceId);
  if (refusal) return refusal;
  if (context.tokenScope?.readOnly) return violation('FORBIDDEN', 'This access token is read-only');
  const role = await context.store.accounts.roleOf(workspaceId, userId);
  if (role === 'viewer') return violation('FORBIDDEN', 'Viewers cannot change this workspace');
  return undefined;
}

async function assertCanRead(context: GraphQLContext, userId: string, workspaceId: string): Promise<void> {
  const refusal = await readRefusal(context, userId, workspaceId);
  if (refusal) throw error('FORBIDDEN', refusal['message'] as string);
}

/** An opaque cursor: the last id of a page. */
function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const { id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof id === 'string') return id;
  } catch {
    // fall through to the typed error
  }
  throw error('BAD_USER_INPUT', 'after is not a cursor this API returned');
}

function recordOf(collection: CollectionDefinition, document: WireDocument): Outcome {
  return { ...document, __typename: collection.typeName };
}

/** The union answer to one pushed row. */
async function outcomeOf(context: GraphQLContext, collection: CollectionDefinition, workspaceId: string, id: string, result: PushResult): Promise<Outcome> {
  if (result.written > 0) context.feed.announce(workspaceId);
  const rejection = result.rejections[0];
  if (rejection) return violation(rejection.code, rejection.message, rejection.fields);
  const conflict = result.conflicts[0];
  if (conflict) {
    return {
      __typename: 'RevisionConflict',
      message: `The ${collection.typeName.toLowerCase()} is at revision ${conflict.revision}; nothing was written`,
      current: recordOf(collection, conflict),
    };
  }
  const stored = await context.store.publicApi.get(collection.name, id);
  if (!stored) throw new Error(`Accepted ${collection.name} ${id} is not stored`);
  return recordOf(collection, stored);
}

/**
 * Runs a write once per (caller, clientMutationId): a retry gets the first answer back,
 * whatever happened since, and writes nothing. The key is claimed before the write, so
 * a duplicate arriving while the first is still running is told to retry
 * (MUTATION_IN_PROGRESS) instead of writing a second time.
 */
async function once(context: GraphQLContext, userId: string, clientMutationId: string | null | undefined, operation: string, run: () => Promise<Outcome>): Promise<Outcome> {
  if (clientMutationId === null || clientMutationId === undefined) return run();
  if (clientMutationId.length === 0 || clientMutationId.length > MAX_CLIENT_MUTATION_ID) {
    throw error('BAD_USER_INPUT', `clientMutationId must have 1 to ${MAX_CLIENT_MUTATION_ID} characters`);
  }
  const outcomes = context.store.publicApi;
  const claim = await outcomes.claim(userId, clientMutationId, operation, CLAIM_STALE_SECONDS);
  if (claim === 'running') throw error('MUTATION_IN_PROGRESS', 'A request with this clientMutationId is still running; retry in a moment');
  if (claim !== 'claimed') {
    if (claim.operation !== operation) throw error('BAD_USER_INPUT', `clientMutationId was already used for ${claim.operation}`);
    return claim.outcome as Outcome;
  }
  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (failure) {
    await outcomes.release(userId, clientMutationId);
    throw failure;
  }
  await outcomes.saveOutcome(userId, clientMutationId, outcome);
  return outcome;
}

interface ListArgs { workspaceId: string; filter?: Record<string, unknown> | null; first: number; after?: string | null }
interface CreateArgs { workspaceId: string; input: Record<string, unknown>; clientMutationId?: string | null }
interface UpdateArgs { id: string; expectedRevision: number; patch?: Record<string, unknown>; clientMutationId?: string | null }

function resolversOf(collection: CollectionDefinition) {
  const op = publicOperationNames(collection);
  const noun = collection.typeName.toLowerCase();
  const filterFields = equalityFilterFields(collection);
  const searchFields = textFields(collection);

  /** Update or delete: one push row assuming `expectedRevision`. */
  async function change(context: GraphQLContext, operation: string, args: UpdateArgs, deleting: boolean): Promise<Outcome> {
    const userId = requireCaller(context);
    const current = await context.store.publicApi.get(collection.name, args.id);
    // A document the caller cannot read is answered like one that does not exist.
    if (!current || (await readRefusal(context, userId, current.workspaceId))) throw error('NOT_FOUND', `No ${noun} ${args.id}`);
    return once(context, userId, args.clientMutationId, operation, async () => {
      const refusal = await writeRefusal(context, userId, current.workspaceId);
      if (refusal) return refusal;
      // Compare with the revision read here, not only in the push: the new state is built
      // from this read, which is the expected revision's content only if they match.
      if (current.revision !== args.expectedRevision) return outcomeOf(context, collection, current.workspaceId, args.id, { conflicts: [current], rejections: [], refused: [], written: 0 });
      if (current.deleted) return violation('VALIDATION', `The ${noun} is deleted`);
      const patch = Object.fromEntries(Object.entries(args.patch ?? {}).filter(([, v]) => v !== undefined));
      const next = { ...current, ...patch, revision: current.revision + 1, deleted: deleting };
      const result = await context.store.push(collection.name, current.workspaceId, [{ assumedMasterState: current, newDocumentState: next }], userId);
      return outcomeOf(context, collection, current.workspaceId, args.id, result);
    });
  }

  return {
    query: {
      [op.list]: async (_: unknown, args: ListArgs, context: GraphQLContext) => {
        const userId = requireCaller(context);
        if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
          throw error('BAD_USER_INPUT', `first must be an integer from 1 to ${MAX_PAGE_SIZE}`);
        }
        await assertCanRead(context, userId, args.workspaceId);
        const filter = args.filter ?? {};
        const equals: Record<string, string | boolean> = {};
        for (const [field, prop] of filterFields) {
          const value = filter[field];
          // A value outside the enum would match nothing: say so instead.
          if (prop.enum && typeof value === 'string' && !prop.enum.includes(value)) {
            throw error('BAD_USER_INPUT', `filter.${field} must be one of ${prop.enum.join(', ')}`);
          }
          if (typeof value === 'string' || typeof value === 'boolean') equals[field] = value;
        }
        const updatedSince = typeof filter['updatedSince'] === 'string' ? filter['updatedSince'] : undefined;
        if (updatedSince !== undefined && Number.isNaN(Date.parse(updatedSince))) throw error('BAD_USER_INPUT', 'updatedSince must be an ISO 8601 instant');
        const rows = await context.store.publicApi.list(collection.name, args.workspaceId, {
          equals,
          text: typeof filter['text'] === 'string' && filter['text'] !== '' ? filter['text'] : undefined,
          textFields: searchFields,
          includeDeleted: filter['includeDeleted'] === true,
          updatedSince: updatedSince === undefined ? undefined : new Date(updatedSince).toISOString(),
          afterId: args.after ? decodeCursor(args.after) : undefined,
          limit: args.first + 1,
        });
        const nodes = rows.slice(0, args.first);
        const last = nodes.at(-1);
        return { nodes, pageInfo: { endCursor: last ? encodeCursor(last.id) : null, hasNextPage: rows.length > args.first } };
      },
      [op.get]: async (_: unknown, args: { id: string }, context: GraphQLContext) => {
        const userId = requireCaller(context);
        const document = await context.store.publicApi.get(collection.name, args.id);
        if (!document || (await readRefusal(context, userId, document.workspaceId))) return null;
        return document;
      },
    },
    mutation: {
      [op.create]: async (_: unknown, args: CreateArgs, context: GraphQLContext) => {
        const userId = requireCaller(context);
        return once(context, userId, args.clientMutationId, op.create, async () => {
          const refusal = await writeRefusal(context, userId, args.workspaceId);
          if (refusal) return refusal;
          const id = typeof args.input['id'] === 'string' ? args.input['id'] : uuidv7();
          const now = new Date().toISOString();
          const document: Record<string, unknown> = {
            id, workspaceId: args.workspaceId, revision: 1, createdAt: now, updatedAt: now, updatedBy: userId, deleted: false,
          };
          for (const [field, prop] of writableFields(collection)) {
            document[field] = args.input[field] !== undefined ? args.input[field] : defaultValue(prop);
          }
          const result = await context.store.push(collection.name, args.workspaceId, [{ assumedMasterState: null, newDocumentState: document }], userId);
          return outcomeOf(context, collection, args.workspaceId, id, result);
        });
      },
      [op.update]: (_: unknown, args: UpdateArgs, context: GraphQLContext) => change(context, op.update, args, false),
      [op.delete]: (_: unknown, args: UpdateArgs, context: GraphQLContext) => change(context, op.delete, args, true),
    },
  };
}

function tokenView(record: AccessTokenRecord) {
  const { userId: _, ...view } = record;
  return view;
}

/** Managing tokens needs a sign-in token (see `guardPersonalTokens`). */
const tokenResolvers = {
  query: {
    accessTokens: async (_: unknown, __: unknown, context: GraphQLContext) =>
      (await context.accessTokens.list(requireCaller(context))).map(tokenView),
  },
  mutation: {
    createAccessToken: async (_: unknown, args: { workspaceId: string; name: string; readOnly: boolean; expiresAt?: string | null }, context: GraphQLContext) => {
      const created = await context.accessTokens.create(requireCaller(context), args);
      return { token: created.token, accessToken: tokenView(created.accessToken) };
    },
    revokeAccessToken: async (_: unknown, args: { id: string }, context: GraphQLContext) =>
      context.accessTokens.revoke(requireCaller(context), args.id),
  },
};

const byTypename = { __resolveType: (value: { __typename: string }) => value.__typename };

/** Resolvers of the public API, to merge into the schema's. */
export function publicApiResolvers(): { Query: Record<string, unknown>; Mutation: Record<string, unknown>; types: Record<string, unknown> } {
  const Query: Record<string, unknown> = { ...tokenResolvers.query };
  const Mutation: Record<string, unknown> = { ...tokenResolvers.mutation };
  const types: Record<string, unknown> = { Document: byTypename };
  for (const collection of COLLECTIONS) {
    const resolvers = resolversOf(collection);
    Object.assign(Query, resolvers.query);
    Object.assign(Mutation, resolvers.mutation);
    types[`${collection.typeName}Result`] = byTypename;
  }
  return { Query, Mutation, types };
}

/** Fields a personal access token may call: the plain operations and `me`. */
function tokenFields(): Set<string> {
  const fields = new Set(['me']);
  for (const collection of COLLECTIONS) for (const name of Object.values(publicOperationNames(collection))) fields.add(name);
  return fields;
}

/**
 * Wraps every other root field so a personal access token is refused (FORBIDDEN): a
 * token is for the plain API only; replication, accounts and token management need a
 * sign-in token.
 */
export function guardPersonalTokens(rootFields: Record<string, unknown>): void {
  const allowed = tokenFields();
  const refuse = (context: GraphQLContext) => {
    if (context.tokenScope) throw error('FORBIDDEN', 'A personal access token can call only the plain API operations (docs/api.md)');
  };
  for (const [name, resolver] of Object.entries(rootFields)) {
    if (allowed.has(name)) continue;
    if (typeof resolver === 'function') {
      rootFields[name] = (parent: unknown, args: unknown, context: GraphQLContext, info: unknown) => {
        refuse(context);
        return (resolver as (...a: unknown[]) => unknown)(parent, args, context, info);
      };
    } else if (resolver && typeof resolver === 'object' && 'subscribe' in resolver) {
      const field = resolver as { subscribe: (...a: unknown[]) => unknown };
      rootFields[name] = {
        ...field,
        subscribe: (parent: unknown, args: unknown, context: GraphQLContext, info: unknown) => {
          refuse(context);
          return field.subscribe(parent, args, context, info);
        },
      };
    }
  }
}
