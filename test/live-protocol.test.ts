/**
 * The WebSocket transport of the live API: graphql-transport-ws close codes,
 * authentication, per-operation errors, refusal of queries and mutations,
 * limits (subscriptions per connection, frame size, keep-alive), the order
 * of subscriptions on one socket, no leaks, masking, and graceful shutdown.
 */
import { spawn } from 'node:child_process';
import type net from 'node:net';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ADD_COMMENT, CAST_VOTE, CREATE_POLL, CREATE_THREAD, CreateThreadResult, SIGN_UP, SignUpResult } from './helpers/documents';
import { disposeTestLeftovers, temporaryDirectory } from './helpers/leftovers';
import { collect, connect, Frame, rawSocket, RawSocket, wsUrl } from './helpers/live';
import { ResponseError, startTestServer, TestServer } from './helpers/server';

/** LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION and LIVE_KEEPALIVE_MS of the servers below. */
const MAX_SUBSCRIPTIONS = 3;
const KEEPALIVE_MS = 200;
/** The compiled entry point `npm start` runs. */
const MAIN = path.join(__dirname, '..', 'dist', 'src', 'main.js');

/** Polls `predicate` until it holds (for state that has no event to await); fails after `timeoutMs`. */
async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A raw socket past connection_init (with `payload`) and its ack. */
async function initialised(server: TestServer, payload: Record<string, unknown> = {}): Promise<RawSocket> {
  const raw = await rawSocket(server);
  raw.send({ type: 'connection_init', payload });
  await raw.frame((frame) => frame.type === 'connection_ack');
  return raw;
}

const framesOf = (raw: RawSocket, id: string) => raw.frames.filter((frame) => frame.id === id);
const codesIn = (frame: Frame): string[] => frame.payload.map((error: ResponseError) => error.extensions?.code);

describe('live: the WebSocket protocol', () => {
  let t: TestServer;
  let author: { token: string; id: string };
  let pollId: string;
  let optionIds: string[];
  let threadId: string;

  beforeAll(async () => {
    t = await startTestServer({ env: { LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(MAX_SUBSCRIPTIONS) } });
    author = await t.signUp();
    ({ id: pollId, optionIds } = await createPoll(t, author.token, 'ALWAYS'));
    threadId = (await t.gql(CREATE_THREAD, { input: { title: 'Protocol thread', body: 'Body.' } }, author.token)).data!.createThread.thread.id;
  });

  afterEach(async () => {
    await disposeTestLeftovers();
    await waitFor(() => t.probe.liveHub.feedSizes().registry === 0, 'the registry to empty');
  });

  async function raw(payload?: Record<string, unknown>): Promise<RawSocket> {
    return payload === undefined ? await rawSocket(t) : await initialised(t, payload);
  }

  function client(token?: string | null, onClose?: (code: number) => void): Client {
    return connect(t, token, { onClose });
  }

  /** A vote by a fresh member, so every pollResultsUpdated subscriber of the poll gets a message. */
  async function vote(): Promise<void> {
    const voter = await t.signUp();
    const result = await t.gql(CAST_VOTE, { input: { pollId, optionIds: [optionIds[0]] } }, voter.token);
    expect(result.errors).toBeUndefined();
  }

  const subscribePoll = (socket: RawSocket, id: string, poll = pollId) =>
    socket.send({ id, type: 'subscribe', payload: { query: POLL_RESULTS, variables: { pollId: poll } } });

  describe('authentication', () => {
    it.each([
      ['an unknown token', { authorization: `Bearer ${'x'.repeat(43)}` }],
      ['a malformed header', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['a non-string authorization', { authorization: 12345 }],
    ])('closes the connection with 4403 for %s, never treating it as anonymous', async (_case, payload) => {
      const socket = await raw();
      socket.send({ type: 'connection_init', payload });
      expect((await socket.closed).code).toBe(4403);
      expect(socket.frames).toEqual([]);
    });

    it('closes with 4403 for a revoked token, seen by the graphql-ws client', async () => {
      const member = await t.signUp();
      expect((await t.gql(`mutation { logOut }`, {}, member.token)).data).toEqual({ logOut: true });
      let closeCode: number | null = null;
      const results = collect(
        client(member.token, (code) => (closeCode = code)),
        POLL_RESULTS,
        { pollId },
      );
      await results.ended();
      expect(closeCode).toBe(4403);
      expect(results.messages).toEqual([]);
    });

    it('serves anonymous connections (no token, or no connection_init payload), and signed-in ones as their member', async () => {
      const onVote = await createPoll(t, author.token, 'ON_VOTE');
      const voter = await t.signUp();
      expect((await t.gql(CAST_VOTE, { input: { pollId: onVote.id, optionIds: [onVote.optionIds[1]] } }, voter.token)).errors).toBeUndefined();

      const anonymous = collect(client(), POLL_RESULTS, { pollId: onVote.id });
      const asVoter = collect(client(voter.token), POLL_RESULTS, { pollId: onVote.id });
      const bare = await raw();
      bare.send({ type: 'connection_init' });
      await bare.frame((frame) => frame.type === 'connection_ack');
      subscribePoll(bare, 'bare', onVote.id);

      await anonymous.until((messages) => messages.length === 1);
      await asVoter.until((messages) => messages.length === 1);
      const bareFrame = await bare.frame((frame) => frame.id === 'bare');
      expect(anonymous.messages[0].data.pollResultsUpdated).toMatchObject({ isHidden: true, totalVotes: null, participantCount: 1 });
      expect(bareFrame.payload.data.pollResultsUpdated).toEqual(anonymous.messages[0].data.pollResultsUpdated);
      expect(asVoter.messages[0].data.pollResultsUpdated).toMatchObject({ isHidden: false, totalVotes: 1, participantCount: 1 });
    });
  });

  describe('protocol violations close the socket with graphql-ws codes', () => {
    it('4429 for a second connection_init', async () => {
      const socket = await raw({});
      socket.send({ type: 'connection_init', payload: {} });
      expect((await socket.closed).code).toBe(4429);
    });

    it('4401 for a subscribe before the connection is acknowledged', async () => {
      const socket = await raw();
      subscribePoll(socket, 'early');
      expect((await socket.closed).code).toBe(4401);
      expect(socket.frames).toEqual([]);
    });

    it('4409 for a second subscribe with the id of an active one', async () => {
      const socket = await raw({});
      subscribePoll(socket, 'same');
      await socket.frame((frame) => frame.id === 'same' && frame.type === 'next');
      subscribePoll(socket, 'same');
      expect((await socket.closed).code).toBe(4409);
    });

    it.each([
      ['text that is not JSON', 'hello'],
      ['an unknown message type', JSON.stringify({ type: 'shout', id: '1' })],
      ['a subscribe without a query', JSON.stringify({ type: 'subscribe', id: '1', payload: {} })],
    ])('4400 for %s', async (_case, frame) => {
      const socket = await raw({});
      socket.send(frame);
      expect((await socket.closed).code).toBe(4400);
    });
  });

  describe('per-operation errors', () => {
    it('answers a document that fails to parse or validate with an error for that operation only; the others keep streaming', async () => {
      const socket = await raw({});
      subscribePoll(socket, 'good');
      await socket.frame((frame) => frame.id === 'good');
      socket.send({ id: 'unparsable', type: 'subscribe', payload: { query: 'subscription { pollResultsUpdated(' } });
      socket.send({ id: 'unknown-field', type: 'subscribe', payload: { query: 'subscription { pollResultsUpdated(pollId: "x") { secret } }' } });
      socket.send({ id: 'missing-argument', type: 'subscribe', payload: { query: 'subscription { pollResultsUpdated { version } }' } });
      socket.send({
        id: 'two-fields',
        type: 'subscribe',
        payload: { query: `subscription { a: pollResultsUpdated(pollId: "${pollId}") { version } b: postStatsUpdated(postId: "${threadId}") { viewCount } }` },
      });
      socket.send({ id: 'bad-variable', type: 'subscribe', payload: { query: POLL_RESULTS, variables: {} } });
      socket.send({ id: 'wrong-variable-type', type: 'subscribe', payload: { query: POLL_RESULTS, variables: { pollId: { nested: true } } } });
      socket.send({ id: 'unknown-poll', type: 'subscribe', payload: { query: POLL_RESULTS, variables: { pollId: unknownId('Poll') } } });
      const expected: Record<string, string> = {
        unparsable: 'GRAPHQL_PARSE_FAILED',
        'unknown-field': 'GRAPHQL_VALIDATION_FAILED',
        'missing-argument': 'GRAPHQL_VALIDATION_FAILED',
        'two-fields': 'GRAPHQL_VALIDATION_FAILED',
        // As over HTTP: variables that do not fit their types are the client's input error.
        'bad-variable': 'BAD_USER_INPUT',
        'wrong-variable-type': 'BAD_USER_INPUT',
        'unknown-poll': 'NOT_FOUND',
      };
      for (const [id, code] of Object.entries(expected)) {
        const frame = await socket.frame((f) => f.id === id);
        expect({ id, type: frame.type, codes: [...new Set(codesIn(frame))] }).toEqual({ id, type: 'error', codes: [code] });
        expect(framesOf(socket, id)).toHaveLength(1);
      }
      // Like HTTP: no stack traces, no internals.
      for (const text of socket.rawFrames) expect(text).not.toMatch(/stacktrace|\s+at\s+\S+\s+\(|node_modules/);

      await vote();
      await socket.frame((frame) => frame.id === 'good' && frame.payload.data.pollResultsUpdated.version === 1);
      expect(socket.socket.readyState).toBe(WebSocket.OPEN);
      expect(t.probe.liveHub.feedSizes().polls).toBe(1);
    });

    it('refuses queries and mutations over WebSocket with BAD_REQUEST, and runs nothing', async () => {
      const member = await t.signUp();
      const on = client(member.token);
      const title = `Sent over a WebSocket ${Date.now()}`;
      const mutation = collect(on, CREATE_THREAD, { input: { title, body: 'Must not be created.' } });
      const query = collect(on, `{ viewer { id } }`);
      const upvote = collect(on, `mutation ($id: ID!) { addUpvote(input: { subjectId: $id }) { subject { id } } }`, { id: threadId });
      for (const refused of [mutation, query, upvote]) {
        await refused.ended();
        expect(refused.messages).toEqual([]);
        expect(refused.errors!.map((error) => error.extensions?.code)).toEqual(['BAD_REQUEST']);
      }
      const created = await t.gql(`query ($q: String!) { posts(search: $q) { totalCount } }`, { q: title });
      expect(created.data.posts.totalCount).toBe(0);
      const stats = await t.gql(`query ($id: ID!) { post(id: $id) { upvoteCount viewerHasUpvoted } }`, { id: threadId }, member.token);
      expect(stats.data.post).toEqual({ upvoteCount: 0, viewerHasUpvoted: false });
    });

    it('masks unexpected failures like HTTP: INTERNAL_SERVER_ERROR with a request id, nothing internal', async () => {
      const socket = await raw({});
      const posts = t.probe.services.posts;
      const spy = jest.spyOn(posts, 'findByIds').mockRejectedValueOnce(new Error('SQLITE_ERROR: no such column: secret_column'));
      try {
        socket.send({ id: 'failing', type: 'subscribe', payload: { query: POST_STATS, variables: { postId: threadId } } });
        const frame = await socket.frame((f) => f.id === 'failing');
        expect(frame.type).toBe('error');
        expect(frame.payload).toEqual([
          { message: expect.any(String), path: ['postStatsUpdated'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(/\S/) } },
        ]);
      } finally {
        spy.mockRestore();
      }

      // A failure while resolving a pushed message: that message carries the masked error, the stream goes on.
      socket.send({ id: 'comments', type: 'subscribe', payload: { query: COMMENT_ADDED, variables: { postId: threadId } } });
      await waitFor(() => t.probe.liveHub.feedSizes().comments === 1, 'the commentAdded subscription');
      const members = t.probe.services.members;
      const memberSpy = jest.spyOn(members, 'findByIds').mockRejectedValue(new Error('SQLITE_ERROR: no such column: secret_column'));
      let frame: Frame;
      try {
        expect((await t.gql(ADD_COMMENT, { input: { postId: threadId, body: 'Hello' } }, author.token)).errors).toBeUndefined();
        frame = await socket.frame((f) => f.id === 'comments');
      } finally {
        memberSpy.mockRestore();
      }
      expect(frame.type).toBe('next');
      expect(frame.payload.data.commentAdded.node).toMatchObject({ body: 'Hello', author: null });
      expect(frame.payload.errors).toEqual([
        {
          message: expect.any(String),
          path: ['commentAdded', 'node', 'author'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(/\S/) },
        },
      ]);
      for (const text of socket.rawFrames) expect(text).not.toMatch(/secret_column|SQLITE|stacktrace/);
    });
  });

  describe('limits', () => {
    it(`caps active subscriptions per connection at LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION (${MAX_SUBSCRIPTIONS})`, async () => {
      const socket = await raw({});
      for (const id of ['s1', 's2', 's3']) {
        subscribePoll(socket, id);
        await socket.frame((frame) => frame.id === id && frame.type === 'next');
      }
      subscribePoll(socket, 's4');
      const refused = await socket.frame((frame) => frame.id === 's4');
      expect(refused.type).toBe('error');
      expect(codesIn(refused)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);

      // The others keep streaming; another connection has its own allowance.
      const other = await raw({});
      subscribePoll(other, 'o1');
      await other.frame((frame) => frame.id === 'o1' && frame.type === 'next');
      await vote();
      for (const id of ['s1', 's2', 's3']) await socket.frame((frame) => frame.id === id && frame.payload.data.pollResultsUpdated.totalVotes === 1);

      // Completing one frees a slot, at once for the next message of the socket.
      socket.send({ id: 's2', type: 'complete' });
      subscribePoll(socket, 's5');
      const accepted = await socket.frame((frame) => frame.id === 's5');
      expect(accepted.type).toBe('next');
      subscribePoll(socket, 's6');
      expect(codesIn(await socket.frame((frame) => frame.id === 's6'))).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
      expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    });

    it('closes the socket with 1009 for a frame larger than LIVE_MAX_PAYLOAD_BYTES (100 KB), after accepting one just below', async () => {
      const socket = await raw({});
      // graphql-ws reports every socket error with console.error; keep the test output readable.
      const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      // The padding rides in a variable the document does not declare (ignored): a padded document would be over LIMIT_CHARACTERS.
      const padded = (bytes: number) => ({ pollId, padding: 'p'.repeat(bytes - POLL_RESULTS.length - 200) });
      socket.send({ id: 'large', type: 'subscribe', payload: { query: POLL_RESULTS, variables: padded(95 * 1024) } });
      expect((await socket.frame((frame) => frame.id === 'large')).type).toBe('next');
      socket.send({ id: 'too-large', type: 'subscribe', payload: { query: POLL_RESULTS, variables: padded(110 * 1024) } });
      expect((await socket.closed).code).toBe(1009);
      consoleError.mockRestore();
      expect(framesOf(socket, 'too-large')).toEqual([]);
      expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    });
  });

  it('registers the subscriptions of one socket in the order their subscribe messages arrive', async () => {
    const other = await createPoll(t, author.token, 'ALWAYS');
    const socket = await raw({});
    // The first subscription of each pair meets a slow database read: were the two handled side by side, the second would answer first.
    const posts = t.probe.services.posts;
    const findByIds = posts.findByIds.bind(posts);
    const spy = jest.spyOn(posts, 'findByIds');
    try {
      for (let round = 0; round < 6; round++) {
        const [first, second] = round % 2 === 0 ? [`a${round}`, `b${round}`] : [`b${round}`, `a${round}`];
        spy.mockImplementationOnce(async (ids) => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          return findByIds(ids);
        });
        subscribePoll(socket, first, first.startsWith('a') ? pollId : other.id);
        subscribePoll(socket, second, second.startsWith('a') ? pollId : other.id);
        await socket.frame((frame) => frame.id === second && frame.type === 'next');
        await socket.frame((frame) => frame.id === first && frame.type === 'next');
        const order = socket.frames.filter((frame) => frame.id === first || frame.id === second).map((frame) => frame.id);
        expect(order).toEqual([first, second]);
        socket.send({ id: first, type: 'complete' });
        socket.send({ id: second, type: 'complete' });
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('leaks nothing after 500 subscribe/unsubscribe cycles (complete messages, the client, closed sockets)', async () => {
    const live = t.probe.liveHub;
    const listeners = t.probe.events.listenerCount;
    let cycles = 0;

    // 250 on one socket: subscribe, first message, complete.
    const socket = await raw({});
    for (let i = 0; i < 250; i++) {
      const id = `c${i}`;
      if (i % 2 === 0) subscribePoll(socket, id);
      else socket.send({ id, type: 'subscribe', payload: { query: POST_STATS, variables: { postId: threadId } } });
      await socket.frame((frame) => frame.id === id && frame.type === 'next');
      socket.send({ id, type: 'complete' });
      cycles++;
    }

    // 90 completed before the server has answered (commentAdded sends nothing first), three at a time.
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 3; j++) {
        const id = `quick${i}.${j}`;
        socket.send({ id, type: 'subscribe', payload: { query: COMMENT_ADDED, variables: { postId: threadId } } });
        socket.send({ id, type: 'complete' });
        cycles++;
      }
      await waitFor(() => live.registry.size === 0, 'the quick ones to end');
    }

    // 60 through the graphql-ws client, which sends complete on unsubscribe.
    const on = client();
    for (let i = 0; i < 60; i++) {
      const results = collect(on, i % 2 ? POLL_RESULTS : POST_STATS, i % 2 ? { pollId } : { postId: threadId });
      await results.until((messages) => messages.length === 1);
      results.unsubscribe();
      cycles++;
    }

    // 102 ended by closing their socket: three per socket, half after their first messages, half at once.
    for (let i = 0; i < 34; i++) {
      const closing = await raw({});
      subscribePoll(closing, 'p');
      closing.send({ id: 's', type: 'subscribe', payload: { query: POST_STATS, variables: { postId: threadId } } });
      closing.send({ id: 'c', type: 'subscribe', payload: { query: COMMENT_ADDED, variables: { postId: threadId } } });
      cycles += 3;
      if (i % 2 === 0) {
        await closing.frame((frame) => frame.id === 's' && frame.type === 'next');
        await closing.frame((frame) => frame.id === 'p' && frame.type === 'next');
      }
      if (i % 4 < 2) closing.socket.close();
      else closing.socket.terminate();
      await closing.closed;
    }
    expect(cycles).toBeGreaterThanOrEqual(500);
    // No error frame anywhere: every subscription was accepted.
    expect(socket.frames.filter((frame) => frame.type === 'error')).toEqual([]);

    await waitFor(
      () => live.feedSizes().registry === 0 && live.feedSizes().polls + live.feedSizes().stats + live.feedSizes().comments === 0,
      'every feed to empty',
    );
    expect(live.feedSizes()).toEqual({ polls: 0, breakdowns: 0, stats: 0, comments: 0, postUpdates: 0, commentUpdates: 0, moderationQueue: 0, registry: 0 });
    expect(live.registry.byField()).toEqual({});
    expect(t.probe.events.listenerCount).toBe(listeners);
    // Still serving.
    const after = collect(on, POST_STATS, { postId: threadId });
    await after.until((messages) => messages.length === 1);
  });
});

describe('live: connection timeouts and keep-alive', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { LIVE_CONNECTION_INIT_TIMEOUT_MS: '300', LIVE_KEEPALIVE_MS: String(KEEPALIVE_MS) } });
  });

  it('closes with 4408 when connection_init does not come within LIVE_CONNECTION_INIT_TIMEOUT_MS', async () => {
    const started = Date.now();
    const socket = await rawSocket(t);
    const { code } = await socket.closed;
    expect(code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('drops a client that does not answer pings within about two intervals, and keeps one that does', async () => {
    const open = (autoPong: boolean) =>
      new Promise<{ socket: WebSocket; pings: () => number; closed: Promise<number> }>((resolve, reject) => {
        const socket = new WebSocket(wsUrl(t), 'graphql-transport-ws', { autoPong });
        let pings = 0;
        socket.on('ping', () => pings++);
        const closed = new Promise<number>((resolveClosed) => socket.on('close', (code) => resolveClosed(code)));
        socket.once('error', reject);
        socket.on('message', (data) => {
          if (JSON.parse(String(data)).type === 'connection_ack') resolve({ socket, pings: () => pings, closed });
        });
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      });
    const author = await t.signUp();
    const threadId = (await t.gql(CREATE_THREAD, { input: { title: 'Keep-alive', body: 'Body.' } }, author.token)).data!.createThread.thread.id;
    const watcher = connect(t);
    const stats = collect(watcher, POST_STATS, { postId: threadId });
    await stats.until((messages) => messages.length === 1);
    const [silent, polite] = await Promise.all([open(false), open(true)]);
    const started = Date.now();
    try {
      await silent.closed;
      expect(silent.pings()).toBeGreaterThanOrEqual(1);
      expect(Date.now() - started).toBeLessThan(2 * KEEPALIVE_MS + 600);

      // The one answering pings stays through twice that time, and so does the graphql-ws client, which still streams.
      await waitFor(() => polite.pings() >= 4, 'four pings');
      expect(polite.socket.readyState).toBe(WebSocket.OPEN);
      await t.gql(`mutation ($input: RecordViewInput!) { recordView(input: $input) { post { viewCount } } }`, { input: { postId: threadId } });
      await stats.until((messages) => messages.some((message) => message.data.postStatsUpdated.viewCount === 1));
      expect(stats.errors).toBeNull();
    } finally {
      polite.socket.terminate();
      silent.socket.terminate();
      await watcher.dispose();
    }
  });
});

describe('live: graceful shutdown of the compiled server', () => {
  const dir = temporaryDirectory('peer-community-live-stop-');

  it('closes WebSockets with 1001 on SIGTERM, also with a client that stopped reading, and exits 0 within 10 s', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        DEMO_DATA: '0',
        DATABASE_URL: `sqlite:${path.join(dir, 'stop.sqlite')}`,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line in 20 s:\n${output}`)), 20_000);
      const check = () => {
        const match = /listening at http:\/\/[^:]+:(\d+)\/graphql/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', check);
      void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
    const server = { url: `http://127.0.0.1:${port}/graphql`, baseUrl: `http://127.0.0.1:${port}` } as TestServer;

    try {
      const signUp = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: SIGN_UP,
          variables: { input: { email: 'stop@example.test', password: 'correct horse battery', title: 'CIO', companySize: 'EMPLOYEES_2_TO_10' } },
        }),
      });
      const token = ((await signUp.json()) as { data: SignUpResult }).data.signUp.token;
      const created = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: CREATE_THREAD, variables: { input: { title: 'Shutdown', body: 'Body.' } } }),
      });
      const postId = ((await created.json()) as { data: CreateThreadResult }).data.createThread.thread.id;

      let closeCode: number | null = null;
      const on = connect(server, token, { onClose: (code) => (closeCode = code) });
      const stats = collect(on, POST_STATS, { postId });
      await stats.until((messages) => messages.length === 1);

      // A client that stopped reading cannot hold the shutdown up.
      const stalled = await rawSocket(server);
      stalled.send({ type: 'connection_init' });
      await stalled.frame((frame) => frame.type === 'connection_ack');
      stalled.send({ id: 'stats', type: 'subscribe', payload: { query: POST_STATS, variables: { postId } } });
      await stalled.frame((frame) => frame.id === 'stats');
      (stalled.socket as unknown as { _socket: net.Socket })._socket.pause();

      const started = Date.now();
      child.kill('SIGTERM');
      await stats.ended(10_000);
      expect(closeCode).toBe(1001);
      expect(await exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      stalled.socket.terminate();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

/** A well-formed ID of the given kind that names nothing (IDs are base64url "<Type>:<id>"). */
const unknownId = (type: string) => Buffer.from(`${type}:999999`, 'utf8').toString('base64url');

async function createPoll(t: TestServer, token: string, resultsVisibility: string): Promise<{ id: string; optionIds: string[] }> {
  const result = await t.gql(CREATE_POLL, { input: { title: 'Which cloud do you run most on?', options: ['AWS', 'Azure', 'GCP'], resultsVisibility } }, token);
  if (!result.data?.createPoll) throw new Error(`createPoll failed: ${JSON.stringify(result.errors)}`);
  const poll = result.data.createPoll.poll;
  return { id: poll.id, optionIds: poll.options.map((option: { id: string }) => option.id) };
}

const POLL_RESULTS = `
  subscription PollResults($pollId: ID!) {
    pollResultsUpdated(pollId: $pollId) { version isHidden totalVotes participantCount options { voteCount percentage } }
  }`;
const POST_STATS = `subscription PostStats($postId: ID!) { postStatsUpdated(postId: $postId) { viewCount upvoteCount commentCount } }`;
const COMMENT_ADDED = `
  subscription CommentAdded($postId: ID!) {
    commentAdded(postId: $postId) { cursor node { id body author { byline } } }
  }`;
