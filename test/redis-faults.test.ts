/**
 * Scale-out faults (issue 4, "Faults"): two in-process servers A and B on
 * one PostgreSQL database relay live events through a Redis server of this
 * test's own, which the test stops and restarts. While Redis is away,
 * mutations still commit and return, reads stay right, publish failures are
 * counted, /healthz says 200 and nothing rejects unhandled; when it is back,
 * A's subscribers get fresh snapshots of what B changed meanwhile (pub/sub
 * is at-most-once: the repair comes from the database), every missed comment
 * once and in order, and live updates flow again, without a restart. A server
 * started while Redis is unreachable starts anyway and joins by itself once
 * Redis appears.
 */
import { ChildProcess, spawn } from 'node:child_process';
import Module from 'node:module';
import net from 'node:net';
import type { Client } from 'graphql-ws';
import { ADD_COMMENT, ADD_UPVOTE, CAST_VOTE, CREATE_POLL, Document, READ_RESULTS, READ_STATS, WATCH_RESULTS, WATCH_STATS, typed } from './helpers/documents';
import { collect, Collected, connect, last, PollResultsMessage } from './helpers/live';
import { describeWithScaleServers, freshPostgresDatabase, ownRedis, RedisProcess } from './helpers/scale';
import { startTestServer, TestServer } from './helpers/server';

/**
 * The real process, to spy on its 'unhandledRejection'. In a Jest test file
 * `process` is a sandbox copy with events of its own: a listener on it is
 * never called (tried: 0 calls for 2 rejections). Node's own loader hands
 * back the host process. (Jest also fails the running test on an unhandled
 * rejection; the spy also covers the moments between tests.)
 */
const hostProcess = (Module as unknown as { _load(request: string): NodeJS.Process })._load('node:process');

type Results = PollResultsMessage;

interface Stats {
  id: string;
  postId: string;
  viewCount: number;
  upvoteCount: number;
  commentCount: number;
}

interface Member {
  token: string;
  id: string;
}

interface Poll {
  id: string;
  options: Array<{ id: string }>;
}

describeWithScaleServers('scale-out: Redis faults', { needsRedisServerBinary: true })('scale-out: Redis faults', () => {
  let db: { url: string; drop: () => Promise<void> };
  let redis: RedisProcess;
  let a: TestServer;
  let b: TestServer;
  const clients: Client[] = [];
  const unhandledRejection = jest.fn();
  const uncaughtException = jest.fn();

  // What the three subscriptions on A have received, and what B wrote (shared by the steps below, in order).
  let author: Member;
  let voters: Member[];
  let poll: Poll;
  let results: Collected<{ pollResultsUpdated: Results }>;
  let stats: Collected<{ postStatsUpdated: Stats }>;
  let comments: Collected<{ commentAdded: { cursor: string; node: { id: string; body: string } } }>;
  const written: string[] = [];

  const startServer = (redisUrl: string) => startTestServer({ databaseUrl: () => db.url, env: { REDIS_URL: redisUrl, DEMO_DATA: '0' } });

  beforeAll(async () => {
    hostProcess.on('unhandledRejection', unhandledRejection);
    // A monitor only observes: it does not change how an uncaught exception is handled.
    hostProcess.on('uncaughtExceptionMonitor', uncaughtException);
    db = await freshPostgresDatabase();
    redis = await ownRedis();
    [a, b] = await Promise.all([startServer(redis.url), startServer(redis.url)]);
    expect(await a.probe.relay()!.ready(5000)).toBe(true);
    expect(await b.probe.relay()!.ready(5000)).toBe(true);
  });

  afterAll(async () => {
    hostProcess.off('unhandledRejection', unhandledRejection);
    hostProcess.off('uncaughtExceptionMonitor', uncaughtException);
  });

  function client(on: TestServer, token?: string): Client {
    const created = connect(on, token);
    clients.push(created);
    return created;
  }

  async function mutate<T>(on: TestServer, document: Document<T>, input: Record<string, unknown>, token: string): Promise<T> {
    const result = await on.gql(document, { input }, token);
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  const vote = (on: TestServer, member: Member, option: number) =>
    mutate(on, CAST_VOTE, { pollId: poll.id, optionIds: [poll.options[option].id] }, member.token);

  async function comment(on: TestServer, member: Member, body: string, parentId?: string): Promise<string> {
    const id = (await mutate(on, ADD_COMMENT, { postId: poll.id, body, ...(parentId ? { parentId } : {}) }, member.token)).addComment.comment.id;
    written.push(id);
    return id;
  }

  const readResults = async (on: TestServer): Promise<Results> => (await on.gql(READ_RESULTS, { id: poll.id })).data!.post!.results;
  const readStats = async (on: TestServer): Promise<Stats> => (await on.gql(READ_STATS, { id: poll.id })).data!.post!.stats;
  const healthz = async (on: TestServer) => (await fetch(`${on.baseUrl}/healthz`)).status;
  const commentIds = () => comments.messages.map((message) => message.data!.commentAdded.node.id);
  const versions = () => results.messages.map((message) => message.data!.pollResultsUpdated.version);

  it('delivers a vote and a comment made on B to subscribers on A', async () => {
    author = await b.signUp();
    voters = await Promise.all([b.signUp(), b.signUp(), b.signUp()]);
    poll = (await mutate(b, CREATE_POLL, { title: 'Which incident tool do you use?', options: ['PagerDuty', 'Opsgenie', 'Home-grown'] }, author.token))
      .createPoll.poll;

    const onA = client(a);
    results = collect(onA, WATCH_RESULTS, { id: poll.id });
    stats = collect(onA, WATCH_STATS, { id: poll.id });
    comments = collect(onA, COMMENT_ADDED, { postId: poll.id });
    // Snapshot subscriptions send the current state at once; commentAdded has no snapshot: wait for its registration.
    await results.until((m) => m.length === 1);
    await stats.until((m) => m.length === 1);
    await waitFor(() => a.probe.liveHub.feedSizes().comments === 1, 'the commentAdded subscription on A');
    expect(last<Results>(results, 'pollResultsUpdated')).toMatchObject({ version: 0, totalVotes: 0 });

    const receivedBefore = a.probe.relay()!.stats.received;
    await vote(b, voters[0], 0);
    const first = await comment(b, voters[0], 'PagerDuty, with a home-grown escalation bot.');

    await results.until((m) => m[m.length - 1]?.data?.pollResultsUpdated.version === 1);
    expect(last<Results>(results, 'pollResultsUpdated')).toEqual(await readResults(b));
    expect(last<Results>(results, 'pollResultsUpdated').options.map((option) => option.voteCount)).toEqual([1, 0, 0]);
    await comments.until((m) => m.length === 1);
    expect(commentIds()).toEqual([first]);
    await stats.until((m) => m[m.length - 1]?.data?.postStatsUpdated.commentCount === 1);
    expect(last<Stats>(stats, 'postStatsUpdated')).toEqual(await readStats(b));
    // It came through Redis: A received B's events.
    expect(a.probe.relay()!.stats.received).toBeGreaterThan(receivedBefore);
  });

  it('keeps serving while Redis is down: mutations commit, reads are right, failures are counted, nothing crashes', async () => {
    expect(poll).toBeDefined();
    const relayB = b.probe.relay()!;
    const { published, publishFailures } = relayB.stats;
    const warn = jest.spyOn(b.probe.logger, 'warn');
    const seenOnA = { results: results.messages.length, stats: stats.messages.length, comments: comments.messages.length };

    await redis.stop();
    // Votes (one changed), an upvote and comments (a reply among them), all on B.
    await vote(b, voters[1], 1);
    await vote(b, voters[2], 1);
    await vote(b, voters[0], 2);
    await mutate(b, ADD_UPVOTE, { subjectId: poll.id }, voters[1].token);
    const top = await comment(b, voters[1], 'Opsgenie since the migration.');
    await comment(b, voters[2], 'How did the migration go?', top);
    await comment(b, author, 'Home-grown works until it does not.');
    const mutations = 7;

    // Reads are right on both instances (one database).
    const expected = await readResults(b);
    expect(expected).toMatchObject({ version: 4, totalVotes: 3, participantCount: 3 });
    expect(expected.options.map((option) => option.voteCount)).toEqual([0, 2, 1]);
    expect(await readResults(a)).toEqual(expected);
    expect(await readStats(b)).toMatchObject({ upvoteCount: 1, commentCount: 4 });
    expect(await readStats(a)).toEqual(await readStats(b));
    const listed = (await a.gql(POST_COMMENTS, { id: poll.id })).data!.post.comments.edges.map((edge) => edge.node.id);
    expect(listed).toEqual([written[0], written[1], written[3]]);

    // Every event B could not send was counted (and logged), none was counted as published.
    await waitFor(() => relayB.stats.publishFailures - publishFailures >= mutations, 'publish failures to be counted');
    expect(relayB.stats.published).toBe(published);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/publish/), expect.objectContaining({ publishFailures: expect.any(Number) }));
    warn.mockRestore();

    expect(await healthz(a)).toBe(200);
    expect(await healthz(b)).toBe(200);
    expect(unhandledRejection).not.toHaveBeenCalled();
    expect(uncaughtException).not.toHaveBeenCalled();
    // Nothing could tell A meanwhile: what it gets after Redis returns is the repair.
    expect({ results: results.messages.length, stats: stats.messages.length, comments: comments.messages.length }).toEqual(seenOnA);
  });

  it('repairs A from the database when Redis is back, then delivers live updates again, without restarts', async () => {
    expect(written).toHaveLength(4);
    const resyncsBefore = a.probe.relay()!.stats.resyncs;
    const expectedResults = await readResults(b);
    const expectedStats = await readStats(b);

    await redis.start();
    // ioredis retries at most every 2 s: the snapshots follow within a few seconds.
    await results.until((m) => m[m.length - 1]?.data?.pollResultsUpdated.version === expectedResults.version, 8000);
    expect(last<Results>(results, 'pollResultsUpdated')).toEqual(expectedResults);
    await stats.until((m) => m[m.length - 1]?.data?.postStatsUpdated.commentCount === expectedStats.commentCount, 8000);
    expect(last<Stats>(stats, 'postStatsUpdated')).toEqual(expectedStats);
    // Every comment written meanwhile (the reply too), once each, in commit order.
    await comments.until((m) => m.length >= written.length, 8000);
    expect(commentIds()).toEqual(written);
    expect(a.probe.relay()!.stats.resyncs).toBeGreaterThan(resyncsBefore);

    // Live again: wait until both relays are connected (and subscribed), then B's next changes reach A.
    expect(await a.probe.relay()!.ready(5000)).toBe(true);
    expect(await b.probe.relay()!.ready(5000)).toBe(true);
    await vote(b, voters[1], 0);
    const after = await comment(b, voters[0], 'Back online.');
    await results.until((m) => m[m.length - 1]?.data?.pollResultsUpdated.version === expectedResults.version + 1);
    expect(last<Results>(results, 'pollResultsUpdated')).toEqual(await readResults(b));
    await comments.until((m) => m.length >= written.length);
    expect(commentIds()).toEqual(written);
    expect(written[written.length - 1]).toBe(after);
    await stats.until((m) => m[m.length - 1]?.data?.postStatsUpdated.commentCount === expectedStats.commentCount + 1);
    expect(last<Stats>(stats, 'postStatsUpdated')).toEqual(await readStats(b));

    // Versions only ever went up, on every message A sent; nothing errored; nothing crashed.
    versions()
      .slice(1)
      .forEach((version, i) => expect(version).toBeGreaterThan(versions()[i]));
    for (const feed of [results, stats, comments]) {
      expect(feed.errors).toBeNull();
      expect(feed.messages.every((message) => message.errors === undefined)).toBe(true);
    }
    expect(b.probe.relay()!.stats.published).toBeGreaterThan(0);
    expect(unhandledRejection).not.toHaveBeenCalled();
    expect(uncaughtException).not.toHaveBeenCalled();
  });

  it('starts without Redis, serves, and joins by itself when Redis appears on its port', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let late: ChildProcess | null = null;
    let c: TestServer | undefined;
    let d: TestServer | undefined;
    try {
      // Two instances, both started while nothing listens on the Redis port.
      const started = Date.now();
      [c, d] = await Promise.all([startServer(url), startServer(url)]);
      expect(Date.now() - started).toBeLessThan(6000);
      expect(await healthz(c)).toBe(200);
      expect(await healthz(d)).toBe(200);

      const member = await c.signUp();
      const created = (await mutate(c, CREATE_POLL, { title: 'On-call rota length?', options: ['One week', 'Two weeks'] }, member.token)).createPoll
        .poll as Poll;
      const onC = client(c);
      const watch = collect<{ pollResultsUpdated: Results }>(onC, WATCH_RESULTS, { id: created.id });
      await watch.until((m) => m.length === 1);
      // A vote on D while Redis is absent: committed, answered, counted as a failed publish.
      const failuresBefore = d.probe.relay()!.stats.publishFailures;
      await mutate(d, CAST_VOTE, { pollId: created.id, optionIds: [created.options[0].id] }, member.token);
      await waitFor(() => d!.probe.relay()!.stats.publishFailures > failuresBefore, 'a failed publish on D');
      expect((await d.gql(READ_RESULTS, { id: created.id })).data!.post!.results).toMatchObject({ version: 1, totalVotes: 1 });

      late = await startRedisOn(port);
      // Both connect by themselves; C's subscriber is repaired with what D wrote meanwhile.
      expect(await c.probe.relay()!.ready(8000)).toBe(true);
      expect(await d.probe.relay()!.ready(8000)).toBe(true);
      await watch.until((m) => m[m.length - 1]?.data?.pollResultsUpdated.version === 1, 5000);

      // And live updates now travel both ways: D -> C ...
      const other = await d.signUp();
      await mutate(d, CAST_VOTE, { pollId: created.id, optionIds: [created.options[1].id] }, other.token);
      await watch.until((m) => m[m.length - 1]?.data?.pollResultsUpdated.version === 2);
      expect(last<Results>(watch, 'pollResultsUpdated').options.map((option) => option.voteCount)).toEqual([1, 1]);
      // ... and C -> D.
      const onD = client(d);
      const watchD = collect<{ pollResultsUpdated: Results }>(onD, WATCH_RESULTS, { id: created.id });
      await watchD.until((m) => m.length === 1);
      await mutate(c, CAST_VOTE, { pollId: created.id, optionIds: [created.options[1].id] }, member.token);
      await watchD.until((m) => m[m.length - 1]?.data?.pollResultsUpdated.version === 3);
      expect(last<Results>(watchD, 'pollResultsUpdated').options.map((option) => option.voteCount)).toEqual([0, 2]);
      expect(d.probe.relay()!.stats.published).toBeGreaterThan(0);
      expect(c.probe.relay()!.stats.published).toBeGreaterThan(0);
      expect(unhandledRejection).not.toHaveBeenCalled();
      expect(uncaughtException).not.toHaveBeenCalled();
    } finally {
      await Promise.all(clients.splice(0).map((each) => each.dispose()));
      await Promise.all([c?.stop(), d?.stop()]);
      if (late && late.exitCode === null) {
        const exited = new Promise((resolve) => late!.once('exit', resolve));
        late.kill('SIGKILL');
        await exited;
      }
    }
  });
});

/** Polls `predicate` until it holds (for state that has no event to await); fails after `timeoutMs`. */
async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A port nothing listens on (yet). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A redis-server of this test's own on a chosen port, started late (the caller kills it). */
async function startRedisOn(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let failed: Error | null = null;
  child.once('error', (error) => (failed = error)); // e.g. no redis-server on this machine
  await waitFor(
    () => {
      if (failed) throw failed;
      return listening(port);
    },
    `redis-server on port ${port}`,
    10_000,
  );
  return child;
}

const COMMENT_ADDED = `subscription CommentAdded($postId: ID!) { commentAdded(postId: $postId) { cursor node { id body } } }`;
const POST_COMMENTS = typed<{ post: { comments: { edges: Array<{ node: { id: string } }> } } }>(
  `query Comments($id: ID!) { post(id: $id) { comments(first: 100, orderBy: OLDEST) { edges { node { id } } } } }`,
);
