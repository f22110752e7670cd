/**
 * Rate limits when scaled out: with REDIS_URL the counts are shared, so a limit holds across two
 * instances of one deployment (and only of that deployment: keys are namespaced per database);
 * when Redis is unreachable, at start-up or later, every limit falls back to per-process memory
 * at once: requests are still served and still limited, never refused or held because the
 * store is down.
 */
import net from 'node:net';
import { typed } from './helpers/documents';
import { RawSocket, rawSocket } from './helpers/live';
import { describeWithScaleServers, freshPostgresDatabase, ownRedis, RedisProcess, SCALE_REDIS_URL } from './helpers/scale';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

const PASSWORD = 'correct horse battery';
const from = (address: string) => ({ 'x-forwarded-for': address });

function expectLimited(response: GraphQLResponse): void {
  expect(codesOf(response)).toEqual(['RATE_LIMITED']);
  expect(response.errors![0].extensions!.retryAfter).toBeGreaterThanOrEqual(1);
}

function expectOk<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

/** Polls `predicate` until it holds; fails after `timeoutMs`. */
async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const signUp = (t: TestServer, email: string, address: string) =>
  t.gql(SIGN_UP, { input: { email, password: PASSWORD, title: 'CIO', companySize: 'EMPLOYEES_2_TO_10' } }, null, from(address));
const createThread = (t: TestServer, token: string, title: string) => t.gql(CREATE_THREAD, { input: { title, body: 'Body.' } }, token);

const LIMITS = {
  RATE_LIMIT_WRITES_PER_MINUTE: '3',
  RATE_LIMIT_LOGIN_FAILURES: '3',
  RATE_LIMIT_SIGNUPS_PER_HOUR: '2',
  RATE_LIMIT_SUBSCRIBES_PER_ADDRESS: '2',
  TRUST_PROXY: '1',
};

describeWithScaleServers('rate limits across two instances (PostgreSQL + Redis)')('rate limits across two instances on Redis', () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: TestServer;
  let b: TestServer;
  const sockets: RawSocket[] = [];

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    [a, b] = await Promise.all([0, 1].map(() => startTestServer({ database: database.url, env: { REDIS_URL: SCALE_REDIS_URL, ...LIMITS } })));
    await waitFor(() => a.probe.rateLimits.isShared() && b.probe.rateLimits.isShared(), 'both instances counting in Redis');
  });
  afterAll(async () => {
    for (const raw of sockets) raw.socket.terminate();
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it("hold a member's writes over both instances", async () => {
    const member = expectOk(await signUp(a, 'writer@scale.test', '10.20.0.1')).signUp;
    expectOk(await createThread(a, member.token, 'Scale one'));
    expectOk(await createThread(b, member.token, 'Scale two'));
    expectOk(await createThread(a, member.token, 'Scale three'));
    expectLimited(await createThread(b, member.token, 'Scale refused'));
    expectLimited(await createThread(a, member.token, 'Scale refused'));
    expect(expectOk(await b.gql(`{ posts(search: "Scale refused") { totalCount } }`)).posts.totalCount).toBe(0);
  });

  it('hold signUps per address and logIn failures over both instances', async () => {
    expectOk(await signUp(a, 'first@scale.test', '10.20.1.1'));
    expectOk(await signUp(b, 'second@scale.test', '10.20.1.1'));
    expectLimited(await signUp(a, 'third@scale.test', '10.20.1.1'));

    const logIn = (t: TestServer, password: string) => t.gql(LOG_IN, { input: { email: 'first@scale.test', password } }, null, from('10.20.1.2'));
    expect(codesOf(await logIn(a, 'wrong one'))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await logIn(b, 'wrong two'))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await logIn(a, 'wrong three'))).toEqual(['UNAUTHENTICATED']);
    expectLimited(await logIn(b, PASSWORD));
  });

  it('count an anonymous view once per address and post over both instances', async () => {
    const author = expectOk(await signUp(a, 'author@scale.test', '10.20.2.1')).signUp;
    const postId = expectOk(await createThread(a, author.token, 'Viewed on both')).createThread.thread.id;
    const view = (t: TestServer) => t.gql(RECORD_VIEW, { input: { postId } }, null, from('10.20.2.2'));
    expect(expectOk(await view(a)).recordView.post.viewCount).toBe(1);
    expect(expectOk(await view(b)).recordView.post.viewCount).toBe(1);
  });

  it('hold subscribes per address over sockets on both instances', async () => {
    const author = expectOk(await signUp(b, 'watched@scale.test', '10.20.3.1')).signUp;
    const postId = expectOk(await createThread(b, author.token, 'Watched on both')).createThread.thread.id;
    const subscribe = async (t: TestServer, id: string) => {
      const raw = await rawSocket(t, from('10.20.3.2'));
      sockets.push(raw);
      raw.send({ type: 'connection_init', payload: {} });
      await raw.frame((frame) => frame.type === 'connection_ack');
      raw.send({ id, type: 'subscribe', payload: { query: WATCH_STATS, variables: { id: postId } } });
      return raw.frame((frame) => frame.id === id);
    };
    expect((await subscribe(a, '1')).type).toBe('next');
    expect((await subscribe(b, '1')).type).toBe('next');
    const refused = await subscribe(a, '2');
    expect(refused.type).toBe('error');
    expect(refused.payload[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('are namespaced per database: another deployment on the same Redis counts apart', async () => {
    // 10.20.1.1 has used up its signUps on this deployment (above), not on another database's.
    const other = await startTestServer({ env: { REDIS_URL: SCALE_REDIS_URL, ...LIMITS } });
    try {
      await waitFor(() => other.probe.rateLimits.isShared(), 'the other deployment counting in Redis');
      expectOk(await signUp(other, 'first@other.test', '10.20.1.1'));
      expectOk(await signUp(other, 'second@other.test', '10.20.1.1'));
    } finally {
      await other.stop();
    }
  });
});

describeWithScaleServers('rate limits when Redis goes away', { needsRedisServerBinary: true })('rate limits when Redis goes away', () => {
  let redis: RedisProcess;
  let t: TestServer;
  beforeAll(async () => {
    redis = await ownRedis();
    t = await startTestServer({ env: { REDIS_URL: redis.url, RATE_LIMIT_WRITES_PER_MINUTE: '3' } });
    await waitFor(() => t.probe.rateLimits.isShared(), 'counting in Redis');
  });
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
  });

  it('go on limiting per process while Redis is down, and count in Redis again once it is back', async () => {
    const member = await t.signUp();
    expectOk(await createThread(t, member.token, 'Before the outage'));
    expectOk(await createThread(t, member.token, 'Before the outage'));

    await redis.stop();
    await waitFor(() => !t.probe.rateLimits.isShared(), 'the server to notice');
    // The memory twin starts from nothing: three more writes, then the limit holds again.
    for (let i = 0; i < 3; i++) expectOk(await createThread(t, member.token, 'During the outage'));
    expectLimited(await createThread(t, member.token, 'During the outage'));

    await redis.start();
    await waitFor(() => t.probe.rateLimits.isShared(), 'the server to reconnect', 15_000);
    // Redis is empty again (a fresh redis-server): a new window there.
    for (let i = 0; i < 3; i++) expectOk(await createThread(t, member.token, 'After the outage'));
    expectLimited(await createThread(t, member.token, 'After the outage'));
  });
});

describe('rate limits with Redis unreachable from the start', () => {
  let t: TestServer;
  beforeAll(async () => {
    // A port nothing listens on: connections are refused.
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    t = await startTestServer({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_WRITES_PER_MINUTE: '3', RATE_LIMIT_SIGNUPS_PER_HOUR: '2' } });
  });
  afterAll(() => t.stop());

  it('serve and limit from memory, without waiting for Redis', async () => {
    expect(t.probe.rateLimits.isShared()).toBe(false);
    const member = expectOk(await signUp(t, 'offline@redis.test', '10.21.0.1')).signUp;
    expectOk(await signUp(t, 'offline-two@redis.test', '10.21.0.1'));
    expectLimited(await signUp(t, 'offline-three@redis.test', '10.21.0.1'));
    const started = Date.now();
    for (let i = 0; i < 3; i++) expectOk(await createThread(t, member.token, 'Offline'));
    for (let i = 0; i < 3; i++) expectLimited(await createThread(t, member.token, 'Offline refused'));
    // A limiter waiting for Redis (an offline queue, a reconnect attempt) would hold each request up to
    // ioredis' 2 s retry delay; six requests within 6 s is a loose bound, not a benchmark.
    expect(Date.now() - started).toBeLessThan(6000);
  });
});

const SIGN_UP = typed<{ signUp: { token: string } }>(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`);
const LOG_IN = typed<{ logIn: { token: string } }>(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`);
const CREATE_THREAD = typed<{ createThread: { thread: { id: string } } }>(
  `mutation ($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`,
);
const RECORD_VIEW = typed<{ recordView: { post: { id: string; viewCount: number } } }>(
  `mutation ($input: RecordViewInput!) { recordView(input: $input) { post { id viewCount } } }`,
);
const WATCH_STATS = `subscription ($id: ID!) { postStatsUpdated(postId: $id) { viewCount } }`;
