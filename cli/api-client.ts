/**
 * A GraphQL-over-HTTP client of the public API (docs/api.md), written only against the
 * published SDL: plain fetch, no code shared with the server or the app. Network
 * failures, 5xx and 429 answers and MUTATION_IN_PROGRESS are retried with the same request,
 * which is safe because every write carries a clientMutationId.
 */

export class ApiError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

export interface ApiClientOptions {
  /** Server base URL, e.g. `https://fieldbook.example.org` (`/graphql` is appended). */
  readonly server: string;
  /** A personal access token (`fbp_…`) or a sign-in access token. */
  readonly token: string;
  readonly attempts?: number;
}

interface Answer {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class ApiClient {
  private readonly endpoint: string;

  constructor(private readonly options: ApiClientOptions) {
    this.endpoint = `${options.server.replace(/\/+$/, '')}/graphql`;
  }

  /** Runs one operation; a GraphQL error becomes an `ApiError` with its `extensions.code`. */
  async request<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const attempts = this.options.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${this.options.token}` },
          body: JSON.stringify({ query, variables }),
        });
      } catch (error) {
        if (attempt >= attempts) throw new ApiError(`Cannot reach ${this.endpoint}: ${(error as Error).message}`, 'NETWORK');
        await backoff(attempt);
        continue;
      }
      if ((response.status >= 500 || response.status === 429) && attempt < attempts) {
        await backoff(attempt, Number(response.headers.get('retry-after')) || 0);
        continue;
      }
      const text = await response.text();
      let answer: Answer;
      try {
        answer = JSON.parse(text) as Answer;
      } catch {
        throw new ApiError(`The server answered HTTP ${response.status}: ${text.slice(0, 200)}`, `HTTP_${response.status}`);
      }
      const error = answer.errors?.[0];
      // The same clientMutationId is still being applied (an earlier attempt of ours).
      if (error?.extensions?.code === 'MUTATION_IN_PROGRESS' && attempt < attempts) {
        await backoff(attempt);
        continue;
      }
      if (error) throw new ApiError(error.message, error.extensions?.code);
      return answer.data as T;
    }
  }
}

/** Waits before the next attempt: 250 ms doubling, or the server's Retry-After. */
function backoff(attempt: number, retryAfterSeconds = 0): Promise<void> {
  const ms = Math.max(250 * 2 ** (attempt - 1), retryAfterSeconds * 1000);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
