/**
 * The one declaration of every replicated document shape.
 *
 * Each collection schema below is an `as const` literal. From it we derive:
 * - the TypeScript document types (`TaskDoc`, `ListDoc`),
 * - the RxDB schema used by the client database (`rxSchemaOf`),
 * - the GraphQL object and input types (`../shared/graphql-sdl.ts`),
 * - the server's validation of pushed documents (`./validate.ts`).
 *
 * Never restate these shapes elsewhere.
 *
 * Revision contract: `revision` is the version number of a document. Every local
 * write proposes `previous.revision + 1`; the server accepts a pushed write only if
 * the push's assumed master state carries the server's current revision, and stores
 * the proposed revision. So the client already knows the revision of everything it
 * pushed, and a late echo of an older version can always be recognised as older.
 * `updatedAt` and `updatedBy` are stamped by the server on every accepted write.
 * `deleted` is the tombstone flag on the wire; inside RxDB it is `_deleted`.
 */
import type { RxJsonSchema } from 'rxdb';

const idField = { type: 'string', maxLength: 64 } as const;

/** Fields every replicated document carries, in the order GraphQL shows them. */
const replicatedFields = {
  id: idField,
  workspaceId: idField,
  revision: { type: 'integer', minimum: 1, maximum: 2_000_000_000, multipleOf: 1 },
  updatedAt: { type: 'string', maxLength: 40 },
  updatedBy: { type: ['string', 'null'], maxLength: 64 },
} as const;

export const TASK_STATUSES = ['todo', 'doing', 'done'] as const;
export const TASK_PRIORITIES = ['none', 'low', 'medium', 'high'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

export const listSchema = {
  title: 'lists',
  description: 'A list of tasks inside a workspace',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    ...replicatedFields,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    archived: { type: 'boolean' },
    createdAt: { type: 'string', maxLength: 40 },
  },
  required: ['id', 'workspaceId', 'revision', 'updatedAt', 'updatedBy', 'name', 'archived', 'createdAt'],
  indexes: ['createdAt'],
} as const;

export const taskSchema = {
  title: 'tasks',
  description: 'A task in a list',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    ...replicatedFields,
    listId: idField,
    title: { type: 'string', minLength: 1, maxLength: 500 },
    notes: { type: 'string', maxLength: 20_000 },
    status: { type: 'string', enum: TASK_STATUSES, maxLength: 10 },
    priority: { type: 'string', enum: TASK_PRIORITIES, maxLength: 10 },
    dueAt: { type: ['string', 'null'], maxLength: 10, pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    assigneeId: { type: ['string', 'null'], maxLength: 64 },
    createdAt: { type: 'string', maxLength: 40 },
  },
  required: [
    'id', 'workspaceId', 'revision', 'updatedAt', 'updatedBy', 'listId', 'title', 'notes',
    'status', 'priority', 'dueAt', 'assigneeId', 'createdAt',
  ],
  indexes: [['listId', 'createdAt', 'id']],
} as const;

/**
 * A comment on a task. Comments are append-only: the server accepts a comment once and
 * refuses any later change but deletion by its author, so two devices never conflict on one.
 */
export const commentSchema = {
  title: 'comments',
  description: 'A comment on a task; append-only',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    ...replicatedFields,
    taskId: idField,
    body: { type: 'string', minLength: 1, maxLength: 5_000 },
    createdAt: { type: 'string', maxLength: 40 },
  },
  required: ['id', 'workspaceId', 'revision', 'updatedAt', 'updatedBy', 'taskId', 'body', 'createdAt'],
  indexes: [['taskId', 'createdAt', 'id']],
} as const;

/**
 * The TypeScript type of one schema property. RxDB's own extractor does not understand
 * nullable unions such as `type: ['string', 'null']`, so this small mapper does it.
 */
type BaseTypeOf<T, E> = T extends 'string' ? (E extends readonly string[] ? E[number] : string)
  : T extends 'integer' | 'number' ? number
  : T extends 'boolean' ? boolean
  : T extends 'null' ? null
  : never;
type PropertyType<P> = P extends { type: infer T; enum?: infer E }
  ? T extends readonly (infer U)[] ? BaseTypeOf<U, E> : BaseTypeOf<T, E>
  : never;
type DocOf<S extends { properties: Record<string, unknown> }> = { -readonly [K in keyof S['properties']]: PropertyType<S['properties'][K]> };

export type ListDoc = DocOf<typeof listSchema>;
export type TaskDoc = DocOf<typeof taskSchema>;
export type CommentDoc = DocOf<typeof commentSchema>;

/** A document as it travels over the wire: with its tombstone flag. */
export type WireDoc<T> = T & { deleted: boolean };

export interface CollectionDefinition {
  /** RxDB collection name and SQL collection key. */
  readonly name: 'lists' | 'tasks' | 'comments';
  /** GraphQL type name: `Task`, `List`. */
  readonly typeName: string;
  /** Plural used in operation names: `pullTasks`, `pushTasks`, `streamTasks`. */
  readonly plural: string;
  readonly schema: typeof listSchema | typeof taskSchema | typeof commentSchema;
}

export const COLLECTIONS = [
  { name: 'lists', typeName: 'List', plural: 'Lists', schema: listSchema },
  { name: 'tasks', typeName: 'Task', plural: 'Tasks', schema: taskSchema },
  { name: 'comments', typeName: 'Comment', plural: 'Comments', schema: commentSchema },
] as const satisfies readonly CollectionDefinition[];

export type CollectionName = (typeof COLLECTIONS)[number]['name'];

export function collectionByName(name: string): CollectionDefinition | undefined {
  return COLLECTIONS.find((c) => c.name === name);
}

/** Fields the server stamps on every accepted write; they are not user content. */
export const SERVER_FIELDS = ['updatedAt', 'updatedBy'] as const;

/** Fields that are bookkeeping rather than content: excluded from merges and content equality. */
export const META_FIELDS = ['id', 'workspaceId', 'revision', 'updatedAt', 'updatedBy'] as const;

/** The RxDB schema for a collection (RxDB keeps the tombstone in `_deleted`, not in the schema). */
export function rxSchemaOf<S extends CollectionDefinition['schema']>(schema: S): RxJsonSchema<any> {
  return schema as unknown as RxJsonSchema<any>;
}

/** The one workspace every document belongs to until accounts and workspaces arrive. */
export const DEFAULT_WORKSPACE_ID = '00000000-0000-7000-8000-000000000001';
