import { InjectionToken } from '@angular/core';

/** Where the app talks to, read once at start-up (main.ts) into a typed object. */
export interface AppConfig {
  /** GraphQL over HTTP, e.g. `https://host/graphql`. */
  readonly graphqlHttpUrl: string;
  /** GraphQL over WebSocket (graphql-ws), e.g. `wss://host/graphql`. */
  readonly graphqlWsUrl: string;
  /** Local database name; one per server and (later) per signed-in user. */
  readonly databaseName: string;
}

export const APP_CONFIG = new InjectionToken<AppConfig>('APP_CONFIG');

/** Same-origin endpoints: the server that serves the app also serves `/graphql`. */
export function configFromLocation(location: Pick<Location, 'protocol' | 'host'>): AppConfig {
  const wsProtocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return {
    graphqlHttpUrl: `${location.protocol}//${location.host}/graphql`,
    graphqlWsUrl: `${wsProtocol}//${location.host}/graphql`,
    databaseName: 'fieldbook',
  };
}

/**
 * The server a native (Capacitor) build talks to, fixed at build time:
 * `ng build --define FIELDBOOK_SERVER_URL='"https://fieldbook.example.org"'`, which
 * `npm run cap:sync` does from the `FIELDBOOK_SERVER_URL` environment variable. A web
 * build leaves it undefined and talks to its own origin.
 */
declare const FIELDBOOK_SERVER_URL: string | undefined;

/** Endpoints of a server at `serverUrl` (`https://host[/prefix]`): HTTP and WebSocket `/graphql`. */
export function configFromServerUrl(serverUrl: string): AppConfig {
  const url = new URL(serverUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`The server URL must be http(s): ${serverUrl}`);
  const base = `${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return {
    graphqlHttpUrl: `${url.protocol}//${base}/graphql`,
    graphqlWsUrl: `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${base}/graphql`,
    databaseName: 'fieldbook',
  };
}

/** The endpoints at start-up: the build-time server of a native build, else same origin. */
export function startupConfig(location: Pick<Location, 'protocol' | 'host'>, builtServerUrl = typeof FIELDBOOK_SERVER_URL === 'string' ? FIELDBOOK_SERVER_URL : ''): AppConfig {
  return builtServerUrl ? configFromServerUrl(builtServerUrl) : configFromLocation(location);
}
