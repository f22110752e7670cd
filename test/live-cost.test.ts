/**
 * What a change costs the live API: a constant number of SQL statements and
 * one payload per visibility class, whether 1 or 200 subscribers watch.
 *
 * Method: the same mutation (a first vote by a fresh member; a reply by the
 * same member to a comment) is measured with no subscribers, with one and
 * with 200; what a measurement holds beyond the no-subscriber baseline is the
 * fan-out. The baseline runs on a twin poll nobody watches, so that its
 * changes cannot be flushed (conflated, up to an interval later) inside a
 * later measurement of the watched one. Only the scheduler that closes polls
 * also talks to the database on its own; its statements are left out.
 */
import type { Client } from 'graphql-ws';
import * as pollResults from '../src/modules/poll/poll-results';
import { ADD_COMMENT, CAST_VOTE, CREATE_POLL, Document, READ_RESULTS, WATCH_RESULTS, WATCH_STATS } from './helpers/documents';
import { collect, Collected, connect, last } from './helpers/live';
import { startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };
type Target = { id: string; options: Array<{ id: string }>; parentId: string };

/** One dashboard: everything a client can select of the three subscriptions, on one post. */
interface Watcher {
  viewer: Member | null;
  results: Collected;
  stats: Collected;
  comments: Collected;
}

describe('live: fan-out cost does not grow with the audience', () => {
  let t: TestServer;
  let author: Member;
  let commenter: Member;
  /** The watched poll, and its twin for the baseline: same shape, nobody watching. */
  let poll: Target;
  let twin: Target;
  /** Signed-in subscribers: one has voted (sees the tallies), the others have not. */
  let voted: Member;
  let watchers: Member[];
  /** Fresh members, one per measured vote, so every measured vote takes the same path. */
  let voters: Member[];
  let buildResults: jest.SpyInstance;

  beforeAll(async () => {
    t = await startTestServer({ env: { POLL_CLOSE_INTERVAL_MS: '1000' } });
    [author, commenter, voted, ...watchers] = await Promise.all(Array.from({ length: 7 }, () => t.signUp()));
    voters = await Promise.all(Array.from({ length: 3 }, () => t.signUp()));
    const target = async (): Promise<Target> => {
      const input = { title: 'Where do you host CI?', options: ['Cloud', 'On premises', 'Both'], resultsVisibility: 'ON_VOTE' };
      const created = (await mutate(CREATE_POLL, input, author.token)).createPoll.poll;
      await mutate(CAST_VOTE, { pollId: created.id, optionIds: [created.options[0].id] }, voted.token);
      const parentId = (await mutate(ADD_COMMENT, { postId: created.id, body: 'Mostly cloud runners here.' }, commenter.token)).addComment.comment.id;
      return { ...created, parentId };
    };
    poll = await target();
    twin = await target();
    buildResults = jest.spyOn(pollResults, 'buildPollResults');
  });
  afterAll(async () => {
    buildResults.mockRestore();
    t.probe.queryLog.captured = null;
  });

  async function mutate<T>(document: Document<T>, input: Record<string, unknown>, token: string): Promise<T> {
    const response = await t.gql(document, { input }, token);
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  /** Runs `act` and `settled` (resolves when every subscriber got the change) while recording SQL; returns the statements. */
  async function statementsOf(act: () => Promise<unknown>, settled: () => Promise<unknown>): Promise<string[]> {
    const captured: string[] = [];
    t.probe.queryLog.captured = captured;
    buildResults.mockClear();
    try {
      await act();
      await settled();
    } finally {
      t.probe.queryLog.captured = null;
    }
    // Transaction control is not work (PostgreSQL wraps snapshot reads in one); the poll-closing scheduler is not ours.
    return captured.filter((sql) => !/^(BEGIN|START TRANSACTION|SET TRANSACTION|COMMIT|ROLLBACK)/i.test(sql.trim()) && !/closes_at"? <=/.test(sql));
  }

  let voteCount = 0;
  const vote = (on = poll) => mutate(CAST_VOTE, { pollId: on.id, optionIds: [on.options[voteCount % 3].id] }, voters[voteCount++].token);
  const reply = async (on = poll) =>
    (await mutate(ADD_COMMENT, { postId: on.id, parentId: on.parentId, body: 'Same, plus a few on-premises runners.' }, commenter.token)).addComment.comment.id;

  async function readResults(): Promise<{ version: number }> {
    return (await t.gql(READ_RESULTS, { id: poll.id })).data!.post!.results;
  }

  function watch(on: Client, viewer: Member | null): Watcher {
    return {
      viewer,
      results: collect(on, WATCH_RESULTS, { id: poll.id }),
      stats: collect(on, WATCH_STATS, { id: poll.id }),
      comments: collect(on, WATCH_COMMENTS, { id: poll.id }),
    };
  }

  /** Opens one dashboard per viewer, `perClient` to a connection, and waits until all are live. */
  async function openDashboards(viewers: Array<Member | null>, perClient: number): Promise<{ clients: Client[]; dashboards: Watcher[] }> {
    const clients: Client[] = [];
    const dashboards: Watcher[] = [];
    for (let i = 0; i < viewers.length; i += perClient) {
      const group = viewers.slice(i, i + perClient);
      // A connection carries one identity: the dashboards sharing one are of one viewer.
      expect(new Set(group).size).toBe(1);
      const client = connect(t, group[0]?.token);
      clients.push(client);
      for (const viewer of group) dashboards.push(watch(client, viewer));
    }
    // Hundreds of first messages through the one SQLite connection: allow for a loaded CI machine.
    await Promise.all(dashboards.flatMap((d) => [d.results.until((m) => m.length === 1, 20_000), d.stats.until((m) => m.length === 1, 20_000)]));
    const live = t.probe.liveHub;
    const deadline = Date.now() + 5000;
    while (live.registry.size < dashboards.length * 3) {
      if (Date.now() > deadline) throw new Error(`only ${live.registry.size} subscriptions registered`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(live.feedSizes()).toMatchObject({ polls: dashboards.length, stats: dashboards.length, comments: dashboards.length });
    return { clients, dashboards };
  }

  /** Everyone got the poll results of `version`. */
  const resultsReached = (dashboards: Watcher[], version: number) =>
    Promise.all(dashboards.map((d) => d.results.until((m) => m.length > 0 && last(d.results, 'pollResultsUpdated').version === version)));

  /** Everyone got comment `commentId` and the counters that include it. */
  const commentReached = (dashboards: Watcher[], commentId: string, commentCount: number) =>
    Promise.all(
      dashboards.flatMap((d) => [
        d.comments.until((m) => m.some((message) => message.data?.commentAdded.node.id === commentId)),
        d.stats.until((m) => m.length > 0 && last(d.stats, 'postStatsUpdated').commentCount === commentCount),
      ]),
    );

  let baseline: { vote: number; comment: number };
  let single: { vote: number; comment: number };

  it('measures the mutations alone, with nobody watching', async () => {
    expect(t.probe.liveHub.feedSizes()).toMatchObject({ polls: 0, stats: 0, comments: 0, registry: 0 });
    const voteSql = await statementsOf(
      () => vote(twin),
      async () => undefined,
    );
    const commentSql = await statementsOf(
      () => reply(twin),
      async () => undefined,
    );
    baseline = { vote: voteSql.length, comment: commentSql.length };
    expect(baseline.vote).toBeGreaterThan(0);
    expect(baseline.comment).toBeGreaterThan(0);
    // With nobody watching, no payload is built.
    expect(buildResults).not.toHaveBeenCalled();
  });

  it('costs a few statements for one subscriber', async () => {
    // A signed-in member who has not voted: the audience needs the "who voted" lookup, as a mixed one does.
    const { clients, dashboards } = await openDashboards([watchers[0]], 1);
    const before = await readResults();
    const voteSql = await statementsOf(vote, () => resultsReached(dashboards, before.version + 1));
    const commentCount = last(dashboards[0].stats, 'postStatsUpdated').commentCount;
    let commentId = '';
    const commentSql = await statementsOf(
      async () => (commentId = await reply()),
      () => commentReached(dashboards, commentId, commentCount + 1),
    );
    single = { vote: voteSql.length - baseline.vote, comment: commentSql.length - baseline.comment };
    // Poll row, options, who of the audience voted; new comments, their authors and parents, the post's counters.
    expect(single.vote).toBeGreaterThan(0);
    expect(single.vote).toBeLessThanOrEqual(3);
    expect(single.comment).toBeGreaterThan(0);
    expect(single.comment).toBeLessThanOrEqual(4);
    expect(last(dashboards[0].results, 'pollResultsUpdated').isHidden).toBe(true);
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('costs the same statements for 200 subscribers, and builds one payload per visibility class', async () => {
    // 200 dashboards (600 subscriptions) over 40 connections: the author and a voter (tallies shown),
    // two signed-in non-voters and 36 anonymous connections (tallies hidden).
    const identities: Array<Member | null> = [author, voted, watchers[1], watchers[2], ...Array.from({ length: 36 }, () => null)];
    const viewers = identities.flatMap((identity) => Array.from({ length: 5 }, () => identity));
    const { clients, dashboards } = await openDashboards(viewers, 5);
    expect(dashboards).toHaveLength(200);
    expect(t.probe.liveHub.registry.size).toBe(600);

    const before = await readResults();
    const voteSql = await statementsOf(vote, () => resultsReached(dashboards, before.version + 1));
    const fanOutVote = voteSql.length - baseline.vote;
    expect({ fanOutVote, sql: voteSql }).toEqual({ fanOutVote: single.vote, sql: expect.any(Array) });
    // Two visibility classes, two payloads, whatever the audience.
    expect(buildResults).toHaveBeenCalledTimes(2);

    const commentCount = last(dashboards[0].stats, 'postStatsUpdated').commentCount;
    let commentId = '';
    const commentSql = await statementsOf(
      async () => (commentId = await reply()),
      () => commentReached(dashboards, commentId, commentCount + 1),
    );
    const fanOutComment = commentSql.length - baseline.comment;
    expect({ fanOutComment, sql: commentSql }).toEqual({ fanOutComment: single.comment, sql: expect.any(Array) });

    // Every subscriber of one class got the same payload; the classes differ only where they must.
    const shown = dashboards.filter((d) => d.viewer === author || d.viewer === voted);
    const hidden = dashboards.filter((d) => !shown.includes(d));
    expect(shown).toHaveLength(10);
    const shownPayload = last(shown[0].results, 'pollResultsUpdated');
    const hiddenPayload = last(hidden[0].results, 'pollResultsUpdated');
    // The earlier voter and the votes measured with 1 and with 200 subscribers.
    expect(shownPayload).toMatchObject({ isHidden: false, totalVotes: 3, participantCount: 3 });
    expect(hiddenPayload).toMatchObject({ isHidden: true, totalVotes: null, participantCount: 3 });
    for (const d of shown) expect(last(d.results, 'pollResultsUpdated')).toEqual(shownPayload);
    for (const d of hidden) expect(last(d.results, 'pollResultsUpdated')).toEqual(hiddenPayload);
    expect(await t.gql(READ_RESULTS, { id: poll.id }, voted.token)).toMatchObject({ data: { post: { results: shownPayload } } });
    expect(await t.gql(READ_RESULTS, { id: poll.id })).toMatchObject({ data: { post: { results: hiddenPayload } } });

    const stats = last(dashboards[0].stats, 'postStatsUpdated');
    const edge = dashboards[0].comments.messages.find((message) => message.data?.commentAdded.node.id === commentId)!.data.commentAdded;
    expect(edge.node).toMatchObject({ id: commentId, author: { byline: expect.any(String) }, parent: { id: poll.parentId } });
    for (const d of dashboards) {
      expect(last(d.stats, 'postStatsUpdated')).toEqual(stats);
      // Exactly once each, and the same edge for everybody.
      expect(d.comments.messages.map((message) => message.data?.commentAdded)).toEqual([edge]);
    }

    await Promise.all(clients.map((client) => client.dispose()));
    const live = t.probe.liveHub;
    const deadline = Date.now() + 5000;
    while (live.registry.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(live.feedSizes()).toEqual({ polls: 0, breakdowns: 0, stats: 0, comments: 0, postUpdates: 0, commentUpdates: 0, moderationQueue: 0, registry: 0 });
  });
});

const WATCH_COMMENTS = `
  subscription WatchComments($id: ID!) {
    commentAdded(postId: $id) { cursor node { id body createdAt author { byline } parent { id } } }
  }`;
