/**
 * The executable GraphQL schema: the SDL generated from the shared collection schemas
 * (`src/shared/graphql-sdl.ts`) plus `pull`, `push` and `stream` resolvers for every
 * collection. Bad input is answered with typed `BAD_USER_INPUT` errors; push refusals
 * are data (`rejections`), not errors.
 */
import { buildSdl } from '../../src/shared/graphql-sdl';
import { COLLECTIONS, collectionByName, type CollectionName } from '../../src/shared/collections';
import { createGraphQLError, createSchema } from 'graphql-yoga';
import type { ChangeBatch } from '../feed';
import { DIGEST_BUCKET_CHARS } from '../../src/shared/digest';
import { CheckpointExpiredError, WriteIdReusedError, type Checkpoint, type PushRow } from '../store/store';
import type { GraphQLContext } from './context';
import type { Role } from '../auth/account-store';
import { guardPersonalTokens, publicApiResolvers } from './public-api';
import { describeHistory } from '../store/history';

export const MAX_PULL_LIMIT = 1000;
/** Most rows one push may carry (the app sends 200, the benchmark seeds 1,000): bounds one request's work. */
export const MAX_PUSH_ROWS = 1000;

function badInput(message: string): Error {
  return createGraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/**
 * The caller's role in `workspaceId`; every replication operation needs one. A workspace
 * that does not exist is refused like one the caller is not a member of, so ids of other
 * teams' workspaces reveal nothing.
 */
export async function requireMember(context: GraphQLContext, workspaceId: string): Promise<Role> {
  if (context.authError) {
    throw createGraphQLError(`Sign in again to sync (${context.authError})`, { extensions: { code: 'UNAUTHENTICATED', reason: context.authError } });
  }
  if (!context.actorId) throw createGraphQLError('Sign in to sync', { extensions: { code: 'UNAUTHENTICATED' } });
  const role = await context.store.accounts.roleOf(workspaceId, context.actorId);
  if (!role) throw createGraphQLError('You are not a member of this workspace', { extensions: { code: 'FORBIDDEN' } });
  return role;
}

/**
 * Ends a member's live stream as soon as they lose access to its workspace; otherwise
 * passes the feed's batches through. A plain iterator rather than an async generator:
 * a generator suspended in `await source.next()` would run `return()` (the client
 * unsubscribing or disconnecting) only after the next change arrived, leaving the feed
 * subscription open until then.
 */
function untilRevoked(source: AsyncIterableIterator<ChangeBatch>, context: GraphQLContext, workspaceId: string): AsyncIterableIterator<ChangeBatch> {
  let onRevoked: () => void = () => undefined;
  const revoked = new Promise<IteratorResult<ChangeBatch>>((resolve) => (onRevoked = () => resolve({ done: true, value: undefined })));
  const unwatch = context.workspaces.access.watch(workspaceId, context.actorId!, onRevoked);
  let ended = false;
  const end = async (): Promise<IteratorResult<ChangeBatch>> => {
    if (!ended) {
      ended = true;
      unwatch();
      await source.return?.();
    }
    return { done: true, value: undefined };
  };
  return {
    async next() {
      if (ended) return { done: true, value: undefined };
      const next = await Promise.race([source.next(), revoked]);
      return next.done ? end() : next;
    },
    return: end,
    throw: async (error: unknown) => {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PULL_LIMIT) {
    throw badInput(`limit must be an integer from 1 to ${MAX_PULL_LIMIT}`);
  }
}

function assertCheckpoint(checkpoint: Checkpoint | null | undefined): Checkpoint | null {
  if (!checkpoint) return null;
  if (!Number.isSafeInteger(checkpoint.seq) || checkpoint.seq < 0) throw badInput('checkpoint.seq must be a non-negative integer');
  return checkpoint;
}

/** A write id is an opaque client token: short, printable, no spaces. */
function assertWriteId(writeId: string | null): string | undefined {
  if (writeId === null) return undefined;
  if (!/^[\w.:-]{8,100}$/.test(writeId)) throw badInput('Idempotency-Key must be 8 to 100 letters, digits or . _ : -');
  return writeId;
}

interface PullArgs { workspaceId: string; checkpoint?: Checkpoint | null; limit: number; bucket?: string | null }
interface PushArgs { workspaceId: string; rows: PushRow[] }
interface StreamArgs { workspaceId: string }
interface PullBatchParent { checkpoint: Checkpoint | null; workspaceId?: string }

function resolversOf(collection: CollectionName, plural: string) {
  return {
    query: {
      [`pull${plural}`]: async (_: unknown, args: PullArgs, context: GraphQLContext) => {
        assertLimit(args.limit);
        const checkpoint = assertCheckpoint(args.checkpoint);
        await requireMember(context, args.workspaceId);
        const started = performance.now();
        let result;
        try {
          if (args.bucket != null && !new RegExp(`^[0-9a-zA-Z-]{${DIGEST_BUCKET_CHARS}}$`).test(args.bucket)) {
            throw badInput(`bucket must be ${DIGEST_BUCKET_CHARS} id characters`);
          }
          result = args.bucket != null
            ? await context.store.pullBucket(collection, args.workspaceId, args.bucket, checkpoint, args.limit)
            : await context.store.pull(collection, args.workspaceId, checkpoint, args.limit);
        } catch (error) {
          if (error instanceof CheckpointExpiredError) throw createGraphQLError(error.message, { extensions: { code: 'CHECKPOINT_EXPIRED' } });
          throw error;
        }
        context.metrics.pulls.inc({ collection });
        context.metrics.pullSeconds.observe((performance.now() - started) / 1000, { collection });
        return { ...result, collection, workspaceId: args.workspaceId };
      },
    },
    pullBatch: {
      // Computed only when a client selects it (the first page of a long pull).
      remaining: (batch: PullBatchParent, _: unknown, context: GraphQLContext) =>
        batch.workspaceId ? context.store.countAfter(collection, batch.workspaceId, batch.checkpoint) : 0,
    },
    mutation: {
      [`push${plural}`]: async (_: unknown, args: PushArgs, context: GraphQLContext) => {
        // A viewer's rows come back refused (FORBIDDEN) from the store's rules, with the server's version.
        await requireMember(context, args.workspaceId);
        if (args.rows.length > MAX_PUSH_ROWS) throw badInput(`A push carries at most ${MAX_PUSH_ROWS} rows`);
        const writeId = assertWriteId(context.writeId);
        const { metrics } = context;
        const started = performance.now();
        metrics.inFlightPushes += 1;
        let result;
        try {
          result = await context.store.push(collection, args.workspaceId, args.rows, context.actorId, { writeId });
        } catch (error) {
          if (error instanceof WriteIdReusedError) throw createGraphQLError(error.message, { extensions: { code: 'WRITE_ID_REUSED' } });
          throw error;
        } finally {
          metrics.inFlightPushes -= 1;
        }
        metrics.pushes.inc({ collection });
        metrics.pushSeconds.observe((performance.now() - started) / 1000, { collection });
        if (result.replayed) metrics.replays.inc({ collection });
        if (result.conflicts.length > 0) metrics.conflicts.inc({ collection }, result.conflicts.length);
        for (const rejection of result.rejections) metrics.refusals.inc({ collection, code: rejection.code });
        if (result.written > 0) context.feed.announce(args.workspaceId);
        return result;
      },
    },
    subscription: {
      [`stream${plural}`]: {
        subscribe: async (_: unknown, args: StreamArgs, context: GraphQLContext) => {
          await requireMember(context, args.workspaceId);
          return untilRevoked(await context.feed.stream(args.workspaceId, collection), context, args.workspaceId);
        },
        resolve: (batch: ChangeBatch) => batch,
      },
    },
  };
}

interface Credentials { email: string; password: string }

const accountResolvers = {
  query: {
    me: async (_: unknown, __: unknown, context: GraphQLContext) => {
      if (context.authError) throw createGraphQLError(`Not signed in: ${context.authError}`, { extensions: { code: 'UNAUTHENTICATED' } });
      if (!context.actorId) return null;
      const user = await context.store.accounts.userById(context.actorId);
      return user ? { id: user.id, email: user.email } : null;
    },
    myWorkspaces: (_: unknown, __: unknown, c: GraphQLContext) => c.workspaces.mine(c.actorId),
    members: (_: unknown, a: { workspaceId: string }, c: GraphQLContext) => c.workspaces.members(c.actorId, a.workspaceId),
    syncDigest: async (_: unknown, a: { workspaceId: string }, c: GraphQLContext) => {
      await requireMember(c, a.workspaceId);
      return c.store.digest(a.workspaceId);
    },
  },
  mutation: {
    signUp: (_: unknown, args: Credentials, context: GraphQLContext) => context.auth.signUp(args.email, args.password, context.clientKey),
    signIn: (_: unknown, args: Credentials, context: GraphQLContext) => context.auth.signIn(args.email, args.password, context.clientKey),
    refresh: (_: unknown, args: { refreshToken: string }, context: GraphQLContext) => context.auth.refresh(args.refreshToken),
    signOut: (_: unknown, args: { refreshToken: string }, context: GraphQLContext) => context.auth.signOut(args.refreshToken),
    createWorkspace: (_: unknown, a: { name: string }, c: GraphQLContext) => c.workspaces.create(c.actorId, a.name),
    renameWorkspace: (_: unknown, a: { workspaceId: string; name: string }, c: GraphQLContext) => c.workspaces.rename(c.actorId, a.workspaceId, a.name),
    createJoinCode: (_: unknown, a: { workspaceId: string; role: Role }, c: GraphQLContext) => c.workspaces.createJoinCode(c.actorId, a.workspaceId, a.role),
    joinWorkspace: (_: unknown, a: { code: string }, c: GraphQLContext) => c.workspaces.join(c.actorId, a.code),
    inviteMember: (_: unknown, a: { workspaceId: string; email: string; role: Role }, c: GraphQLContext) => c.workspaces.invite(c.actorId, a.workspaceId, a.email, a.role),
    setMemberRole: (_: unknown, a: { workspaceId: string; userId: string; role: Role }, c: GraphQLContext) =>
      c.workspaces.setRole(c.actorId, a.workspaceId, a.userId, a.role),
    removeMember: (_: unknown, a: { workspaceId: string; userId: string }, c: GraphQLContext) => c.workspaces.removeMember(c.actorId, a.workspaceId, a.userId),
  },
};

/** The schema served at `/graphql`: the generated SDL and its resolvers. */
/** A document's accepted revisions, with what each changed. */
async function history(_: unknown, args: { workspaceId: string; collection: CollectionName; id: string }, context: GraphQLContext) {
  await requireMember(context, args.workspaceId);
  const fields = Object.keys(collectionByName(args.collection)?.schema.properties ?? {});
  return describeHistory(await context.store.history(args.collection, args.workspaceId, args.id), fields);
}

export function buildSchema() {
  const Query: Record<string, unknown> = { ...accountResolvers.query, history };
  const Mutation: Record<string, unknown> = { ...accountResolvers.mutation };
  const Subscription: Record<string, unknown> = {};
  const batchTypes: Record<string, unknown> = {};
  for (const c of COLLECTIONS) {
    const resolvers = resolversOf(c.name, c.plural);
    batchTypes[`${c.typeName}PullBatch`] = resolvers.pullBatch;
    Object.assign(Query, resolvers.query);
    Object.assign(Mutation, resolvers.mutation);
    Object.assign(Subscription, resolvers.subscription);
  }
  const publicApi = publicApiResolvers();
  Object.assign(Query, publicApi.Query);
  Object.assign(Mutation, publicApi.Mutation);
  for (const root of [Query, Mutation, Subscription]) guardPersonalTokens(root);
  return createSchema<GraphQLContext>({ typeDefs: buildSdl(), resolvers: { Query, Mutation, Subscription, ...batchTypes, ...publicApi.types } });
}
