/**
 * Over HTTP, on SQLite and PostgreSQL: an id whose number is past the 32-bit id columns is
 * malformed (PostgreSQL would fail the query, a 500, rather than find no row), so it answers like
 * any malformed id: null from node(id:) and post(id:), BAD_USER_INPUT from a mutation, the 404 page
 * on the live pages. And a live page that fails for another reason than the database being
 * unavailable answers an HTML 500 page under the pages policy, logged once under its request id.
 */
import { ADD_COMMENT, CAST_VOTE, CREATE_POLL } from './helpers/documents';
import { EDIT_THREAD, MODERATION_LOG } from './helpers/control-documents';
import { MODERATION_QUEUE, REPORT_CONTENT, setRole } from './helpers/reports-documents';
import { captureLogs } from './helpers/logs';
import { codesOf, startTestServer, TestServer } from './helpers/server';

/** base64url("Poll:2147483648"): one past PostgreSQL's largest INTEGER. */
const PAST_INT32 = 'UG9sbDoyMTQ3NDgzNjQ4';
const THREAD_PAST_INT32 = Buffer.from('Thread:99999999999').toString('base64url');

describe('ids past the 32-bit id columns, and live pages that fail', () => {
  const logs = captureLogs('error');
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ logger: logs.logger });
  });
  afterAll(() => t.stop());

  it('answers them like any malformed id: null from node and post, BAD_USER_INPUT from a mutation', async () => {
    expect(Buffer.from(PAST_INT32, 'base64url').toString()).toBe('Poll:2147483648');
    for (const id of [PAST_INT32, THREAD_PAST_INT32]) {
      const read = await t.gql(`query ($id: ID!) { node(id: $id) { id } post(id: $id) { id } }`, { id });
      expect([id, read.errors, read.data]).toEqual([id, undefined, { node: null, post: null }]);
    }
    const member = await t.signUp();
    const voted = await t.gql(CAST_VOTE, { input: { pollId: PAST_INT32, optionIds: [PAST_INT32] } }, member.token);
    expect(codesOf(voted)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers the 404 page for them on the live pages', async () => {
    for (const path of [`/live/polls/${PAST_INT32}`, `/live/posts/${THREAD_PAST_INT32}`, `/live/dashboard?polls=${PAST_INT32}`]) {
      const response = await fetch(`${t.baseUrl}${path}`);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 404, 'text/html; charset=utf-8']);
      expect(await response.text()).toMatch(/<h1>(Poll|Post) not found<\/h1>/);
    }
    expect(logs.lines).toEqual([]);
  });

  it('answers an HTML 500 page under the pages policy when a page fails, and logs the error once under its request id', async () => {
    const member = await t.signUp();
    const created = await t.gql(CREATE_POLL, { input: { title: 'Fails to show', options: ['A', 'B'], allowsMultipleChoices: false } }, member.token);
    const pollId = created.data!.createPoll.poll.id;
    jest.spyOn(t.probe.services.posts, 'findByIds').mockRejectedValueOnce(new Error('a bug while reading the poll'));

    const response = await fetch(`${t.baseUrl}/live/polls/${pollId}`);
    const requestId = response.headers.get('x-request-id')!;
    const html = await response.text();
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(html).toContain('<h1>Something went wrong</h1>');
    expect(html).toContain(requestId);
    expect(html).not.toContain('a bug while reading the poll');

    const line = await logs.waitFor((entry) => entry.requestId === requestId);
    expect(line).toMatchObject({ level: 'error', error: { message: 'a bug while reading the poll' } });
    expect(logs.forRequest(requestId)).toHaveLength(1);
    // The next request reads the poll again and shows it.
    expect((await fetch(`${t.baseUrl}/live/polls/${pollId}`)).status).toBe(200);
  });
});

/**
 * A cursor is opaque, but a client can forge one: every number of a cursor's key that is compared
 * with a 32-bit column (ids, counters, sequence numbers) must fit it, or PostgreSQL fails the query
 * (a 500) where SQLite finds no row. Each list's real cursor is taken, its numbers pushed past the
 * 32-bit range one at a time, and the forged cursor must be refused as a malformed one is.
 */
describe('cursors forged with numbers past the 32-bit columns', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  /** Every variant of `cursor` with one number of its key (but `scores`: any finite number) replaced by a number past 2147483647. */
  function forgedFrom(cursor: string, scores: readonly number[]): string[] {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o: string; k: number[] };
    return parsed.k.flatMap((value, index) =>
      scores.includes(index)
        ? []
        : [2 ** 31, 2 ** 31 + 1000, Number.MAX_SAFE_INTEGER, -(2 ** 31) - 1].map((huge) => {
            const k = [...parsed.k];
            // A timestamp slot (milliseconds, past 2^31 already) is pushed further: past what a date holds.
            k[index] = Math.abs(value) > 2 ** 31 ? Math.sign(huge) * Number.MAX_SAFE_INTEGER : huge;
            return Buffer.from(JSON.stringify({ o: parsed.o, k }), 'utf8').toString('base64url');
          }),
    );
  }

  it('answers BAD_USER_INPUT (never a 500) from every paginated list', async () => {
    const member = await t.signUp();
    const thread = await t.gql(`mutation { createThread(input: { title: "Cursors", body: "Forged ones" }) { thread { id } } }`, {}, member.token);
    const threadId: string = thread.data.createThread.thread.id;
    for (const text of ['one', 'two']) {
      const added = await t.gql(ADD_COMMENT, { input: { postId: threadId, body: text } }, member.token);
      expect(added.errors).toBeUndefined();
    }
    await t.gql(EDIT_THREAD, { input: { threadId, body: 'Forged ones, edited' } }, member.token);
    const moderator = await t.signUp();
    await setRole(t, moderator.id, 'MODERATOR');
    const reported = await t.gql(REPORT_CONTENT, { input: { subjectId: threadId, reason: 'DUPLICATE' } }, moderator.token);
    expect(reported.errors).toBeUndefined();
    const locked = await t.gql(`mutation ($id: ID!) { lockPost(input: { postId: $id, reason: ABUSE }) { post { id } } }`, { id: threadId }, moderator.token);
    expect(locked.errors).toBeUndefined();
    const lists: Array<{
      name: string;
      query: string;
      variables: Record<string, unknown>;
      cursorAt: string;
      scores?: number[];
      token?: string;
    }> = [
      ...['NEWEST', 'MOST_UPVOTED', 'MOST_VIEWED', 'MOST_DISCUSSED', 'TRENDING'].map((orderBy) => ({
        name: `posts ${orderBy}`,
        query: `query ($after: String, $orderBy: PostOrder) { posts(first: 1, after: $after, orderBy: $orderBy) { pageInfo { endCursor } } }`,
        variables: { orderBy },
        cursorAt: 'posts.pageInfo.endCursor',
        // TRENDING's key is [now, score, id]: a score is any finite number.
        scores: orderBy === 'TRENDING' ? [1] : [],
      })),
      ...['OLDEST', 'NEWEST', 'MOST_UPVOTED'].map((orderBy) => ({
        name: `comments ${orderBy}`,
        query: `query ($id: ID!, $after: String, $orderBy: CommentOrder) { post(id: $id) { comments(first: 1, after: $after, orderBy: $orderBy) { pageInfo { endCursor } } } }`,
        variables: { id: threadId, orderBy },
        cursorAt: 'post.comments.pageInfo.endCursor',
      })),
      {
        name: 'revisions',
        query: `query ($id: ID!, $after: String) { post(id: $id) { revisions(first: 1, after: $after) { pageInfo { endCursor } } } }`,
        variables: { id: threadId },
        cursorAt: 'post.revisions.pageInfo.endCursor',
      },
      {
        name: 'moderation log',
        query: MODERATION_LOG,
        variables: { first: 1 },
        cursorAt: 'moderationLog.pageInfo.endCursor',
        token: moderator.token,
      },
      {
        name: 'moderation queue',
        query: MODERATION_QUEUE,
        variables: { first: 1 },
        cursorAt: 'moderationQueue.pageInfo.endCursor',
        token: moderator.token,
      },
      {
        name: 'member posts',
        query: `query ($id: ID!, $after: String) { node(id: $id) { ... on Member { posts(first: 1, after: $after) { pageInfo { endCursor } } } } }`,
        variables: { id: member.id },
        cursorAt: 'node.posts.pageInfo.endCursor',
      },
      {
        name: 'member comments',
        query: `query ($id: ID!, $after: String) { node(id: $id) { ... on Member { comments(first: 1, after: $after) { pageInfo { endCursor } } } } }`,
        variables: { id: member.id },
        cursorAt: 'node.comments.pageInfo.endCursor',
      },
    ];
    for (const list of lists) {
      const first = await t.gql(list.query as string, list.variables, list.token ?? member.token);
      expect([list.name, first.errors]).toEqual([list.name, undefined]);
      const cursor = list.cursorAt.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | null)?.[key], first.data) as string;
      expect([list.name, typeof cursor]).toEqual([list.name, 'string']);
      for (const after of forgedFrom(cursor, list.scores ?? [])) {
        const forged = await t.gql(list.query as string, { ...list.variables, after }, list.token ?? member.token);
        const key = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')).k;
        expect([list.name, key, codesOf(forged)]).toEqual([list.name, key, ['BAD_USER_INPUT']]);
      }
    }
  });
});
