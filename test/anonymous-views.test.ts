/**
 * Anonymous views (recordView without a token) count once per client address and post per
 * 30 minutes, as a signed-in member's do per member: a refresh storm adds one view, not fifty.
 */
import { typed } from './helpers/documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

const from = (address: string) => ({ 'x-forwarded-for': address });

function viewCountOf(response: GraphQLResponse<RecordViewResult>): number {
  expect(response.errors).toBeUndefined();
  return response.data!.recordView.post.viewCount;
}

async function createThread(t: TestServer, token: string, title: string): Promise<string> {
  const response = await t.gql(CREATE_THREAD, { input: { title, body: 'Read me.' } }, token);
  expect(response.errors).toBeUndefined();
  return response.data!.createThread.thread.id;
}

describe('anonymous views', () => {
  let t: TestServer;
  let author: { token: string };
  beforeAll(async () => {
    t = await startTestServer({ env: { TRUST_PROXY: '1' } });
    author = await t.signUp();
  });
  afterAll(() => t.stop());

  it('count once per address and post, also 50 at once', async () => {
    const postId = await createThread(t, author.token, 'Refreshed fifty times');
    expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }, null, from('10.8.0.1')))).toBe(1);
    const storm = await Promise.all(Array.from({ length: 50 }, () => t.gql(RECORD_VIEW, { input: { postId } }, null, from('10.8.0.1'))));
    storm.forEach((response) => expect(viewCountOf(response)).toBe(1));

    // Another address counts; so does the first address on another post, and a member at the first address.
    expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }, null, from('10.8.0.2')))).toBe(2);
    const otherPost = await createThread(t, author.token, 'Another post');
    expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId: otherPost } }, null, from('10.8.0.1')))).toBe(1);
    const member = await t.signUp();
    expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }, member.token, from('10.8.0.1')))).toBe(3);
    expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }, null, from('10.8.0.2')))).toBe(3);
  });

  it('count an IPv6 client once per /64 network', async () => {
    const postId = await createThread(t, author.token, 'Rotating IPv6 addresses');
    expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }, null, from('2001:db8:1:2::1')))).toBe(1);
    expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }, null, from('2001:db8:1:2::ffff')))).toBe(1);
    expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }, null, from('2001:db8:1:3::1')))).toBe(2);
  });

  it('still answer NOT_FOUND for an unknown post', async () => {
    const unknown = Buffer.from('Thread:987654').toString('base64url');
    expect(codesOf(await t.gql(RECORD_VIEW, { input: { postId: unknown } }, null, from('10.8.0.3')))).toEqual(['NOT_FOUND']);
  });
});

describe('anonymous views without TRUST_PROXY', () => {
  it('are counted by the socket address: X-Forwarded-For does not make a new viewer', async () => {
    const t = await startTestServer();
    try {
      const author = await t.signUp();
      const postId = await createThread(t, author.token, 'Spoofed viewers');
      for (const address of ['10.9.0.1', '10.9.0.2', '10.9.0.3']) {
        expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }, null, from(address)))).toBe(1);
      }
    } finally {
      await t.stop();
    }
  });
});

describe('anonymous views after 30 minutes', () => {
  it('count again', async () => {
    // Counted in this process's memory (no REDIS_URL), whose clock the test can move instead of waiting half an hour.
    const t = await startTestServer({ env: { REDIS_URL: '' } });
    const realNow = Date.now;
    const spy = jest.spyOn(Date, 'now');
    try {
      const author = await t.signUp();
      const postId = await createThread(t, author.token, 'Come back later');
      expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }))).toBe(1);
      spy.mockImplementation(() => realNow() + 29 * 60_000);
      expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }))).toBe(1);
      spy.mockImplementation(() => realNow() + 30 * 60_000 + 1_000);
      expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }))).toBe(2);
      expect(viewCountOf(await t.gql(RECORD_VIEW, { input: { postId } }))).toBe(2);
    } finally {
      spy.mockRestore();
      await t.stop();
    }
  });
});

const CREATE_THREAD = typed<{ createThread: { thread: { id: string } } }>(
  `mutation ($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`,
);
interface RecordViewResult {
  recordView: { post: { id: string; viewCount: number } };
}
const RECORD_VIEW = typed<RecordViewResult>(`mutation ($input: RecordViewInput!) { recordView(input: $input) { post { id viewCount } } }`);
