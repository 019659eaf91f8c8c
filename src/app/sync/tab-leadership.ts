/**
 * Which tab of the device replicates: the one holding a Web Lock named after the person's
 * database. Closing a tab releases its lock, so another tab takes over. A tab the browser
 * freezes (a background tab, `freeze` event) may never run again, yet would keep its lock
 * and stall sync for every tab: it steps down and releases the lock before it freezes, and
 * asks for it again when it resumes. (RxDB's own election, `waitForLeadership`, cannot give
 * leadership up and take it back.)
 */
export interface LeadershipEvents {
  /** This tab is the leader now: start replicating. */
  lead(): void;
  /** This tab is about to freeze: stop replicating, another tab takes over. */
  stepDown(): void;
}

export class TabLeadership {
  private releaseLock: (() => void) | undefined;
  private request: AbortController | undefined;

  constructor(private readonly lockName: string, private readonly events: LeadershipEvents) {}

  start(): void {
    if (!('locks' in navigator)) {
      // No Web Locks (an old WebView): one tab is all there is.
      this.events.lead();
      return;
    }
    document.addEventListener('freeze', () => this.freeze());
    document.addEventListener('resume', () => this.apply());
    this.apply();
  }

  private apply(): void {
    if (this.request || this.releaseLock) return;
    const request = new AbortController();
    this.request = request;
    navigator.locks
      .request(this.lockName, { signal: request.signal }, () => new Promise<void>((release) => {
        this.request = undefined;
        this.releaseLock = release;
        this.events.lead();
      }))
      .catch(() => {
        // Aborted: the tab froze while waiting; it applies again when it resumes.
      });
  }

  private freeze(): void {
    if (this.releaseLock) {
      this.events.stepDown();
      this.releaseLock();
      this.releaseLock = undefined;
    }
    this.request?.abort();
    this.request = undefined;
  }
}
