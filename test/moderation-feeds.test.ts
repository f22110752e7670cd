/**
 * Moderation on the feeds that end like a deletion: commentAdded, postStatsUpdated and
 * pollResultsUpdated. A REMOVED post is, for everyone but its author and moderators, exactly as a
 * post its author deleted: their subscriptions end with NOT_FOUND and subscribing is NOT_FOUND,
 * while the author's and moderators' go on. commentAdded never pushes the text of a hidden or
 * removed comment to a subscriber who may not see it. Roles are read from the database (one query
 * per flush for all subscribers), so a flush costs the same statements whatever the audience.
 */
import type { Client } from 'graphql-ws';
import { ADD_COMMENT, CREATE_POLL, CREATE_THREAD, typed, WATCH_RESULTS, WATCH_STATS } from './helpers/documents';
import { collect, Collected, connect } from './helpers/live';
import { MODERATE, setRole } from './helpers/moderation-content-documents';
import { GraphQLResponse, startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

interface AddedEdge {
  cursor: string;
  node: { id: string; body: string; author: { id: string } | null; moderationState: string };
}
const WATCH_ADDED = typed<{ commentAdded: AddedEdge }>(
  `subscription WatchAdded($id: ID!, $after: String) { commentAdded(postId: $id, after: $after) { cursor node { id body author { id } moderationState } } }`,
);

/** The three subscriptions of one viewer on one poll. */
interface Watches {
  results: Collected<{ pollResultsUpdated: { version: number } }>;
  stats: Collected<{ postStatsUpdated: { commentCount: number } }>;
  comments: Collected<{ commentAdded: AddedEdge }>;
}

const codes = (watch: Collected) => watch.errors?.map((error) => error.extensions.code) ?? null;
const bodies = (watch: Collected<{ commentAdded: AddedEdge }>) => watch.messages.map((message) => message.data!.commentAdded.node.body);
const isLive = (watch: Collected) => watch.errors === null && !watch.completed;

/** Transaction control is not work; the poll-closing scheduler is not ours (as in live-cost.test.ts). */
const work = (captured: string[]) =>
  captured.filter((sql) => !/^(BEGIN|START TRANSACTION|SET TRANSACTION|COMMIT|ROLLBACK)/i.test(sql.trim()) && !/closes_at"? <=/.test(sql)).length;

describe('moderation on commentAdded, postStatsUpdated and pollResultsUpdated', () => {
  let t: TestServer;
  let author: Member;
  let other: Member;
  let moderator: Member;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  beforeAll(async () => {
    // A conflation interval long enough that a comment added and hidden in quick succession is read hidden.
    t = await startTestServer({ env: { LIVE_INTERVAL_MS: '700' } });
    [author, other, moderator] = await Promise.all([t.signUp(), t.signUp(), t.signUp()]);
    await setRole(t, moderator.id, 'MODERATOR');
  });

  const moderate = async (input: Record<string, unknown>) => ok(await t.gql(MODERATE, { input }, moderator.token));
  const poll = async () =>
    ok(await t.gql(CREATE_POLL, { input: { title: 'Removed poll?', options: ['Yes', 'No'], resultsVisibility: 'ALWAYS' } }, author.token)).createPoll.poll.id;
  const thread = async () => ok(await t.gql(CREATE_THREAD, { input: { title: 'Moderated comments', body: 'Body' } }, author.token)).createThread.thread.id;
  const comment = async (postId: string, body: string, token = author.token) => ok(await t.gql(ADD_COMMENT, { input: { postId, body } }, token)).addComment;

  async function waitFor(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Each client subscribes to the three feeds of the poll; waits until all are live (commentAdded sends nothing first). */
  async function watchAll(pollId: string, clients: Client[]): Promise<Watches[]> {
    const before = t.probe.liveHub.feedSizes().comments;
    const watches = clients.map((client) => ({
      results: collect(client, WATCH_RESULTS, { id: pollId }),
      stats: collect(client, WATCH_STATS, { id: pollId }),
      comments: collect(client, WATCH_ADDED, { id: pollId }),
    }));
    await Promise.all(watches.flatMap((w) => [w.results.until((m) => m.length === 1), w.stats.until((m) => m.length === 1)]));
    await waitFor(() => t.probe.liveHub.feedSizes().comments >= before + clients.length, 'commentAdded subscriptions');
    // A commentAdded subscriber joins before its post is read: let those reads finish.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return watches;
  }

  it('ends exactly the subscriptions of those who may not see a removed post, and keeps the author’s and moderators’', async () => {
    const pollId = await poll();
    const [anonymous, member, byAuthor, byModerator] = await watchAll(pollId, [
      connect(t, null),
      connect(t, other.token),
      connect(t, author.token),
      connect(t, moderator.token),
    ]);

    await moderate({ subjectId: pollId, action: 'REMOVE', reason: 'ILLEGAL' });
    const gone = [anonymous, member].flatMap((w) => [w.results, w.stats, w.comments]);
    await Promise.all(gone.map((watch) => watch.ended()));
    for (const watch of gone) expect(codes(watch)).toEqual(['NOT_FOUND']);

    // The author and moderators go on: a new comment reaches both, with the counters that include it.
    const added = await comment(pollId, 'Still here for the author and moderators');
    for (const w of [byAuthor, byModerator]) {
      await w.comments.until((m) => m.some((message) => message.data!.commentAdded.node.id === added.comment.id));
      await w.stats.until((m) => m[m.length - 1].data!.postStatsUpdated.commentCount === 1);
      expect([isLive(w.results), isLive(w.stats), isLive(w.comments)]).toEqual([true, true, true]);
    }
    expect(t.probe.liveHub.feedSizes()).toMatchObject({ polls: 2, stats: 2, comments: 2 });
    for (const w of [byAuthor, byModerator]) for (const watch of [w.results, w.stats, w.comments]) watch.unsubscribe();
  });

  it('is NOT_FOUND to subscribe to a removed post for everyone but its author and moderators, the role read fresh', async () => {
    const pollId = await poll();
    await moderate({ subjectId: pollId, action: 'REMOVE', reason: 'SPAM' });
    const promoted = await t.signUp();
    const promotedClient = connect(t, promoted.token);
    // Connected (and so its viewer read) as a member; promoted afterwards.
    const warmUp = collect(promotedClient, WATCH_STATS, { id: pollId });
    await warmUp.ended();
    expect(codes(warmUp)).toEqual(['NOT_FOUND']);
    await setRole(t, promoted.id, 'MODERATOR');

    const attempt = (client: Client) => [
      collect(client, WATCH_RESULTS, { id: pollId }),
      collect(client, WATCH_STATS, { id: pollId }),
      collect(client, WATCH_ADDED, { id: pollId }),
    ];
    const refused = [...attempt(connect(t, null)), ...attempt(connect(t, other.token))];
    await Promise.all(refused.map((watch) => watch.ended()));
    for (const watch of refused) expect(codes(watch)).toEqual(['NOT_FOUND']);

    for (const client of [connect(t, author.token), connect(t, moderator.token), promotedClient]) {
      const [results, stats, comments] = attempt(client);
      await Promise.all([results.until((m) => m.length === 1), stats.until((m) => m.length === 1)]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect([isLive(results), isLive(stats), isLive(comments)]).toEqual([true, true, true]);
      for (const watch of [results, stats, comments]) watch.unsubscribe();
    }
  });

  it('replays hidden and removed comments without their text to those who may not see it', async () => {
    const postId = await thread();
    const first = await comment(postId, 'Before the replay');
    const hidden = (await comment(postId, 'Hidden secret: Wombat-19')).comment.id;
    const removed = (await comment(postId, 'Removed secret: Pangolin-77')).comment.id;
    await comment(postId, 'Visible after');
    await moderate({ subjectId: hidden, action: 'HIDE', reason: 'ABUSE' });
    await moderate({ subjectId: removed, action: 'REMOVE', reason: 'ILLEGAL' });

    const promoted = await t.signUp();
    const promotedClient = connect(t, promoted.token);
    const warmUp = collect(promotedClient, WATCH_STATS, { id: postId });
    await warmUp.until((m) => m.length === 1);
    await setRole(t, promoted.id, 'MODERATOR');

    const replay = (client: Client) => collect(client, WATCH_ADDED, { id: postId, after: first.commentEdge.cursor });
    const [anonymous, member, byAuthor, byModerator, byPromoted] = [
      replay(connect(t, null)),
      replay(connect(t, other.token)),
      replay(connect(t, author.token)),
      replay(connect(t, moderator.token)),
      replay(promotedClient),
    ];
    const all = [anonymous, member, byAuthor, byModerator, byPromoted];
    await Promise.all(all.map((watch) => watch.until((m) => m.length === 3)));
    for (const watch of [anonymous, member]) {
      expect(bodies(watch)).toEqual(['', '', 'Visible after']);
      expect(watch.messages.map((message) => message.data!.commentAdded.node.author)).toEqual([{ id: author.id }, null, { id: author.id }]);
      expect(JSON.stringify(watch.messages)).not.toMatch(/Wombat-19|Pangolin-77/);
    }
    for (const watch of [byAuthor, byModerator, byPromoted]) {
      expect(bodies(watch)).toEqual(['Hidden secret: Wombat-19', 'Removed secret: Pangolin-77', 'Visible after']);
    }
    expect(anonymous.messages.map((message) => message.data!.commentAdded.node.moderationState)).toEqual(['HIDDEN', 'REMOVED', 'VISIBLE']);
    for (const watch of [...all, warmUp]) watch.unsubscribe();
  });

  it('reads every subscriber’s role in one query per flush: a hidden comment costs the same whatever the audience', async () => {
    async function statementsFor(audience: number): Promise<number> {
      const postId = await thread();
      const members = await Promise.all(Array.from({ length: audience }, () => t.signUp()));
      const before = t.probe.liveHub.feedSizes().comments;
      const watches = [moderator, ...members].map((viewer) => collect(connect(t, viewer.token), WATCH_ADDED, { id: postId }));
      await waitFor(() => t.probe.liveHub.feedSizes().comments >= before + watches.length, 'commentAdded subscriptions');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // A first comment flushes at once and starts the interval: the next one is read after it was hidden.
      const opener = (await comment(postId, 'Opener', other.token)).comment.id;
      await Promise.all(watches.map((watch) => watch.until((m) => m.some((message) => message.data!.commentAdded.node.id === opener))));
      const captured: string[] = [];
      t.probe.queryLog.captured = captured;
      let secret = '';
      try {
        // Two hidden comments in one flush: each client takes the second after the first went out, at its own moment.
        const hiddenFirst = (await comment(postId, 'Secret: Axolotl-4', other.token)).comment.id;
        secret = (await comment(postId, 'Secret: Axolotl-5', other.token)).comment.id;
        for (const subjectId of [hiddenFirst, secret]) await moderate({ subjectId, action: 'HIDE', reason: 'SPAM' });
        await Promise.all(watches.map((watch) => watch.until((m) => m.some((message) => message.data!.commentAdded.node.id === secret))));
      } finally {
        t.probe.queryLog.captured = null;
      }
      const secretOf = (watch: Collected<{ commentAdded: AddedEdge }>) =>
        watch.messages.find((m) => m.data!.commentAdded.node.id === secret)!.data!.commentAdded.node;
      expect(secretOf(watches[0])).toMatchObject({ body: 'Secret: Axolotl-5', moderationState: 'HIDDEN' });
      for (const watch of watches.slice(1)) expect(secretOf(watch)).toMatchObject({ body: '', moderationState: 'HIDDEN' });
      for (const watch of watches) watch.unsubscribe();
      if (process.env.SHOW_SQL) console.log(captured.map((sql) => sql.slice(0, 150)).join('\n'));
      return work(captured);
    }
    const few = await statementsFor(2);
    const many = await statementsFor(8);
    // A role read per subscriber would add one statement per extra subscriber (6 here).
    expect(many).toBeLessThanOrEqual(few + 2);
  });

  it('ends the others on removal at the same cost whatever the audience', async () => {
    async function statementsFor(audience: number): Promise<number> {
      const pollId = await poll();
      const members = await Promise.all(Array.from({ length: audience }, () => t.signUp()));
      const watches = await watchAll(
        pollId,
        [author, moderator, ...members].map((viewer) => connect(t, viewer.token)),
      );
      const others = watches.slice(2).flatMap((w) => [w.results, w.stats, w.comments]);
      const captured: string[] = [];
      t.probe.queryLog.captured = captured;
      try {
        await moderate({ subjectId: pollId, action: 'REMOVE', reason: 'SPAM' });
        await Promise.all(others.map((watch) => watch.ended()));
        // Every feed's flush ran (the kept subscribers are flushed too): give a late one its interval.
        await new Promise((resolve) => setTimeout(resolve, 900));
      } finally {
        t.probe.queryLog.captured = null;
      }
      for (const watch of others) expect(codes(watch)).toEqual(['NOT_FOUND']);
      for (const w of watches.slice(0, 2)) expect([isLive(w.results), isLive(w.stats), isLive(w.comments)]).toEqual([true, true, true]);
      for (const w of watches) for (const watch of [w.results, w.stats, w.comments]) watch.unsubscribe();
      if (process.env.SHOW_SQL) console.log(captured.map((sql) => sql.slice(0, 150)).join('\n'));
      return work(captured);
    }
    const few = await statementsFor(2);
    const many = await statementsFor(8);
    expect(many).toBeLessThanOrEqual(few + 2);
  });
});
