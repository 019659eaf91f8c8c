/** What every resolver receives. Built once per request or per WebSocket subscription. */
import type { ServerConfig } from '../config';
import type { ChangeFeedHub } from '../feed';
import type { ServerMetrics } from '../metrics';
import type { Store } from '../store/store';
import type { AuthService } from '../auth/auth-service';
import type { WorkspaceService } from '../auth/workspace-service';
import type { AccessTokenService, TokenScope } from '../auth/access-tokens';

export interface GraphQLContext {
  readonly store: Store;
  readonly feed: ChangeFeedHub;
  /** The authenticated user (bearer token), or null. Stamped as `updatedBy`. */
  readonly actorId: string | null;
  /** Why a bearer token that was sent does not authenticate (expired, invalid), else null. */
  readonly authError: string | null;
  /** Set when the bearer token is a personal access token: the workspace and mode it allows. */
  readonly tokenScope: TokenScope | null;
  readonly accessTokens: AccessTokenService;
  /** Who is calling, for rate limits: the peer address. */
  readonly clientKey: string;
  readonly auth: AuthService;
  readonly workspaces: WorkspaceService;
  readonly config: ServerConfig;
  /** The client's write id for a push (`Idempotency-Key` header), or null. */
  readonly writeId: string | null;
  readonly metrics: ServerMetrics;
}
