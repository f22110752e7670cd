/**
 * Over HTTP, on SQLite and PostgreSQL: an id whose number is past the 32-bit id columns is
 * malformed (PostgreSQL would fail the query, a 500, rather than find no row), so it answers like
 * any malformed id: null from node(id:) and post(id:), BAD_USER_INPUT from a mutation, the 404 page
 * on the live pages. And a live page that fails for another reason than the database being
 * unavailable answers an HTML 500 page under the pages policy, logged once under its request id.
 */
import { CAST_VOTE, CREATE_POLL } from './helpers/documents';
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
