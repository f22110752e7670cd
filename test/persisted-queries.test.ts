/**
 * Automatic persisted queries are off: Apollo would cache them per process,
 * so behind a load balancer a hash registered on one instance is unknown to
 * the next. Two instances (as `npm start` runs them) give a client that sends
 * a hash the same clear answer, PERSISTED_QUERY_NOT_SUPPORTED (on which
 * Apollo Client's persisted-queries link falls back to full queries), and
 * serve the full query alike.
 */
import { createHash } from 'node:crypto';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL, ServerProcess, spawnServer } from './helpers/scale';
import type { ResponseError } from './helpers/server';

const SUITE = 'automatic persisted queries across two instances';
const QUERY = '{ topics { slug } }';
const HASH = createHash('sha256').update(QUERY).digest('hex');

describeWithScaleServers(SUITE)(SUITE, () => {
  let database: { url: string; drop: () => Promise<void> };
  let instances: ServerProcess[] = [];

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    instances = await Promise.all([0, 1].map(() => spawnServer({ DATABASE_URL: database.url, REDIS_URL: SCALE_REDIS_URL })));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await database.drop();
  }, 30_000);

  async function post(instance: ServerProcess, body: unknown): Promise<{ status: number; body: { data?: unknown; errors: ResponseError[] } }> {
    const response = await fetch(instance.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors: ResponseError[] } };
  }

  const persisted = { persistedQuery: { version: 1, sha256Hash: HASH } };

  it('answers a hash alone with PERSISTED_QUERY_NOT_SUPPORTED on every instance', async () => {
    for (const instance of instances) {
      const { status, body } = await post(instance, { extensions: persisted });
      expect(status).toBe(200); // Apollo's APQ protocol: the client reads the code and sends the full query
      expect(body.errors.map((error) => error.extensions.code)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
      expect(body.data).toBeUndefined();
    }
  });

  it('registers nothing: a query sent with its hash on one instance is not known by its hash on the other', async () => {
    const [first, second] = instances;
    const register = await post(first, { query: QUERY, extensions: persisted });
    expect(register.body.errors.map((error) => error.extensions.code)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
    for (const instance of [first, second]) {
      const { body } = await post(instance, { extensions: persisted });
      expect(body.errors.map((error) => error.extensions.code)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
    }
  });

  it('serves the full query on both instances', async () => {
    for (const instance of instances) {
      const { status, body } = await post(instance, { query: QUERY });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ topics: [] });
    }
  });
});
