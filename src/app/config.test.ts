import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFromServerUrl, startupConfig } from './config';

describe('app config', () => {
  it('talks to its own origin in a web build', () => {
    const config = startupConfig({ protocol: 'https:', host: 'tasks.example.org' }, '');
    assert.deepEqual([config.graphqlHttpUrl, config.graphqlWsUrl], ['https://tasks.example.org/graphql', 'wss://tasks.example.org/graphql']);
  });

  it('talks to the build-time server in a native build, wherever the WebView runs', () => {
    const config = startupConfig({ protocol: 'capacitor:', host: 'localhost' }, 'https://fieldbook.example.org/team/');
    assert.deepEqual([config.graphqlHttpUrl, config.graphqlWsUrl], ['https://fieldbook.example.org/team/graphql', 'wss://fieldbook.example.org/team/graphql']);
    assert.equal(configFromServerUrl('http://dev-laptop.local:4000').graphqlWsUrl, 'ws://dev-laptop.local:4000/graphql');
  });

  it('refuses a server URL that is not http(s)', () => {
    assert.throws(() => configFromServerUrl('ftp://example.org'), /http/);
  });
});
