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
