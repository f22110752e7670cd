/**
 * deleteAccount (authoring part of the API): the password again, or BAD_USER_INPUT and nothing
 * changes. Then at once: every token of the member is refused (HTTP 401) and every open socket of
 * the member is closed with 4403 within a second, on every instance; the e-mail is free for a new,
 * unrelated member and logIn with it fails; the member becomes the "Former member" stand-in, which
 * stays the author of their content; votes, upvotes and views stay counted.
 */
import WebSocket from 'ws';
import { ADD_COMMENT, ADD_UPVOTE, CAST_VOTE, CREATE_POLL, CREATE_THREAD, Document, RECORD_VIEW, SIGN_UP } from './helpers/documents';
import {
  COMMENT_AUTHOR,
  DELETE_ACCOUNT,
  LOG_IN,
  MemberProfile,
  NODE_MEMBER,
  POLL_TALLIES,
  POST_COUNTERS,
  VIEWER,
  VIEWER_HISTORY,
} from './helpers/delete-documents';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL, ServerProcess, spawnServer } from './helpers/scale';
import { codesOf, GraphQLResponse, ResponseError, startTestServer, TestServer } from './helpers/server';
import { onDispose } from './helpers/leftovers';

const PASSWORD = 'correct horse battery';
const CLOSE_WITHIN_MS = 1000;

/** POSTs one operation to an instance's endpoint. */
async function post<T>(url: string, query: Document<T>, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: ResponseError[] };
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
}

function ok<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

/** A socket subscribed to a post's stats, once its first message arrived; `closed` resolves with the close code. */
async function openSocket(url: string, token: string, postId: string): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  onDispose(() => socket.terminate());
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const first = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; id?: string };
      if (frame.type === 'connection_ack') {
        const query = 'subscription ($id: ID!) { postStatsUpdated(postId: $id) { viewCount } }';
        socket.send(JSON.stringify({ id: 'stats', type: 'subscribe', payload: { query, variables: { id: postId } } }));
      }
      if (frame.type === 'next') resolve();
    });
    void closed.then((code) => reject(new Error(`socket closed with ${code} before its first message`)));
  });
  socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
  await first;
  return { socket, closed };
}

/** The close code of `closed`, or a failure when it did not come within a second. */
async function closedWithinASecond(closed: Promise<number>): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still open ${CLOSE_WITHIN_MS} ms after deleteAccount`)), CLOSE_WITHIN_MS);
  });
  try {
    return await Promise.race([closed, late]);
  } finally {
    clearTimeout(timer);
  }
}

let emails = 0;
const freshEmail = () => `leaving${++emails}-${process.pid}-${Date.now()}@example.test`;

describe('deleteAccount', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  it('is refused without a token', async () => {
    expect(codesOf(await t.gql(DELETE_ACCOUNT, { input: { password: PASSWORD } }))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a wrong password as BAD_USER_INPUT on input.password, and changes nothing', async () => {
    const email = freshEmail();
    const member = await t.signUp({ email });
    const wrong = await t.gql(DELETE_ACCOUNT, { input: { password: 'not the password' } }, member.token);
    expect(codesOf(wrong)).toEqual(['BAD_USER_INPUT']);
    expect(wrong.errors![0].extensions.field).toBe('input.password');
    expect(ok(await t.gql(VIEWER, {}, member.token)).viewer).toMatchObject({ id: member.id, isFormerMember: false, title: 'Director of IT' });
    expect(ok(await t.gql(LOG_IN, { input: { email, password: PASSWORD } })).logIn!.member.id).toBe(member.id);
  });

  it('revokes every token and closes every socket of the member with 4403; the stand-in keeps the content and every count', async () => {
    const email = freshEmail();
    const member = await t.signUp({ email, title: 'VP Engineering', industry: 'Retail', companySize: 'EMPLOYEES_51_TO_200' });
    const secondToken = ok(await t.gql(LOG_IN, { input: { email, password: PASSWORD } })).logIn!.token;
    const bystander = await t.signUp();
    const before = ok(await t.gql(NODE_MEMBER, { id: member.id })).node!;

    // The member's content, and what they counted on a bystander's content.
    const threadId = ok(await t.gql(CREATE_THREAD, { input: { title: 'Mine', body: 'Written before leaving.' } }, member.token)).createThread.thread.id;
    const commentId = ok(await t.gql(ADD_COMMENT, { input: { postId: threadId, body: 'My comment.' } }, member.token)).addComment.comment.id;
    const theirs = ok(await t.gql(CREATE_POLL, { input: { title: 'Theirs', options: ['A', 'B'] } }, bystander.token)).createPoll.poll;
    const theirComment = ok(await t.gql(ADD_COMMENT, { input: { postId: theirs.id, body: 'Theirs.' } }, bystander.token)).addComment.comment.id;
    ok(await t.gql(CAST_VOTE, { input: { pollId: theirs.id, optionIds: [theirs.options[0].id] } }, member.token));
    ok(await t.gql(ADD_UPVOTE, { input: { subjectId: theirs.id } }, member.token));
    ok(await t.gql(ADD_UPVOTE, { input: { subjectId: theirComment } }, member.token));
    ok(await t.gql(RECORD_VIEW, { input: { postId: theirs.id } }, member.token));
    const countsBefore = ok(await t.gql(POST_COUNTERS, { id: theirs.id })).post!;
    const talliesBefore = ok(await t.gql(POLL_TALLIES, { id: theirs.id })).post!.results;
    expect(talliesBefore).toEqual({ participantCount: 1, totalVotes: 1 });

    const sockets = await Promise.all([member.token, secondToken, bystander.token].map((token) => openSocket(t.url, token, threadId)));
    const deleted = await t.gql(DELETE_ACCOUNT, { input: { password: PASSWORD } }, member.token);
    expect(ok(deleted).deleteAccount).toEqual({ deletedMemberId: member.id });

    expect(await Promise.all(sockets.slice(0, 2).map(({ closed }) => closedWithinASecond(closed)))).toEqual([4403, 4403]);
    for (const token of [member.token, secondToken]) {
      const refused = await t.gql(VIEWER, {}, token);
      expect(refused.status).toBe(401);
      expect(codesOf(refused)).toEqual(['UNAUTHENTICATED']);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sockets[2].socket.readyState).toBe(WebSocket.OPEN);

    const standIn: MemberProfile = {
      id: member.id,
      isFormerMember: true,
      title: 'Former member',
      industry: null,
      companySize: 'EMPLOYEES_51_TO_200',
      joinedAt: before.joinedAt,
      byline: 'Former member',
    };
    expect(ok(await t.gql(NODE_MEMBER, { id: member.id })).node).toEqual(standIn);
    expect(ok(await t.gql(POST_COUNTERS, { id: threadId })).post!.author).toEqual(standIn);
    expect(ok(await t.gql(COMMENT_AUTHOR, { id: commentId })).node!.author).toEqual(standIn);

    expect(ok(await t.gql(POST_COUNTERS, { id: theirs.id })).post).toEqual(countsBefore);
    expect(ok(await t.gql(POLL_TALLIES, { id: theirs.id })).post!.results).toEqual(talliesBefore);
    expect(ok(await t.gql(COMMENT_AUTHOR, { id: theirComment })).node!.upvoteCount).toBe(1);
  });

  it('releases the e-mail: logIn with it fails, signUp with it makes a new, unrelated member', async () => {
    const email = freshEmail();
    const member = await t.signUp({ email });
    ok(await t.gql(CREATE_THREAD, { input: { title: 'Old account', body: 'x' } }, member.token));
    ok(await t.gql(DELETE_ACCOUNT, { input: { password: PASSWORD } }, member.token));

    expect(codesOf(await t.gql(LOG_IN, { input: { email, password: PASSWORD } }))).toEqual(['UNAUTHENTICATED']);
    const again = ok(await t.gql(SIGN_UP, { input: { email, password: 'another passphrase', title: 'CTO', companySize: 'SELF_EMPLOYED' } })).signUp;
    expect(again.member.id).not.toBe(member.id);
    expect(again.member.byline).toBe('CTO, Self-employed');
    const history = ok(await t.gql(VIEWER_HISTORY, {}, again.token)).viewer!;
    expect(history.posts.totalCount).toBe(0);
    expect(ok(await t.gql(NODE_MEMBER, { id: member.id })).node!.isFormerMember).toBe(true);
    expect(ok(await t.gql(LOG_IN, { input: { email, password: 'another passphrase' } })).logIn!.member.id).toBe(again.member.id);
  });

  it('deletes once when sent twice at once: one success, the other refused, and the member stays a stand-in', async () => {
    const member = await t.signUp({ email: freshEmail() });
    const responses = await Promise.all([0, 1].map(() => t.gql(DELETE_ACCOUNT, { input: { password: PASSWORD } }, member.token)));
    expect(responses.filter((response) => response.data?.deleteAccount?.deletedMemberId === member.id)).toHaveLength(1);
    expect(responses.flatMap(codesOf)).toEqual(['UNAUTHENTICATED']);
    expect(ok(await t.gql(NODE_MEMBER, { id: member.id })).node!.isFormerMember).toBe(true);
  });
});

const SCALE_SUITE = 'deleteAccount across two instances on PostgreSQL + Redis';

describeWithScaleServers(SCALE_SUITE)(SCALE_SUITE, () => {
  let database: { url: string; drop: () => Promise<void> };
  let processes: ServerProcess[] = [];

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    processes = await Promise.all([0, 1].map(() => spawnServer({ DATABASE_URL: database.url, REDIS_URL: SCALE_REDIS_URL })));
  }, 60_000);

  afterAll(async () => {
    const codes = await Promise.all(processes.map((instance) => instance.stop()));
    await database?.drop();
    expect(codes).toEqual([0, 0]);
  }, 30_000);

  it("closes the member's sockets on both instances with 4403 within a second; the token is refused on both", async () => {
    const [a, b] = processes.map((instance) => instance.url);
    const email = freshEmail();
    const signUp = (url: string, address: string) =>
      post(url, SIGN_UP, { input: { email: address, password: PASSWORD, title: 'CISO', companySize: 'EMPLOYEES_11_TO_50' } });
    const member = ok(await signUp(a, email)).signUp;
    const bystander = ok(await signUp(b, freshEmail())).signUp;
    const secondToken = ok(await post(b, LOG_IN, { input: { email, password: PASSWORD } })).logIn!.token;
    const threadId = ok(await post(a, CREATE_THREAD, { input: { title: 'Watched', body: 'x' } }, bystander.token)).createThread.thread.id;

    const onA = await openSocket(a, member.token, threadId);
    const onB = await openSocket(b, member.token, threadId);
    const secondOnB = await openSocket(b, secondToken, threadId);
    const bystanderOnB = await openSocket(b, bystander.token, threadId);

    expect(ok(await post(a, DELETE_ACCOUNT, { input: { password: PASSWORD } }, member.token)).deleteAccount).toEqual({ deletedMemberId: member.member.id });
    expect(await Promise.all([onA, onB, secondOnB].map(({ closed }) => closedWithinASecond(closed)))).toEqual([4403, 4403, 4403]);
    for (const url of [a, b]) {
      for (const token of [member.token, secondToken]) expect(codesOf(await post(url, VIEWER, {}, token))).toEqual(['UNAUTHENTICATED']);
    }
    expect(bystanderOnB.socket.readyState).toBe(WebSocket.OPEN);
    expect(ok(await post(b, NODE_MEMBER, { id: member.member.id })).node).toMatchObject({ isFormerMember: true, byline: 'Former member' });
  });
});
