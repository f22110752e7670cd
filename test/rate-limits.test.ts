/**
 * Rate limits (RATE_LIMIT_*), over HTTP and the WebSocket, with small limits: each trips with
 * RATE_LIMITED and a whole number of seconds in extensions.retryAfter, and a refused request
 * writes nothing; another member or another address is unaffected; the client address comes
 * from X-Forwarded-For only with TRUST_PROXY. (Across two instances on Redis, and with Redis
 * down: rate-limits-redis.test.ts. Anonymous views: anonymous-views.test.ts.)
 */
import { DELETE_ACCOUNT } from './helpers/delete-documents';
import { typed } from './helpers/documents';
import { Frame, RawSocket, rawSocket } from './helpers/live';
import { codesOf, GraphQLResponse, ResponseError, startTestServer, TestServer } from './helpers/server';

const PASSWORD = 'correct horse battery';
const from = (address: string) => ({ 'x-forwarded-for': address });

/** RATE_LIMITED, with retryAfter a whole number of seconds from 1 to the limit's window. */
function expectLimited(response: GraphQLResponse, windowSeconds: number): void {
  expect(codesOf(response)).toEqual(['RATE_LIMITED']);
  const retryAfter = response.errors![0].extensions!.retryAfter;
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

function expectOk<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

async function createThread(t: TestServer, token: string, title: string, headers: Record<string, string> = {}): Promise<GraphQLResponse<CreateThreadResult>> {
  return t.gql(CREATE_THREAD, { input: { title, body: 'Details.' } }, token, headers);
}

async function postsMatching(t: TestServer, search: string): Promise<number> {
  return expectOk(await t.gql(typed<{ posts: { totalCount: number } }>(`query ($search: String) { posts(search: $search) { totalCount } }`), { search })).posts
    .totalCount;
}

describe('rate limits: writes per member and per address', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { RATE_LIMIT_WRITES_PER_MINUTE: '3', TRUST_PROXY: '1' } });
  });
  afterAll(() => t.stop());

  it("refuses a member's 4th write within the minute and writes nothing; another member at the same address goes on", async () => {
    const [writer, other] = await Promise.all([t.signUp(), t.signUp()]);
    const address = from('10.1.0.1');
    const threadId = expectOk(await createThread(t, writer.token, 'Writes one', address)).createThread.thread.id;
    expectOk(await createThread(t, writer.token, 'Writes two', address));
    expectOk(await createThread(t, writer.token, 'Writes three', address));

    expectLimited(await createThread(t, writer.token, 'Writes refused', address), 60);
    // Every kind of write is counted, and none of them lands.
    expectLimited(await t.gql(ADD_COMMENT, { input: { postId: threadId, body: 'Refused.' } }, writer.token, address), 60);
    expectLimited(await t.gql(ADD_UPVOTE, { input: { subjectId: threadId } }, writer.token, address), 60);
    expectLimited(await t.gql(RECORD_VIEW, { input: { postId: threadId } }, writer.token, address), 60);
    // From another address too: the limit is the member's.
    expectLimited(await createThread(t, writer.token, 'Writes refused', from('10.1.0.2')), 60);
    expect(await postsMatching(t, 'Writes refused')).toBe(0);
    expect(expectOk(await t.gql(READ_STATS, { id: threadId })).post.stats).toEqual({ viewCount: 0, upvoteCount: 0, commentCount: 0 });

    expectOk(await createThread(t, other.token, 'Writes by another member', address));
    // Reads are not rate limited.
    for (let i = 0; i < 5; i++) expectOk(await t.gql(READ_STATS, { id: threadId }, writer.token, address));
  });

  it('counts aliased mutations one by one', async () => {
    const writer = await t.signUp();
    const aliases = [1, 2, 3, 4, 5].map((n) => `a${n}: createThread(input: { title: "Aliased ${n}", body: "Body." }) { thread { id } }`).join('\n');
    const response = await t.gql(`mutation { ${aliases} }`, {}, writer.token, from('10.1.0.3'));
    expect(Object.values(response.data).map((payload) => payload !== null)).toEqual([true, true, true, false, false]);
    expect(codesOf(response)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(await postsMatching(t, 'Aliased')).toBe(3);
  });
});

describe('rate limits: writes per address (50 times the per-member limit)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { RATE_LIMIT_WRITES_PER_MINUTE: '1', TRUST_PROXY: '1' } });
  });
  afterAll(() => t.stop());

  it('refuses the 51st write from one address, anonymous or signed in; the refused member still writes from elsewhere', async () => {
    const [author, member] = await Promise.all([t.signUp(), t.signUp()]);
    const threadId = expectOk(await createThread(t, author.token, 'Busy office', from('10.2.0.9'))).createThread.thread.id;
    const office = from('10.2.0.1');
    // A window's whole allowance may be used at once: 50 anonymous readers behind one address in the same instant.
    const views = await Promise.all(Array.from({ length: 50 }, () => t.gql(RECORD_VIEW, { input: { postId: threadId } }, null, office)));
    views.forEach(expectOk);

    expectLimited(await t.gql(RECORD_VIEW, { input: { postId: threadId } }, null, office), 60);
    expectLimited(await t.gql(ADD_UPVOTE, { input: { subjectId: threadId } }, member.token, office), 60);
    expect(expectOk(await t.gql(READ_STATS, { id: threadId })).post.stats).toEqual({ viewCount: 1, upvoteCount: 0, commentCount: 0 });
    // The refusal did not use up the member's own allowance.
    expectOk(await t.gql(ADD_UPVOTE, { input: { subjectId: threadId } }, member.token, from('10.2.0.2')));
    expect(expectOk(await t.gql(READ_STATS, { id: threadId })).post.stats.upvoteCount).toBe(1);
  });
});

describe('rate limits: signUp per address', () => {
  const signUp = (t: TestServer, email: string, headers: Record<string, string>) =>
    t.gql(SIGN_UP, { input: { email, password: PASSWORD, title: 'CIO', companySize: 'EMPLOYEES_2_TO_10' } }, null, headers);
  const logIn = (t: TestServer, email: string) => t.gql(LOG_IN, { input: { email, password: PASSWORD } });

  it('refuses the 3rd signUp from one address and creates no member; another address signs up', async () => {
    const t = await startTestServer({ env: { RATE_LIMIT_SIGNUPS_PER_HOUR: '2', TRUST_PROXY: '1' } });
    try {
      expectOk(await signUp(t, 'first@signup.test', from('10.3.0.1')));
      expectOk(await signUp(t, 'second@signup.test', from('10.3.0.1')));
      expectLimited(await signUp(t, 'third@signup.test', from('10.3.0.1')), 3600);
      expect(codesOf(await logIn(t, 'third@signup.test'))).toEqual(['UNAUTHENTICATED']);
      expectOk(await signUp(t, 'elsewhere@signup.test', from('10.3.0.2')));
    } finally {
      await t.stop();
    }
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: a client cannot pick its own address', async () => {
    const t = await startTestServer({ env: { RATE_LIMIT_SIGNUPS_PER_HOUR: '2' } });
    try {
      expectOk(await signUp(t, 'one@spoof.test', from('10.3.1.1')));
      expectOk(await signUp(t, 'two@spoof.test', from('10.3.1.2')));
      expectLimited(await signUp(t, 'three@spoof.test', from('10.3.1.3')), 3600);
    } finally {
      await t.stop();
    }
  });
});

describe('rate limits: logIn failures', () => {
  let t: TestServer;
  let email: string;
  beforeAll(async () => {
    // Per e-mail and address 3 per 15 minutes; per address 30; per e-mail 30 per hour.
    t = await startTestServer({ env: { RATE_LIMIT_LOGIN_FAILURES: '3', TRUST_PROXY: '1' } });
    email = 'guessed@login.test';
    expectOk(await t.gql(SIGN_UP, { input: { email, password: PASSWORD, title: 'CTO', companySize: 'EMPLOYEES_2_TO_10' } }));
  });
  afterAll(() => t.stop());

  const logIn = (address: string, password: string, who = email) => t.gql(LOG_IN, { input: { email: who, password } }, null, from(address));

  it('refuses an address after 3 failures, even with the right password; the member still logs in from another address', async () => {
    for (let i = 0; i < 3; i++) expect(codesOf(await logIn('10.4.0.1', `wrong password ${i}`))).toEqual(['UNAUTHENTICATED']);
    expectLimited(await logIn('10.4.0.1', PASSWORD), 900);
    expect(expectOk(await logIn('10.4.0.2', PASSWORD)).logIn.token).toEqual(expect.any(String));
    // That success does not reset the first address's count.
    expectLimited(await logIn('10.4.0.1', PASSWORD), 900);
  });

  it('counts only failures', async () => {
    for (let i = 0; i < 5; i++) expectOk(await logIn('10.4.0.3', PASSWORD));
    for (let i = 0; i < 2; i++) expect(codesOf(await logIn('10.4.0.3', 'wrong password'))).toEqual(['UNAUTHENTICATED']);
    expectOk(await logIn('10.4.0.3', PASSWORD));
  });

  it('lets at most 3 of 10 simultaneous guesses through', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => logIn('10.4.0.4', `parallel guess ${i}`)));
    const codes = responses.map((response) => codesOf(response)[0]).sort();
    expect(codes).toEqual([...Array(7).fill('RATE_LIMITED'), ...Array(3).fill('UNAUTHENTICATED')]);
  });

  it('refuses an address after 30 failures over all e-mails', async () => {
    const guesses = Array.from({ length: 30 }, (_, i) => logIn('10.4.0.5', 'wrong password', `victim${i % 10}@login.test`));
    for (const response of await Promise.all(guesses)) expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expectLimited(await logIn('10.4.0.5', 'wrong password', 'someone-else@login.test'), 900);
    expectLimited(await logIn('10.4.0.5', PASSWORD), 900);
  });
});

describe('rate limits: password checks of a signed-in member (changePassword, deleteAccount)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { RATE_LIMIT_LOGIN_FAILURES: '3', RATE_LIMIT_WRITES_PER_MINUTE: '100', TRUST_PROXY: '1' } });
  });
  afterAll(() => t.stop());

  const changePassword = (token: string, currentPassword: string, address: string) =>
    t.gql(CHANGE_PASSWORD, { input: { currentPassword, newPassword: 'a brand new passphrase' } }, token, from(address));
  const deleteAccount = (token: string, password: string, address: string) => t.gql(DELETE_ACCOUNT, { input: { password } }, token, from(address));

  it('refuses the member after 3 wrong passwords over both mutations and all addresses, even the right one; nothing changes', async () => {
    const [victim, other] = await Promise.all([t.signUp(), t.signUp()]);
    expect(codesOf(await changePassword(victim.token, 'a wrong guess 1', '10.7.0.1'))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await deleteAccount(victim.token, 'a wrong guess 2', '10.7.0.2'))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await changePassword(victim.token, 'a wrong guess 3', '10.7.0.3'))).toEqual(['BAD_USER_INPUT']);
    // The token's holder changes address at will: the count is the member's.
    expectLimited(await changePassword(victim.token, PASSWORD, '10.7.0.4'), 900);
    expectLimited(await deleteAccount(victim.token, PASSWORD, '10.7.0.5'), 900);
    // Nothing changed: the old password still logs in, the account is there.
    expect(expectOk(await t.gql(VIEWER, {}, victim.token)).viewer).not.toBeNull();
    // Another member at the same address is not affected.
    expect(expectOk(await changePassword(other.token, PASSWORD, '10.7.0.1')).changePassword!.revokedTokenCount).toBe(0);
  });

  it('counts only wrong passwords: a too-short new password or a success costs nothing', async () => {
    const member = await t.signUp();
    for (let i = 0; i < 5; i++) {
      const short = await t.gql(CHANGE_PASSWORD, { input: { currentPassword: PASSWORD, newPassword: 'short' } }, member.token, from('10.7.1.1'));
      expect(codesOf(short)).toEqual(['BAD_USER_INPUT']);
      expect(short.errors![0].extensions.field).toBe('input.newPassword');
    }
    expect(codesOf(await changePassword(member.token, 'a wrong guess', '10.7.1.1'))).toEqual(['BAD_USER_INPUT']);
    expectOk(await changePassword(member.token, PASSWORD, '10.7.1.1'));
  });

  it('lets at most 3 of 10 simultaneous guesses reach the password check', async () => {
    const member = await t.signUp();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => changePassword(member.token, `parallel guess ${i}`, `10.7.2.${i}`)));
    const codes = responses.map((response) => codesOf(response)[0]).sort();
    expect(codes).toEqual([...Array(3).fill('BAD_USER_INPUT'), ...Array(7).fill('RATE_LIMITED')]);
  });
});

describe('rate limits: account operations count as writes', () => {
  it('updateProfile, changePassword and deleteAccount are refused once the member used up the write limit', async () => {
    const t = await startTestServer({ env: { RATE_LIMIT_WRITES_PER_MINUTE: '2', TRUST_PROXY: '1' } });
    try {
      const member = await t.signUp();
      expectOk(await t.gql(UPDATE_PROFILE, { input: { title: 'CIO' } }, member.token));
      expectOk(await t.gql(UPDATE_PROFILE, { input: { title: 'CTO' } }, member.token));
      expectLimited(await t.gql(UPDATE_PROFILE, { input: { title: 'CISO' } }, member.token), 60);
      expectLimited(await t.gql(CHANGE_PASSWORD, { input: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' } }, member.token), 60);
      expectLimited(await t.gql(DELETE_ACCOUNT, { input: { password: PASSWORD } }, member.token), 60);
      expect(expectOk(await t.gql(VIEWER, {}, member.token)).viewer).toMatchObject({ title: 'CTO' });
    } finally {
      await t.stop();
    }
  });
});

describe('rate limits: logIn failures per e-mail over all addresses', () => {
  it('after 20 failures from 10 addresses, stops addresses that failed but not a member logging in from elsewhere', async () => {
    // Per e-mail and address 2 per 15 minutes; per e-mail over all addresses 20 per hour.
    const t = await startTestServer({ env: { RATE_LIMIT_LOGIN_FAILURES: '2', TRUST_PROXY: '1' } });
    try {
      const email = 'distributed@login.test';
      expectOk(await t.gql(SIGN_UP, { input: { email, password: PASSWORD, title: 'CISO', companySize: 'EMPLOYEES_2_TO_10' } }));
      const logIn = (address: string, password: string) => t.gql(LOG_IN, { input: { email, password } }, null, from(address));
      const guesses = Array.from({ length: 20 }, (_, i) => logIn(`10.5.0.${(i % 10) + 1}`, `guess ${i}`));
      for (const response of await Promise.all(guesses)) expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
      // A new address gets its first try, and after one failure it is stopped (its own limit would allow 2).
      expect(codesOf(await logIn('10.5.1.1', 'one more guess'))).toEqual(['UNAUTHENTICATED']);
      expectLimited(await logIn('10.5.1.1', 'and another'), 3600);
      // The member, from an address that has not failed, logs in.
      expectOk(await logIn('10.5.2.1', PASSWORD));
    } finally {
      await t.stop();
    }
  });
});

describe('rate limits: subscribes over the WebSocket', () => {
  let t: TestServer;
  let threadId: string;
  let reader: { token: string };
  const sockets: RawSocket[] = [];

  beforeAll(async () => {
    t = await startTestServer({ env: { RATE_LIMIT_SUBSCRIBES_PER_CONNECTION: '3', RATE_LIMIT_SUBSCRIBES_PER_ADDRESS: '5', TRUST_PROXY: '1' } });
    const author = await t.signUp();
    reader = await t.signUp();
    threadId = expectOk(await createThread(t, author.token, 'Watched')).createThread.thread.id;
  });
  afterEach(() => {
    while (sockets.length > 0) sockets.pop()!.socket.terminate();
  });
  afterAll(() => t.stop());

  async function open(address: string): Promise<RawSocket> {
    const raw = await rawSocket(t, from(address));
    sockets.push(raw);
    raw.send({ type: 'connection_init', payload: {} });
    await raw.frame((frame) => frame.type === 'connection_ack');
    return raw;
  }

  /** Subscribes as `id`; resolves with its first frame (`next` with the snapshot, or `error`). */
  function subscribe(raw: RawSocket, id: string): Promise<Frame> {
    raw.send({ id, type: 'subscribe', payload: { query: WATCH_STATS, variables: { id: threadId } } });
    return raw.frame((frame) => frame.id === id);
  }

  it("refuses a socket's 4th subscribe within 10 s with an error for that operation; its other subscriptions go on", async () => {
    const raw = await open('10.7.0.1');
    for (const id of ['1', '2', '3']) expect((await subscribe(raw, id)).type).toBe('next');
    const refused = await subscribe(raw, '4');
    expect(refused.type).toBe('error');
    expect(refused.payload.map((error: ResponseError) => error.extensions.code)).toEqual(['RATE_LIMITED']);
    expect(refused.payload[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.payload[0].extensions.retryAfter).toBeLessThanOrEqual(10);

    expectOk(await t.gql(RECORD_VIEW, { input: { postId: threadId } }, reader.token));
    for (const id of ['1', '2', '3']) {
      const update = await raw.frame((frame) => frame.id === id && frame.type === 'next' && frame.payload.data.postStatsUpdated.viewCount === 1);
      expect(update.payload.errors).toBeUndefined();
    }
  });

  it('refuses the 6th subscribe from one address over all its sockets; another address subscribes', async () => {
    const [first, second] = [await open('10.7.0.2'), await open('10.7.0.2')];
    for (const id of ['1', '2', '3']) expect((await subscribe(first, id)).type).toBe('next');
    for (const id of ['1', '2']) expect((await subscribe(second, id)).type).toBe('next');
    const refused = await subscribe(second, '3');
    expect(refused.type).toBe('error');
    expect(refused.payload[0].extensions.code).toBe('RATE_LIMITED');
    expect((await subscribe(await open('10.7.0.3'), '1')).type).toBe('next');
  });
});

const SIGN_UP = typed<{ signUp: { token: string } }>(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`);
const CHANGE_PASSWORD = typed<{ changePassword: { revokedTokenCount: number } | null }>(
  `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { revokedTokenCount } }`,
);
const UPDATE_PROFILE = typed<{ updateProfile: { member: { title: string } } | null }>(
  `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { member { title } } }`,
);
const VIEWER = typed<{ viewer: { id: string; title: string } | null }>(`query { viewer { id title } }`);
const LOG_IN = typed<{ logIn: { token: string } }>(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`);
interface CreateThreadResult {
  createThread: { thread: { id: string } };
}
const CREATE_THREAD = typed<CreateThreadResult>(`mutation ($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`);
const ADD_COMMENT = typed<{ addComment: { comment: { id: string } } }>(`mutation ($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }`);
const ADD_UPVOTE = typed<{ addUpvote: { subject: { id: string } } }>(`mutation ($input: AddUpvoteInput!) { addUpvote(input: $input) { subject { id } } }`);
const RECORD_VIEW = typed<{ recordView: { post: { id: string } } }>(`mutation ($input: RecordViewInput!) { recordView(input: $input) { post { id } } }`);
const READ_STATS = typed<{ post: { stats: { viewCount: number; upvoteCount: number; commentCount: number } } }>(
  `query ($id: ID!) { post(id: $id) { stats { viewCount upvoteCount commentCount } } }`,
);
const WATCH_STATS = `subscription ($id: ID!) { postStatsUpdated(postId: $id) { viewCount upvoteCount commentCount } }`;
