/** What the fuzz generators produce and what they aim at. */
import type { CollectionName } from '../../src/shared/collections';

export const FUZZ_CATEGORIES = [
  'malformed-json',
  'wrong-types',
  'huge-document',
  'deep-document',
  'forged-ids',
  'checkpoints',
  'push-rows',
  'public-api',
  'websocket',
] as const;
export type FuzzCategory = (typeof FUZZ_CATEGORIES)[number];

/** One request to `POST /graphql` (or GET), sent exactly as given. */
export interface HttpFuzzCase {
  readonly kind: 'http';
  readonly category: FuzzCategory;
  /** What the case tries, for failure messages. */
  readonly label: string;
  readonly method: 'POST' | 'GET';
  /** Appended to `/graphql` (GET cases carry their query here). */
  readonly search?: string;
  readonly body?: string | Uint8Array<ArrayBuffer>;
  readonly headers: Readonly<Record<string, string>>;
}

/** One frame a WebSocket client sends: text or binary. */
export type WsFrame = string | Uint8Array<ArrayBuffer>;

/** A WebSocket connection to `/graphql` that sends `frames` in order after it opens. */
export interface WsFuzzCase {
  readonly kind: 'ws';
  readonly category: 'websocket';
  readonly label: string;
  /** The subprotocol asked for (none when undefined); graphql-ws refuses all but its own. */
  readonly protocol: string | undefined;
  readonly frames: readonly WsFrame[];
}

export type FuzzCase = HttpFuzzCase | WsFuzzCase;

/**
 * The accounts and documents the fuzz cases aim at: the attacker's own workspace, and a
 * victim workspace the attacker is not a member of, whose ids and position it knows
 * (as if leaked). Nothing the attacker sends may change the victim's documents.
 */
export interface FuzzTargets {
  readonly attackerToken: string;
  readonly attackerWorkspaceId: string;
  readonly victimWorkspaceId: string;
  readonly attackerIds: Readonly<Record<CollectionName, readonly string[]>>;
  readonly victimIds: Readonly<Record<CollectionName, readonly string[]>>;
  /** A checkpoint position in the victim workspace. */
  readonly victimSeq: number;
}
