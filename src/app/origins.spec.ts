import type { IncomingMessage } from 'node:http';
import { ConfigError, loadConfig } from '../config';
import { createOriginPolicy } from './origins';

const request = (host: string | undefined, encrypted = false) => ({ headers: host ? { host } : {}, socket: { encrypted } }) as unknown as IncomingMessage;

describe('ALLOWED_ORIGINS', () => {
  it('is empty by default and normalises origins as browsers send them', () => {
    expect(loadConfig({}).allowedOrigins).toEqual([]);
    expect(loadConfig({ ALLOWED_ORIGINS: ' HTTPS://App.Example.com/ ,http://localhost:5173,, https://app.example.com:443' }).allowedOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
  });

  it.each([
    '*',
    'https://*.example.com',
    'null',
    'app.example.com',
    'ftp://files.example.com',
    'https://app.example.com/path',
    'https://app.example.com?x',
    'https://user@app.example.com',
  ])('fails fast naming the variable for %s', (value) => {
    expect(() => loadConfig({ ALLOWED_ORIGINS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ALLOWED_ORIGINS: value })).toThrow(/ALLOWED_ORIGINS/);
  });
});

describe('origin policy of WebSocket handshakes', () => {
  const policy = createOriginPolicy(['https://app.example.com']);

  it('accepts no Origin, the listed ones and the scheme and Host of the request itself', () => {
    expect(policy.acceptsHandshake(undefined, request('api.example.com'))).toBe(true);
    expect(policy.acceptsHandshake('https://app.example.com', request('api.example.com'))).toBe(true);
    expect(policy.acceptsHandshake('http://api.example.com:8080', request('API.example.com:8080'))).toBe(true);
    expect(policy.acceptsHandshake('https://api.example.com', request('api.example.com', true))).toBe(true);
    expect(policy.acceptsHandshake('http://api.example.com', request('api.example.com:80'))).toBe(true);
  });

  it('refuses everything else', () => {
    expect(policy.acceptsHandshake('https://api.example.com', request('api.example.com'))).toBe(false);
    expect(policy.acceptsHandshake('http://api.example.com', request('api.example.com', true))).toBe(false);
    expect(policy.acceptsHandshake('http://api.example.com', request(undefined))).toBe(false);
    expect(policy.acceptsHandshake('http://evil.example', request('api.example.com'))).toBe(false);
    expect(policy.acceptsHandshake('null', request('api.example.com'))).toBe(false);
  });
});
