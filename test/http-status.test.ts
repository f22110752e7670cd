/**
 * HTTP status codes after the GraphQL-over-HTTP spec and the error
 * (src/graphql/http-status.ts): 400 for the document and its input, 401 for
 * a bad token, 429 and 503 with Retry-After when the whole request is
 * refused, 200 whenever there is data (partial results). Batches stay
 * refused, CSRF prevention stays on, and /graphql/<anything> is a JSON 404.
 */
import { ClientError, ErrorCode, ServiceUnavailableError } from '../src/graphql/errors';
import { codesOf, ResponseError, startTestServer, TestServer } from './helpers/server';

const rateLimited = (retryAfter: number) => new ClientError('Too many requests; retry later.', ErrorCode.RATE_LIMITED, { retryAfter });

describe('HTTP status codes', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());
  afterEach(() => jest.restoreAllMocks());

  describe('400 for the document and its input', () => {
    it.each([
      ['a syntax error', `{ topics { slug `, {}, 'GRAPHQL_PARSE_FAILED'],
      ['an unknown field', `{ topics { nope } }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
      ['a document over a limit', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: topics { slug }`).join(' ')} }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
      ['a variable of the wrong type', `query ($n: Int) { posts(first: $n) { totalCount } }`, { n: 'ten' }, 'BAD_USER_INPUT'],
      ['BAD_USER_INPUT on the only root field', `{ posts(first: 500) { totalCount } }`, {}, 'BAD_USER_INPUT'],
      ['a subscription sent over HTTP', `subscription { postStatsUpdated(postId: "x") { viewCount } }`, {}, 'BAD_REQUEST'],
    ])('%s', async (_name, query, variables, code) => {
      const response = await t.gql(query, variables);
      expect(response.status).toBe(400);
      expect(codesOf(response)).toEqual([code]);
      expect(response.data ?? null).toBeNull();
    });

    it('also when the client asks for application/graphql-response+json', async () => {
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: '{ topics { nope } }' }),
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    });
  });

  it('keeps 200 for a partial result: data next to the errors of some fields', async () => {
    const member = await t.signUp();
    const thread = (await t.gql(`mutation { createThread(input: { title: "T", body: "B" }) { thread { id } } }`, {}, member.token)).data.createThread.thread;
    const response = await t.gql(`query ($id: ID!) { a: post(id: $id) { id } b: post(id: $id) { comments(after: "garbage") { totalCount } } }`, {
      id: thread.id,
    });
    expect(response.status).toBe(200);
    expect(response.data.a).toEqual({ id: thread.id });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('401 for an invalid token, and for an anonymous mutation refused as a whole', async () => {
    const invalid = await t.gql(`{ topics { slug } }`, {}, 'x'.repeat(43));
    expect(invalid.status).toBe(401);
    expect(codesOf(invalid)).toEqual(['UNAUTHENTICATED']);
    const anonymous = await t.gql(`mutation { createThread(input: { title: "T", body: "B" }) { thread { id } } }`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.data).toEqual({ createThread: null });
  });

  describe('429 and 503 with Retry-After', () => {
    it('429 when RATE_LIMITED refuses the whole request, Retry-After the largest retryAfter', async () => {
      jest.spyOn(t.probe.services.topics, 'findBySlug').mockRejectedValueOnce(rateLimited(7)).mockRejectedValueOnce(rateLimited(30));
      // Every root field null with its own error: nothing of the request was answered.
      const response = await t.gql(`{ a: topic(slug: "x") { slug } b: topic(slug: "y") { slug } }`);
      expect(response.status).toBe(429);
      expect(response.data).toEqual({ a: null, b: null });
      expect(response.headers.get('retry-after')).toBe('30');
      expect([...new Set(codesOf(response))]).toEqual(['RATE_LIMITED']);
    });

    it('200 when other fields of the request were answered', async () => {
      jest.spyOn(t.probe.services.topics, 'findBySlug').mockRejectedValueOnce(rateLimited(7));
      const response = await t.gql(`{ topic(slug: "x") { slug } posts(first: 1) { totalCount } }`);
      expect(response.status).toBe(200);
      expect(response.headers.get('retry-after')).toBeNull();
      expect(response.data).toEqual({ topic: null, posts: { totalCount: expect.any(Number) } });
      expect(codesOf(response)).toEqual(['RATE_LIMITED']);
    });

    it('503 with Retry-After for SERVICE_UNAVAILABLE', async () => {
      jest.spyOn(t.probe.services.topics, 'list').mockRejectedValueOnce(new ServiceUnavailableError());
      const response = await t.gql(`{ topics { slug } }`);
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(codesOf(response)).toEqual(['SERVICE_UNAVAILABLE']);
    });
  });

  describe('what stays refused', () => {
    it('a batch (JSON array of operations): 400, nothing runs', async () => {
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).not.toContain('"__typename":"Query"');
    });

    it('a simple (CSRF-able) request: 400', async () => {
      const get = await fetch(`${t.url}?query=${encodeURIComponent('{ __typename }')}`);
      expect(get.status).toBe(400);
      const post = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(post.status).toBe(400);
      expect(await post.text()).not.toContain('"__typename":"Query"');
    });
  });

  it('answers a JSON 404 for any path under /graphql/, and serves /graphql itself', async () => {
    for (const path of ['/graphql/', '/graphql/foo', '/graphql/graphql']) {
      const response = await fetch(`${t.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await response.json()) as { errors: ResponseError[] }).errors[0].extensions.code).toBe('NOT_FOUND');
    }
    expect((await t.gql(`{ __typename }`)).status).toBe(200);
  });
});
