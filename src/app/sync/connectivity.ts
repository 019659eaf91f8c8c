import { fromEvent, map, merge, Observable, startWith, distinctUntilChanged } from 'rxjs';

/** Whether the device believes it has a network. A small interface so tests can drive it. */
export interface Connectivity {
  readonly online$: Observable<boolean>;
  isOnline(): boolean;
}

/** The browser's view: `navigator.onLine` and its `online`/`offline` events. */
export function browserConnectivity(win: Window): Connectivity {
  return {
    online$: merge(fromEvent(win, 'online'), fromEvent(win, 'offline')).pipe(
      map(() => win.navigator.onLine),
      startWith(win.navigator.onLine),
      distinctUntilChanged(),
    ),
    isOnline: () => win.navigator.onLine,
  };
}
