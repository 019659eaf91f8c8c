/**
 * Connectivity and app lifecycle, behind small interfaces so the sync service can be
 * driven by the real device or by a test. The implementations use Capacitor's Network
 * and App plugins, which also work on the web (navigator.onLine and page visibility).
 */
import { Capacitor } from '@capacitor/core';
import { Network } from '@capacitor/network';
import { App } from '@capacitor/app';
import { distinctUntilChanged, Observable, shareReplay, startWith } from 'rxjs';

export interface Connectivity {
  /** Whether the device has a network; emits the current value first. */
  readonly online$: Observable<boolean>;
  isOnline(): boolean;
}

export interface AppLifecycle {
  /** True while the app is in the foreground. */
  readonly active$: Observable<boolean>;
  /** On native platforms the app is suspended in the background: stop the live stream there. */
  readonly pausesInBackground: boolean;
}

export function capacitorConnectivity(initiallyOnline: boolean): Connectivity {
  let online = initiallyOnline;
  const online$ = new Observable<boolean>((subscriber) => {
    let removed = false;
    let remove: (() => Promise<void>) | undefined;
    const emit = (connected: boolean) => {
      online = connected;
      subscriber.next(connected);
    };
    void Network.getStatus().then((status) => emit(status.connected));
    void Network.addListener('networkStatusChange', (status) => emit(status.connected)).then((handle) => {
      if (removed) void handle.remove();
      else remove = () => handle.remove();
    });
    return () => {
      removed = true;
      void remove?.();
    };
  }).pipe(startWith(initiallyOnline), distinctUntilChanged(), shareReplay({ bufferSize: 1, refCount: false }));
  return { online$, isOnline: () => online };
}

export function capacitorLifecycle(): AppLifecycle {
  const active$ = new Observable<boolean>((subscriber) => {
    let removed = false;
    let remove: (() => Promise<void>) | undefined;
    void App.addListener('appStateChange', (state) => subscriber.next(state.isActive)).then((handle) => {
      if (removed) void handle.remove();
      else remove = () => handle.remove();
    });
    return () => {
      removed = true;
      void remove?.();
    };
  }).pipe(startWith(true), distinctUntilChanged(), shareReplay({ bufferSize: 1, refCount: false }));
  return { active$, pausesInBackground: Capacitor.isNativePlatform() };
}
