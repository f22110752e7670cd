import { captureLogs } from './helpers/logs';
import { CREATE_THREAD, typed } from './helpers/documents';
import { codesOf, GraphQLResponse, ResponseError, startTestServer, TestServer } from './helpers/server';

/** Sends a raw request to /graphql and parses the JSON answer (failing when it is not JSON). */
async function raw(url: string, init: RequestInit): Promise<GraphQLResponse & { contentType: string | null }> {
  const response = await fetch(url, init);
  const contentType = response.headers.get('content-type');
  const text = await response.text();
  let body: { data?: unknown; errors?: ResponseError[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`expected a JSON answer, got ${response.status} ${contentType}: ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, contentType, data: body.data ?? undefined, errors: body.errors };
}

describe('HTTP surface and error model', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  describe('health and request ids', () => {
    it('answers GET /healthz with 200 {status: "ok"} once ready', async () => {
      const response = await fetch(`${t.baseUrl}/healthz`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ status: 'ok' });
    });

    it('puts an x-request-id header on every /graphql response, successful or not', async () => {
      const ok = await t.gql(`{ __typename }`);
      expect(ok.data).toEqual({ __typename: 'Query' });
      const failed = await t.gql(`{ nope }`);
      expect(codesOf(failed)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const ids = [ok.headers.get('x-request-id'), failed.headers.get('x-request-id')];
      for (const id of ids) expect(id).toMatch(/^[\w.-]{8,64}$/);
      expect(ids[0]).not.toBe(ids[1]);
    });

    it('keeps a well-formed x-request-id sent by the client and replaces a malformed one', async () => {
      const kept = await t.gql(`{ __typename }`, {}, null, { 'x-request-id': 'edge-proxy.42_abc' });
      expect(kept.headers.get('x-request-id')).toBe('edge-proxy.42_abc');
      const replaced = await t.gql(`{ __typename }`, {}, null, { 'x-request-id': 'has spaces; and <html>' });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[\w.-]{8,64}$/);
    });
  });

  describe('request bodies', () => {
    it('refuses a body over MAX_BODY_BYTES (100 KB) with status 413 and a JSON BAD_REQUEST error, not an HTML page', async () => {
      const body = JSON.stringify({ query: `query Big { __typename }`, variables: { text: 'x'.repeat(100 * 1024 + 10) } });
      const result = await raw(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(result.status).toBe(413);
      expect(result.contentType).toMatch(/^application\/json/);
      expect(codesOf(result)).toEqual(['BAD_REQUEST']);
      expect(result.errors![0].message).toContain('MAX_BODY_BYTES');
      expect(result.headers.get('x-request-id')).toBeTruthy();
    });

    it('accepts a body just under 100 KB', async () => {
      // Variables the operation does not declare are ignored: padding that is not part of the document.
      const body = JSON.stringify({ query: `{ __typename }`, variables: { padding: 'x'.repeat(100 * 1024 - 100) } });
      expect(body.length).toBeGreaterThan(100 * 1000);
      expect(body.length).toBeLessThanOrEqual(100 * 1024);
      const result = await raw(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(result.status).toBe(200);
      expect(result.data).toEqual({ __typename: 'Query' });
    });

    it('answers a malformed JSON body with status 400 and a JSON error', async () => {
      const result = await raw(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ __typename }"' });
      expect(result.status).toBe(400);
      expect(result.contentType).toMatch(/^application\/json/);
      expect(result.errors).toHaveLength(1);
      expect(typeof result.errors![0].extensions!.code).toBe('string');
      expect(result.data).toBeUndefined();
    });
  });

  describe('CSRF prevention', () => {
    const query = encodeURIComponent('{ __typename }');

    it('refuses a simple GET request (no content-type, no preflight header) with status 400', async () => {
      const response = await fetch(`${t.url}?query=${query}`);
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(text).not.toContain('"__typename":"Query"');
    });

    it('refuses a simple POST (text/plain) too', async () => {
      const response = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(response.status).toBe(400);
      expect(await response.text()).not.toContain('"__typename":"Query"');
    });

    it('serves a GET query with the apollo-require-preflight header, and a POST with application/json', async () => {
      const get = await raw(`${t.url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
      expect(get.status).toBe(200);
      expect(get.data).toEqual({ __typename: 'Query' });
      const post = await t.gql(`{ __typename }`);
      expect(post.status).toBe(200);
      expect(post.data).toEqual({ __typename: 'Query' });
    });

    it('never runs a mutation sent by GET', async () => {
      const mutation = encodeURIComponent('mutation { logOut }');
      const result = await raw(`${t.url}?query=${mutation}`, { headers: { 'apollo-require-preflight': 'true' } });
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.data).toBeUndefined();
    });
  });

  describe('documents', () => {
    it('answers a syntax error with GRAPHQL_PARSE_FAILED', async () => {
      const result = await t.gql(`{ topics { slug `);
      expect(codesOf(result)).toEqual(['GRAPHQL_PARSE_FAILED']);
      expect(result.data).toBeUndefined();
    });

    it('answers an unknown field with GRAPHQL_VALIDATION_FAILED', async () => {
      const result = await t.gql(`{ topics { slug secretColumn } }`);
      expect(codesOf(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(result.data).toBeUndefined();
    });

    it('serves introspection outside production', async () => {
      const result = await t.gql(INTROSPECTION);
      expect(result.errors).toBeUndefined();
      expect(result.data!.__schema.queryType.name).toBe('Query');
      expect(result.data!.__schema.types.map((type) => type.name)).toEqual(expect.arrayContaining(['Comment', 'Thread', 'Poll']));
      const typeInfo = await t.gql(typed<{ __type: { fields: Array<{ name: string }> } }>(`{ __type(name: "Comment") { fields { name } } }`));
      expect(typeInfo.data!.__type.fields.map((field) => field.name)).toEqual(expect.arrayContaining(['body', 'replies']));
    });

    it("serves the bundled GraphQL IDE (not Apollo's CDN landing page) to a browser outside production", async () => {
      const response = await fetch(t.url, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain('/ide/main.js');
      expect(html).not.toMatch(/EmbeddedSandbox|cdn\./);
    });

    it('refuses a field that is not in the public API (no e-mail of members)', async () => {
      const result = await t.gql(`{ viewer { email } }`);
      expect(codesOf(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });
  });

  describe('in production', () => {
    let production: TestServer;
    beforeAll(async () => {
      production = await startTestServer({ env: { NODE_ENV: 'production' } });
    });

    it('refuses introspection with GRAPHQL_VALIDATION_FAILED', async () => {
      const schema = await production.gql(INTROSPECTION);
      expect(codesOf(schema)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(schema.data).toBeUndefined();
      const type = await production.gql(`{ __type(name: "Comment") { fields { name } } }`);
      expect(codesOf(type)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });

    it('serves no GraphQL IDE to a browser (the landing page is for development)', async () => {
      // The server's NODE_ENV setting, not the process's, must decide this (config.ts is the only reader of process.env).
      const response = await fetch(production.url, { headers: { accept: 'text/html' } });
      expect(await response.text()).not.toMatch(/EmbeddedSandbox|EmbeddedExplorer/);
    });

    it('still serves ordinary queries, and __typename', async () => {
      const result = await production.gql(`{ __typename topics { slug } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ __typename: 'Query', topics: [] });
    });
  });

  describe('masking unexpected errors', () => {
    let broken: TestServer;
    const logs = captureLogs('error');
    beforeAll(async () => {
      broken = await startTestServer({ logger: logs.logger });
      // A table vanishes behind the server's back: every query of it now fails inside the driver.
      await broken.probe.db.write(({ manager }) => manager.query('DROP TABLE "topics"'));
    });

    it('answers INTERNAL_SERVER_ERROR with a request id, and nothing of the SQL, driver or stack', async () => {
      const result = await broken.gql(`{ topics { slug name } }`, {}, null, { 'x-request-id': 'masking-test-1' });
      expect(codesOf(result)).toEqual(['INTERNAL_SERVER_ERROR']);
      const [error] = result.errors!;
      expect(error.extensions!.requestId).toBe('masking-test-1');
      expect(result.headers.get('x-request-id')).toBe('masking-test-1');
      expect(Object.keys(error.extensions!).sort()).toEqual(['code', 'requestId']);
      expect(error.extensions!.stacktrace).toBeUndefined();
      for (const leak of ['SQLITE', 'topics', 'SELECT', 'QueryFailedError', 'no such table']) expect(error.message).not.toContain(leak);
      const whole = JSON.stringify(result.errors);
      for (const leak of ['SQLITE', 'SELECT', 'QueryFailedError', 'no such table', '.ts:', 'node_modules']) expect(whole).not.toContain(leak);
    });

    it('logs the full error under the request id the client was given', async () => {
      const result = await broken.gql(`{ topics { slug } }`, {}, null, { 'x-request-id': 'masking-test-log' });
      expect(codesOf(result)).toEqual(['INTERNAL_SERVER_ERROR']);
      const entries = logs.forRequest('masking-test-log');
      expect(entries).toHaveLength(1);
      expect(entries[0].level).toBe('error');
      expect(entries[0].error?.message).toMatch(/topics/);
    });

    it('quotes a fresh request id when the client sends none', async () => {
      const result = await broken.gql(`{ topics { slug } }`);
      expect(codesOf(result)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(result.errors![0].extensions!.requestId).toBe(result.headers.get('x-request-id'));
      expect(result.errors![0].extensions!.requestId).toMatch(/^[\w.-]{8,64}$/);
    });

    it('masks a failure inside a mutation the same way, while client errors keep their codes', async () => {
      const { token } = await broken.signUp();
      const result = await broken.gql(CREATE_THREAD, { input: { title: 'Topics are gone', body: 'Body', topics: ['Cloud'] } }, token);
      expect(codesOf(result)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(result.errors![0].extensions!.requestId).toBe(result.headers.get('x-request-id'));
      expect(JSON.stringify(result.errors)).not.toMatch(/SQLITE|topics|INSERT|SELECT/);
      expect(result.data).toEqual({ createThread: null });

      const invalid = await broken.gql(CREATE_THREAD, { input: { title: '   ', body: 'Body' } }, token);
      expect(codesOf(invalid)).toEqual(['BAD_USER_INPUT']);
      expect(invalid.errors![0].extensions!.field).toBe('input.title');
    });
  });

  describe('masking a failure while authenticating', () => {
    let broken: TestServer;
    let token: string;
    const logs = captureLogs('error');
    beforeAll(async () => {
      broken = await startTestServer({ logger: logs.logger });
      ({ token } = await broken.signUp());
      // The database fails while the request's bearer token is being checked (before any resolver runs).
      await broken.probe.db.write(({ manager }) => manager.query('DROP TABLE "auth_tokens"'));
    });

    it('answers INTERNAL_SERVER_ERROR with the request id, logged, and no driver text', async () => {
      const result = await broken.gql(`{ viewer { id } }`, {}, token, { 'x-request-id': 'masking-auth-1' });
      expect(result.status).toBe(500);
      expect(codesOf(result)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(JSON.stringify(result.errors)).not.toMatch(/SQLITE|auth_tokens|SELECT|no such table|Context creation/);
      expect(result.errors![0].extensions!.requestId).toBe('masking-auth-1');
      expect(logs.forRequest('masking-auth-1').some((line) => line.level === 'error')).toBe(true);
    });
  });
});

const INTROSPECTION = typed<{ __schema: { queryType: { name: string }; types: Array<{ name: string }> } }>(
  `{ __schema { queryType { name } types { name } } }`,
);
