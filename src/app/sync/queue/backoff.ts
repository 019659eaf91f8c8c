/**
 * When to try again after a failed request: exponential backoff with "equal jitter"
 * (half the window fixed, half random) and a cap, so a crowd of devices coming back at
 * once spreads out, yet no retry comes sooner than half its window. A server's
 * `Retry-After` can only make the wait longer (see `RetryGate.fail`).
 */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 60_000 };

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) failures. */
export function retryDelay(attempt: number, random: () => number = Math.random, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const window = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(window / 2 + random() * (window / 2));
}

/**
 * Milliseconds a `Retry-After` header asks us to wait: delta-seconds or an HTTP date.
 * Undefined when absent or unreadable; never negative; capped at one hour.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), 3_600_000);
}
