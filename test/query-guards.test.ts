/** Limits and checks that apply once the operation is known, over HTTP. */
import { codesOf, GraphQLResponse, ResponseError, startTestServer, TestServer } from './helpers/server';

describe('operation guards', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  it('refuses an operation whose nested pages multiply past LIMIT_COST, literal, through variables or fragments', async () => {
    const refused = (response: GraphQLResponse) => {
      expect(response.status).toBe(400);
      expect(codesOf(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.errors![0].extensions!.limit).toBe('LIMIT_COST');
      expect(response.data).toBeUndefined();
    };
    refused(await t.gql(`{ posts(first: 100) { nodes { comments(first: 100) { nodes { replies(first: 100) { nodes { id } } } } } } }`));
    refused(
      await t.gql(`query ($n: Int) { posts(first: $n) { nodes { comments(first: $n) { nodes { replies(first: $n) { nodes { id } } } } } } }`, { n: 100 }),
    );
    refused(
      await t.gql(`{ posts(first: 100) { nodes { ...C } } } fragment C on Post { comments(first: 100) { nodes { replies(first: 100) { nodes { id } } } } }`),
    );
    // Defaults count too: comments and replies default to 20 each.
    refused(await t.gql(`{ posts(first: 100) { nodes { comments { nodes { replies { nodes { id body } } } } } } }`));
    // A thread list with generous nested pages stays well inside, and says what it cost.
    const page = await t.gql(`{ posts(first: 20) { nodes { comments(first: 20) { nodes { replies(first: 5) { nodes { id } } } } } } }`);
    expect(page.errors).toBeUndefined();
    expect(page.extensions?.cost).toBeGreaterThan(0);
  });

  it('sends subscriptions over HTTP away with BAD_REQUEST, pointing at the WebSocket', async () => {
    const response = await t.gql(`subscription { postStatsUpdated(postId: "VGhyZWFkOjE") { viewCount } }`);
    expect(response.status).toBe(400);
    expect(codesOf(response)).toEqual(['BAD_REQUEST']);
  });

  it('refuses impossible dates', async () => {
    const member = await t.signUp();
    const response = await t.gql(
      `mutation ($input: CreatePollInput!) { createPoll(input: $input) { poll { id } } }`,
      { input: { title: 'Q', options: ['A', 'B'], closesAt: '2099-02-31T00:00:00Z' } },
      member.token,
    );
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers unknown paths with JSON and a request id', async () => {
    const response = await fetch(`${t.baseUrl}/nothing-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(((await response.json()) as { errors: ResponseError[] }).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await fetch(`${t.baseUrl}/healthz`)).headers.get('x-request-id')).toBeTruthy();
  });

  it('fails one comment list for a bad cursor without failing the others of the request', async () => {
    const member = await t.signUp();
    const thread = (await t.gql(`mutation { createThread(input: { title: "T", body: "B" }) { thread { id } } }`, {}, member.token)).data.createThread.thread;
    await t.gql(`mutation ($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }`, { i: { postId: thread.id, body: 'hello' } }, member.token);
    const response = await t.gql(
      `query ($id: ID!) { a: post(id: $id) { comments(first: 1) { nodes { body } } } b: post(id: $id) { comments(after: "garbage") { nodes { body } } } }`,
      { id: thread.id },
    );
    expect(response.data.a.comments.nodes).toEqual([{ body: 'hello' }]);
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses an empty parentId as a malformed id', async () => {
    const member = await t.signUp();
    const thread = (await t.gql(`mutation { createThread(input: { title: "T2", body: "B" }) { thread { id } } }`, {}, member.token)).data.createThread.thread;
    const response = await t.gql(
      `mutation ($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }`,
      { i: { postId: thread.id, body: 'x', parentId: '' } },
      member.token,
    );
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions!.field).toBe('input.parentId');
  });
});
