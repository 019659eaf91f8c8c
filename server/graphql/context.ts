/** What every resolver receives. Built once per request or per WebSocket subscription. */
import type { ServerConfig } from '../config';
import type { ChangeFeedHub } from '../feed';
import type { Store } from '../store/store';

export interface GraphQLContext {
  readonly store: Store;
  readonly feed: ChangeFeedHub;
  /** The authenticated user; null until accounts exist. Stamped as `updatedBy`. */
  readonly actorId: string | null;
  readonly config: ServerConfig;
}
