/**
 * Subscription.moderationQueueUpdated over the WebSocket (graphql-ws client): moderators only
 * (checked at subscribe, and again for every message: a moderator who loses the role is ended with
 * FORBIDDEN), nothing at first, every report created or resolved exactly once in commit order,
 * replay with `after`, a constant number of statements per change whatever the number of
 * subscribers, and across two instances on PostgreSQL + Redis.
 */
import type { Client } from 'graphql-ws';
import { CREATE_THREAD, dbId, Document } from './helpers/documents';
import { collect, Collected, connect } from './helpers/live';
import { QueueMessage, REPORT_CONTENT, RESOLVE_REPORT, setRole, WATCH_QUEUE } from './helpers/reports-documents';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL } from './helpers/scale';
import { GraphQLResponse, startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function ok<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const updates = (watcher: Collected<QueueMessage>) => watcher.messages.map((message) => message.data!.moderationQueueUpdated);
const codes = (watcher: Collected<QueueMessage>) => watcher.errors?.map((error) => error.extensions.code);

/** The change number inside a cursor (tests only: clients treat cursors as opaque). */
const seqOf = (cursor: string) => (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k: number[] }).k[0];

function helpers(server: () => TestServer) {
  const mutate = async <T>(document: Document<T>, input: Record<string, unknown>, token: string): Promise<T> =>
    ok(await server().gql(document, { input }, token));
  return {
    thread: async (author: Member) => (await mutate(CREATE_THREAD, { title: 'Cheap licences, DM me', body: 'Spam' }, author.token)).createThread.thread.id,
    report: async (subjectId: string, by: Member, reason = 'SPAM') => (await mutate(REPORT_CONTENT, { subjectId, reason }, by.token)).reportContent!.report.id,
    resolve: async (reportId: string, resolution: string, by: Member) =>
      (await mutate(RESOLVE_REPORT, { reportId, resolution }, by.token)).resolveReport!.report,
  };
}

describe('moderationQueueUpdated', () => {
  let t: TestServer;
  let author: Member;
  let moderator: Member;
  let members: Member[];
  const h = helpers(() => t);
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestServer({ env: { LIVE_INTERVAL_MS: '50' } });
    [author, moderator, ...members] = await Promise.all(Array.from({ length: 30 }, () => t.signUp()));
    await setRole(t, moderator.id, 'MODERATOR');
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await waitFor(() => t.probe.liveHub.feedSizes().registry === 0, 'the registry to empty');
  });

  function client(member: Member | null): Client {
    const created = connect(t, member?.token);
    clients.push(created);
    return created;
  }

  const positioned = () => t.probe.liveHub.moderationQueue.positioned;

  /** Subscribes and waits until the server knows the subscriber's position (nothing is sent at first). */
  async function watch(member: Member, after?: string): Promise<Collected<QueueMessage>> {
    const before = positioned();
    const watcher = collect(client(member), WATCH_QUEUE, after === undefined ? {} : { after });
    await waitFor(() => positioned() > before, 'the subscription');
    return watcher;
  }

  it('permissions at subscribe: anonymous UNAUTHENTICATED, members FORBIDDEN (before the cursor is looked at), a malformed cursor BAD_USER_INPUT', async () => {
    const anonymous = collect(client(null), WATCH_QUEUE);
    await anonymous.ended();
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const member = collect(client(members[0]), WATCH_QUEUE, { after: 'nonsense' });
    await member.ended();
    expect(codes(member)).toEqual(['FORBIDDEN']);
    const malformed = collect(client(moderator), WATCH_QUEUE, { after: 'nonsense' });
    await malformed.ended();
    expect(codes(malformed)).toEqual(['BAD_USER_INPUT']);
    // A role given after the socket connected counts at subscribe: it is read then.
    const promoted = members[1];
    const socket = client(promoted);
    const before = collect(socket, WATCH_QUEUE);
    await before.ended();
    await setRole(t, promoted.id, 'MODERATOR');
    const afterPromotion = collect(socket, WATCH_QUEUE);
    await waitFor(() => positioned() === 1, 'the subscription');
    expect(afterPromotion.errors).toBeNull();
    await setRole(t, promoted.id, 'MEMBER');
  });

  it('nothing at first; then each report created or resolved once, in commit order, as the moderator sees it', async () => {
    const postId = await h.thread(author);
    const early = await h.report(postId, members[2]);
    const watcher = await watch(moderator);
    await sleep(200);
    expect(watcher.messages).toEqual([]);

    const first = await h.report(postId, members[3], 'ABUSE');
    const second = await h.report(author.id, members[3]);
    await h.resolve(early, 'DISMISSED', moderator);
    await watcher.until((m) => m.length === 3);
    const got = updates(watcher);
    expect(got.map((update) => [update.report.id, update.status])).toEqual([
      [first, 'OPEN'],
      [second, 'OPEN'],
      [early, 'DISMISSED'],
    ]);
    const seqs = got.map((update) => seqOf(update.cursor));
    expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2]);
    expect(got[0].report).toMatchObject({ reason: 'ABUSE', reporter: { id: members[3].id }, resolvedBy: null, subjectId: postId });
    expect(got[0].report.subject).toMatchObject({ id: postId, openReportCount: 2, viewerHasReported: false });
    expect(got[2].report).toMatchObject({ status: 'DISMISSED', resolvedBy: { id: moderator.id } });
    await sleep(200);
    expect(watcher.messages).toHaveLength(3);
  });

  it('replays the changes after `after` first, then the live ones; a cursor past the end is BAD_USER_INPUT', async () => {
    const postId = await h.thread(author);
    const live = await watch(moderator);
    const made = [await h.report(postId, members[4]), await h.report(postId, members[5]), await h.report(postId, members[6])];
    await live.until((m) => m.length === 3);
    const [firstCursor] = updates(live).map((update) => update.cursor);

    const resumed = collect(client(moderator), WATCH_QUEUE, { after: firstCursor });
    await resumed.until((m) => m.length === 2);
    expect(updates(resumed).map((update) => update.report.id)).toEqual(made.slice(1));
    await h.resolve(made[0], 'ACTIONED', moderator);
    await resumed.until((m) => m.length === 3);
    expect(updates(resumed)[2]).toMatchObject({ status: 'ACTIONED', report: { id: made[0] } });

    const lastSeq = seqOf(updates(resumed)[2].cursor);
    const future = Buffer.from(JSON.stringify({ o: 'QUEUE_CHANGES', k: [lastSeq + 100] }), 'utf8').toString('base64url');
    const tooFar = collect(client(moderator), WATCH_QUEUE, { after: future });
    await tooFar.ended();
    expect(codes(tooFar)).toEqual(['BAD_USER_INPUT']);
  });

  it('exactly once and in order under concurrency: 16 reports at once reach two moderators as 16 messages each', async () => {
    const postId = await h.thread(author);
    const admin = members[7];
    await setRole(t, admin.id, 'ADMIN');
    const watchers = [await watch(moderator), await watch(admin)];
    const made = await Promise.all(members.slice(8, 24).map((member) => h.report(postId, member)));
    for (const watcher of watchers) {
      await watcher.until((m) => m.length === 16);
      const got = updates(watcher);
      expect(new Set(got.map((update) => update.report.id))).toEqual(new Set(made));
      const seqs = got.map((update) => seqOf(update.cursor));
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    }
    expect(updates(watchers[0]).map((update) => update.cursor)).toEqual(updates(watchers[1]).map((update) => update.cursor));
    await sleep(200);
    for (const watcher of watchers) expect(watcher.messages).toHaveLength(16);
    await setRole(t, admin.id, 'MEMBER');
  });

  it('a moderator who loses the role is ended with FORBIDDEN (memberRoleChanged); the others keep theirs', async () => {
    const demoted = members[0];
    await setRole(t, demoted.id, 'MODERATOR');
    const losing = await watch(demoted);
    const staying = await watch(moderator);
    await setRole(t, demoted.id, 'MEMBER', true);
    await losing.ended(2000);
    expect(codes(losing)).toEqual(['FORBIDDEN']);
    const postId = await h.thread(author);
    const made = await h.report(postId, members[1]);
    await staying.until((m) => m.some((message) => message.data!.moderationQueueUpdated.report.id === made));
    expect(staying.errors).toBeNull();
  });

  it('a role lost without an event is noticed at the next change: roles are read at every flush', async () => {
    const demoted = members[2];
    await setRole(t, demoted.id, 'MODERATOR');
    const losing = await watch(demoted);
    await setRole(t, demoted.id, 'MEMBER');
    await h.report(await h.thread(author), members[3]);
    await losing.ended(2000);
    expect(codes(losing)).toEqual(['FORBIDDEN']);
    expect(losing.messages).toEqual([]);
  });

  it('costs the same statements per change for 1 moderator subscriber as for 6', async () => {
    const moderators = members.slice(10, 15);
    for (const member of moderators) await setRole(t, member.id, 'MODERATOR');
    const postId = await h.thread(author);
    const measure = async (watchers: Array<Collected<QueueMessage>>, reporter: Member) => {
      const counts = watchers.map((watcher) => watcher.messages.length);
      const captured: string[] = [];
      t.probe.queryLog.captured = captured;
      try {
        await h.report(postId, reporter);
        await Promise.all(watchers.map((watcher, i) => watcher.until((m) => m.length === counts[i] + 1)));
        await sleep(150);
      } finally {
        t.probe.queryLog.captured = null;
      }
      // Transaction control is not work (PostgreSQL wraps snapshot reads in one); the poll-closing scheduler is not ours.
      return captured.filter((sql) => !/^(BEGIN|START TRANSACTION|SET TRANSACTION|COMMIT|ROLLBACK)/i.test(sql.trim()) && !/closes_at"? <=/.test(sql)).length;
    };
    const one = [await watch(moderator)];
    const single = await measure(one, members[16]);
    const many = [...one, ...(await Promise.all(moderators.map((member) => watch(member))))];
    // Every subscribe's own reads are over before measuring.
    await waitFor(() => positioned() === many.length, 'every subscription');
    expect(await measure(many, members[17])).toBe(single);
    for (const member of moderators) await setRole(t, member.id, 'MEMBER');
  });
});

const SCALE_SUITE = 'moderationQueueUpdated across two instances on PostgreSQL + Redis';

describeWithScaleServers(SCALE_SUITE)(SCALE_SUITE, () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: TestServer;
  let b: TestServer;
  const onA = helpers(() => a);

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    const start = () => startTestServer({ database: database.url, env: { REDIS_URL: SCALE_REDIS_URL } });
    a = await start();
    b = await start();
    for (const server of [a, b]) expect(await server.probe.relay()!.ready(5000)).toBe(true);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  }, 30_000);

  it('reports made and resolved on A reach a moderator on B in order; a role lost on A ends the subscription on B', async () => {
    const [author, reporter, moderator] = await Promise.all([a.signUp(), a.signUp(), a.signUp()]);
    await setRole(a, moderator.id, 'MODERATOR');
    const watcher = collect(connect(b, moderator.token), WATCH_QUEUE);
    await waitFor(() => b.probe.liveHub.moderationQueue.positioned === 1, 'the subscription on B');
    const postId = await onA.thread(author);
    const made = await onA.report(postId, reporter);
    await onA.resolve(made, 'DISMISSED', moderator);
    await watcher.until((m) => m.length === 2, 10_000);
    expect(updates(watcher).map((update) => [update.report.id, update.status])).toEqual([
      [made, 'OPEN'],
      [made, 'DISMISSED'],
    ]);
    expect(dbId(made)).toBeGreaterThan(0);

    await setRole(a, moderator.id, 'MEMBER', true);
    await watcher.ended(5000);
    expect(codes(watcher)).toEqual(['FORBIDDEN']);
  }, 30_000);
});
