/**
 * Membership removals, announced to whatever serves the removed member right now: their
 * live streams end at once instead of running until the next reconnect. In-process;
 * with several instances each instance learns it on the member's next request, which
 * is refused (`FORBIDDEN`), and when its own streams re-check (see `watch`).
 */
type Listener = () => void;

export class AccessEvents {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Calls `listener` once when `userId` loses access to `workspaceId`; returns the unsubscribe. */
  watch(workspaceId: string, userId: string, listener: Listener): () => void {
    const key = `${workspaceId}|${userId}`;
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  revoked(workspaceId: string, userId: string): void {
    const key = `${workspaceId}|${userId}`;
    const set = this.listeners.get(key);
    this.listeners.delete(key);
    set?.forEach((listener) => listener());
  }
}
