/**
 * The demo community comes with a published password: a production server
 * (NODE_ENV=production) does not load it unless DEMO_DATA=1 asks for it. Real
 * starts of the compiled server, as `npm start` runs it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_ACCOUNT } from '../src/demo/load-demo';
import { Document, typed } from './helpers/documents';
import { spawnServer } from './helpers/scale';
import type { ResponseError } from './helpers/server';

/** Posts `query` to `url`; its response `data` has the shape `T` (`typed<T>()` documents infer it). */
async function post<T>(url: string, query: string | Document<T>, variables: Record<string, unknown> = {}): Promise<{ data?: T; errors?: ResponseError[] }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: T; errors?: ResponseError[] };
}

const LOG_IN = typed<{ logIn: { token: string } }>(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`);

describe('demo community in production', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-demo-prod-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is not loaded when DEMO_DATA is unset, and the demo password does not sign in', async () => {
    const server = await spawnServer({ NODE_ENV: 'production', DEMO_DATA: '', DATABASE_URL: `sqlite:${path.join(dir, 'unset.sqlite')}` });
    try {
      expect((await post(server.url, '{ posts(first: 1) { totalCount } }')).data).toEqual({ posts: { totalCount: 0 } });
      const login = await post(server.url, LOG_IN, { input: DEMO_ACCOUNT });
      expect(login.data?.logIn ?? null).toBeNull();
      expect(server.output()).toContain('demo community not loaded in production');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('is loaded with DEMO_DATA=1', async () => {
    const server = await spawnServer({ NODE_ENV: 'production', DEMO_DATA: '1', DATABASE_URL: `sqlite:${path.join(dir, 'on.sqlite')}` });
    try {
      expect((await post<{ posts: { totalCount: number } }>(server.url, '{ posts(first: 1) { totalCount } }')).data!.posts.totalCount).toBeGreaterThan(0);
      expect((await post(server.url, LOG_IN, { input: DEMO_ACCOUNT })).data!.logIn.token).toEqual(expect.any(String));
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
