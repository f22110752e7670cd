/**
 * With NODE_ENV=production, the schema stays private on both transports: no
 * introspection, and no "Did you mean ...?" hint in any error (validation or
 * variable coercion), over HTTP and over the WebSocket. Outside production
 * the same documents do get hints (so these documents would show a leak).
 */
import { RawSocket, rawSocket } from './helpers/live';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

const SUGGESTION = /Did you mean/;

// Each of these earns a "Did you mean" from graphql-js.
const HTTP_CASES: Array<[string, string, Record<string, unknown>, string]> = [
  ['a misspelt field', `{ topics { slu } }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
  ['a misspelt argument', `{ posts(frist: 1) { totalCount } }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
  ['a misspelt enum value in a variable', `query ($o: PostOrder) { posts(orderBy: $o) { totalCount } }`, { o: 'NEWES' }, 'BAD_USER_INPUT'],
  [
    'a misspelt input field in a variable',
    `mutation ($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`,
    { input: { titel: 'T', body: 'B' } },
    'BAD_USER_INPUT',
  ],
];
const WS_CASES: Array<[string, string, Record<string, unknown>, string]> = [
  ['a misspelt field', `subscription ($id: ID!) { postStatsUpdated(postId: $id) { viewCont } }`, { id: 'x' }, 'GRAPHQL_VALIDATION_FAILED'],
  [
    'a misspelt enum value in a variable',
    `subscription ($id: ID!, $o: CommentOrder) { commentAdded(postId: $id) { node { post { comments(first: 1, orderBy: $o) { totalCount } } } } }`,
    { id: 'x', o: 'NEWES' },
    'BAD_USER_INPUT',
  ],
];

const INTROSPECTION = `{ __schema { queryType { name } types { name fields { name } } } }`;

describe('errors in production', () => {
  let production: TestServer;
  let development: TestServer;
  const sockets: RawSocket[] = [];

  beforeAll(async () => {
    [production, development] = await Promise.all([startTestServer({ env: { NODE_ENV: 'production' } }), startTestServer()]);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.socket.terminate();
    await Promise.all([production.stop(), development.stop()]);
  });

  async function socket(t: TestServer): Promise<RawSocket> {
    const raw = await rawSocket(t);
    sockets.push(raw);
    raw.send({ type: 'connection_init', payload: {} });
    await raw.frame((frame) => frame.type === 'connection_ack');
    return raw;
  }

  async function subscribeError(t: TestServer, id: string, query: string, variables: Record<string, unknown>): Promise<GraphQLResponse['errors']> {
    const raw = await socket(t);
    raw.send({ id, type: 'subscribe', payload: { query, variables } });
    const frame = await raw.frame((received) => received.id === id);
    expect(frame.type).toBe('error');
    return frame.payload;
  }

  describe('over HTTP', () => {
    it.each(HTTP_CASES)('%s: refused with no hint (and a hint outside production)', async (_name, query, variables, code) => {
      const response = await production.gql(query, variables);
      expect(response.status).toBe(400);
      expect([...new Set(codesOf(response))]).toEqual([code]);
      expect(JSON.stringify(response.errors)).not.toMatch(SUGGESTION);
      expect(JSON.stringify((await development.gql(query, variables)).errors)).toMatch(SUGGESTION);
    });

    it('refuses introspection (__schema and __type), one error each', async () => {
      const schema = await production.gql(INTROSPECTION);
      expect(schema.status).toBe(400);
      expect(codesOf(schema)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(schema.data).toBeUndefined();
      const type = await production.gql(`{ __type(name: "Comment") { fields { name } } }`);
      expect(codesOf(type)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(JSON.stringify(type)).not.toContain('replies');
      // __typename is not introspection: clients rely on it.
      expect((await production.gql(`{ __typename }`)).data).toEqual({ __typename: 'Query' });
    });
  });

  describe('over the WebSocket', () => {
    it.each(WS_CASES)('%s: refused with no hint (and a hint outside production)', async (name, query, variables, code) => {
      const errors = await subscribeError(production, name, query, variables);
      expect(errors!.map((error) => error.extensions?.code)).toEqual([code]);
      expect(JSON.stringify(errors)).not.toMatch(SUGGESTION);
      expect(JSON.stringify(await subscribeError(development, name, query, variables))).toMatch(SUGGESTION);
    });

    it('refuses introspection, in a query document and in a subscription document', async () => {
      const inQuery = await subscribeError(production, 'schema', INTROSPECTION, {});
      expect(inQuery!.map((error) => error.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const inSubscription = await subscribeError(
        production,
        'type',
        `subscription ($id: ID!) { postStatsUpdated(postId: $id) { viewCount } } query Q { __type(name: "Comment") { fields { name } } }`,
        { id: 'x' },
      );
      expect(inSubscription!.map((error) => error.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
      expect(JSON.stringify([inQuery, inSubscription])).not.toMatch(/"replies"|"Thread"/);
    });
  });
});
