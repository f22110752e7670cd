/**
 * postUpdated and commentUpdated over the real graphql-ws client: the first
 * message (postUpdated: the current state at once; commentUpdated: none),
 * conflation (a burst gives fewer messages, the final state last, never
 * backwards), viewer fields per subscriber, NOT_FOUND at subscribe, the end
 * of every feed of a deleted post, the same database work for 1 or 60
 * subscribers, and a change on one instance reaching a subscriber on another.
 *
 * Here closePoll and the closing scheduler (postChanged), deleteComment and
 * upvotes (commentChanged) and deletePost drive the feeds;
 * test/live-authoring.test.ts drives them with editThread, editPoll and
 * editComment.
 */
import type { Client } from 'graphql-ws';
import { ADD_COMMENT, ADD_UPVOTE, CAST_VOTE, CLOSE_POLL, CREATE_POLL, CREATE_THREAD, dbId, DELETE_COMMENT, Document, REMOVE_UPVOTE } from './helpers/documents';
import { collect, Collected, connect } from './helpers/live';
import {
  CommentUpdatedMessage,
  DELETE_POST,
  PostUpdatedMessage,
  WATCH_COMMENT_CHANGES,
  WATCH_POST,
  WatchedComment,
  WatchedPost,
} from './helpers/live-edits-documents';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL } from './helpers/scale';
import { startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

/** A well-formed ID of the given kind that names nothing (IDs are base64url "<Type>:<id>"). */
const unknownId = (type: string) => Buffer.from(`${type}:999999`, 'utf8').toString('base64url');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` until it holds (for state that has no event to await); fails after `timeoutMs`. */
async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const posts = (watcher: Collected<PostUpdatedMessage>): Array<WatchedPost | null> => watcher.messages.map((m) => m.data!.postUpdated.post);
const comments = (watcher: Collected<CommentUpdatedMessage>): WatchedComment[] => watcher.messages.map((m) => m.data!.commentUpdated);
const lastPost = (watcher: Collected<PostUpdatedMessage>): WatchedPost | null => posts(watcher)[watcher.messages.length - 1];

/** The server's helpers every suite below uses. */
function helpers(server: () => TestServer) {
  const mutate = async <T>(document: Document<T>, input: Record<string, unknown>, token: string): Promise<T> => {
    const response = await server().gql(document, { input }, token);
    if (!response.data || response.errors) throw new Error(`mutation failed: ${JSON.stringify(response.errors)}`);
    return response.data;
  };
  return {
    mutate,
    thread: async (author: Member, topics: string[] = []) =>
      (await mutate(CREATE_THREAD, { title: 'How do you rotate on-call?', body: 'Weekly or daily?', topics }, author.token)).createThread.thread.id,
    poll: async (author: Member, extra: Record<string, unknown> = {}) =>
      (await mutate(CREATE_POLL, { title: 'Which CI do you run?', options: ['Hosted', 'Self-hosted'], ...extra }, author.token)).createPoll.poll,
    comment: async (author: Member, postId: string, body = 'We rotate weekly.') =>
      (await mutate(ADD_COMMENT, { postId, body }, author.token)).addComment.comment.id,
    upvote: (member: Member, subjectId: string) => mutate(ADD_UPVOTE, { subjectId }, member.token),
    deletePost: (author: Member, postId: string) => mutate(DELETE_POST, { postId }, author.token),
  };
}

describe('live: postUpdated and commentUpdated', () => {
  let t: TestServer;
  let author: Member;
  let reader: Member;
  const h = helpers(() => t);
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestServer({ env: { LIVE_INTERVAL_MS: '250', POLL_CLOSE_INTERVAL_MS: '100' } });
    [author, reader] = await Promise.all([t.signUp(), t.signUp()]);
  });

  /** Every test leaves no subscription behind. */
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await waitFor(() => t.probe.liveHub.feedSizes().registry === 0, 'the registry to empty');
    expect(t.probe.liveHub.feedSizes()).toEqual({
      polls: 0,
      breakdowns: 0,
      stats: 0,
      comments: 0,
      postUpdates: 0,
      commentUpdates: 0,
      moderationQueue: 0,
      registry: 0,
    });
  });

  function client(member: Member | null): Client {
    const created = connect(t, member?.token);
    clients.push(created);
    return created;
  }

  const watchPost = (member: Member | null, id: string) => collect(client(member), WATCH_POST, { id });
  const watchComments = (member: Member | null, id: string) => collect(client(member), WATCH_COMMENT_CHANGES, { id });
  const commentWatchers = (count: number) => waitFor(() => t.probe.liveHub.feedSizes().commentUpdates === count, `${count} commentUpdated subscriptions`);

  it('postUpdated: the current state at once, viewer fields resolved for each subscriber', async () => {
    const id = await h.thread(author, ['Incident response', 'Tooling']);
    await h.upvote(reader, id);
    const asReader = watchPost(reader, id);
    const asAuthor = watchPost(author, id);
    const anonymous = watchPost(null, id);
    await Promise.all([asReader, asAuthor, anonymous].map((watcher) => watcher.until((m) => m.length === 1)));

    const expected = { __typename: 'Thread', id, title: 'How do you rotate on-call?', body: 'Weekly or daily?', upvoteCount: 1 };
    expect(asReader.messages[0].data!.postUpdated).toEqual({ postId: id, post: expect.objectContaining({ ...expected, viewerHasUpvoted: true }) });
    expect(lastPost(asAuthor)).toMatchObject({ ...expected, viewerHasUpvoted: false });
    expect(lastPost(anonymous)).toMatchObject({ ...expected, viewerHasUpvoted: false });
    expect(
      lastPost(anonymous)!
        .topics.map((topic) => topic.name)
        .sort(),
    ).toEqual(['Incident response', 'Tooling']);
  });

  it('postUpdated: closePoll pushes the closed poll to each subscriber; counters and unchanged states push nothing', async () => {
    const poll = await h.poll(author);
    await h.upvote(author, poll.id);
    const asAuthor = watchPost(author, poll.id);
    const asReader = watchPost(reader, poll.id);
    await Promise.all([asAuthor, asReader].map((watcher) => watcher.until((m) => m.length === 1)));
    expect(lastPost(asAuthor)).toMatchObject({ isClosed: false, viewerHasUpvoted: true });

    // A vote and an upvote change counters only (postStatsUpdated, pollResultsUpdated), and an event
    // for a post whose state did not change is nothing new.
    await h.mutate(CAST_VOTE, { pollId: poll.id, optionIds: [poll.options[0].id] }, reader.token);
    await h.upvote(reader, poll.id);
    t.probe.events.publish({ type: 'postChanged', postId: dbId(poll.id) });
    await sleep(600);
    expect(asAuthor.messages).toHaveLength(1);

    await h.mutate(CLOSE_POLL, { pollId: poll.id }, author.token);
    await Promise.all([asAuthor, asReader].map((watcher) => watcher.until((m) => m.length === 2)));
    expect(lastPost(asAuthor)).toMatchObject({ __typename: 'Poll', id: poll.id, isClosed: true, upvoteCount: 2, viewerHasUpvoted: true });
    expect(lastPost(asReader)).toMatchObject({ isClosed: true, viewerHasUpvoted: true, options: [{ label: 'Hosted' }, { label: 'Self-hosted' }] });
    await sleep(400);
    expect(asAuthor.messages).toHaveLength(2);
  });

  it('postUpdated: the closing scheduler pushes a poll closed at closesAt', async () => {
    const poll = await h.poll(author, { closesAt: new Date(Date.now() + 1500).toISOString() });
    const watcher = watchPost(null, poll.id);
    await watcher.until((m) => m.length === 1);
    expect(lastPost(watcher)).toMatchObject({ isClosed: false });
    await watcher.until((m) => m.length === 2, 5000);
    expect(lastPost(watcher)).toMatchObject({ isClosed: true });
  });

  it('postUpdated: a burst of changes gives fewer messages, the final state last', async () => {
    const poll = await h.poll(author);
    const watcher = watchPost(null, poll.id);
    await watcher.until((m) => m.length === 1);
    // Forty notifications and one real change among them: conflated, and an unchanged state is not sent again.
    for (let i = 0; i < 20; i++) t.probe.events.publish({ type: 'postChanged', postId: dbId(poll.id) });
    await h.mutate(CLOSE_POLL, { pollId: poll.id }, author.token);
    for (let i = 0; i < 20; i++) t.probe.events.publish({ type: 'postChanged', postId: dbId(poll.id) });
    await watcher.until((m) => m.length === 2);
    await sleep(600);
    expect(posts(watcher).map((post) => post?.isClosed)).toEqual([false, true]);
  });

  it('NOT_FOUND at subscribe for an unknown post, a comment id or a deleted post (both subscriptions)', async () => {
    const thread = await h.thread(author);
    const commentId = await h.comment(reader, thread);
    const deleted = await h.thread(author);
    await h.deletePost(author, deleted);
    for (const id of [unknownId('Thread'), unknownId('Poll'), commentId, deleted]) {
      for (const watcher of [watchPost(reader, id), watchComments(null, id)]) {
        await watcher.ended();
        expect(watcher.messages).toEqual([]);
        expect(watcher.errors?.map((error) => error.extensions.code)).toEqual(['NOT_FOUND']);
      }
    }
  });

  it('commentUpdated: nothing at first; an upvote, an unvote and a deletion push the comment, viewer fields per subscriber', async () => {
    const thread = await h.thread(author);
    const [first, second] = [await h.comment(reader, thread, 'First.'), await h.comment(author, thread, 'Second.')];
    const asAuthor = watchComments(author, thread);
    const asReader = watchComments(reader, thread);
    const anonymous = watchComments(null, thread);
    await commentWatchers(3);
    await sleep(400);
    expect(asAuthor.messages).toEqual([]);

    await h.upvote(author, first);
    await Promise.all([asAuthor, asReader, anonymous].map((watcher) => watcher.until((m) => m.length === 1)));
    expect(comments(asAuthor)).toEqual([{ id: first, body: 'First.', isDeleted: false, upvoteCount: 1, viewerHasUpvoted: true, author: { id: reader.id } }]);
    expect(comments(asReader)[0]).toMatchObject({ upvoteCount: 1, viewerHasUpvoted: false });
    expect(comments(anonymous)[0]).toMatchObject({ upvoteCount: 1, viewerHasUpvoted: false });

    // An unvote by someone who never upvoted changes nothing: no message.
    await h.mutate(REMOVE_UPVOTE, { subjectId: first }, reader.token);
    await h.mutate(DELETE_COMMENT, { commentId: second }, author.token);
    await Promise.all([asAuthor, asReader, anonymous].map((watcher) => watcher.until((m) => m.length === 2)));
    expect(comments(asReader)[1]).toEqual({ id: second, body: '', isDeleted: true, upvoteCount: 0, viewerHasUpvoted: false, author: null });
    await sleep(400);
    expect(anonymous.messages).toHaveLength(2);
  });

  it('commentUpdated: conflated per comment, never across comments: fewer messages, the final state last, never backwards', async () => {
    const thread = await h.thread(author);
    const hot = await h.comment(reader, thread, 'Everyone agrees.');
    const quiet = await h.comment(reader, thread, 'A quiet one.');
    const upvoters = await Promise.all(Array.from({ length: 12 }, () => t.signUp()));
    const watcher = watchComments(upvoters[0], thread);
    await commentWatchers(1);

    await Promise.all([...upvoters.map((member) => h.upvote(member, hot)), h.upvote(author, quiet)]);
    await watcher.until((m) => m.some((message) => message.data!.commentUpdated.id === hot && message.data!.commentUpdated.upvoteCount === 12));
    await watcher.until((m) => m.some((message) => message.data!.commentUpdated.id === quiet));
    await sleep(600);

    const hotCounts = comments(watcher)
      .filter((comment) => comment.id === hot)
      .map((comment) => comment.upvoteCount);
    expect(hotCounts.length).toBeLessThan(12);
    expect(hotCounts[hotCounts.length - 1]).toBe(12);
    expect([...hotCounts].sort((a, b) => a - b)).toEqual(hotCounts);
    expect(comments(watcher).filter((comment) => comment.id === quiet)).toEqual([expect.objectContaining({ upvoteCount: 1, viewerHasUpvoted: false })]);
    expect(comments(watcher).filter((comment) => comment.id === hot)[hotCounts.length - 1].viewerHasUpvoted).toBe(true);
  });

  it('a deleted post ends every feed of it: postUpdated with post null then complete, the others with NOT_FOUND', async () => {
    const poll = await h.poll(author);
    const other = await h.poll(author);
    const on = client(reader);
    const post = collect(on, WATCH_POST, { id: poll.id });
    const others = [
      collect(on, WATCH_COMMENT_CHANGES, { id: poll.id }),
      collect(on, `subscription ($id: ID!) { commentAdded(postId: $id) { cursor } }`, { id: poll.id }),
      collect(on, `subscription ($id: ID!) { postStatsUpdated(postId: $id) { commentCount } }`, { id: poll.id }),
      collect(on, `subscription ($id: ID!) { pollResultsUpdated(pollId: $id) { version } }`, { id: poll.id }),
    ];
    const unrelated = collect(on, WATCH_POST, { id: other.id });
    await post.until((m) => m.length === 1);
    await unrelated.until((m) => m.length === 1);
    await waitFor(() => t.probe.liveHub.registry.size === 6, 'six subscriptions');

    await h.deletePost(author, poll.id);
    await post.ended(2000);
    expect(post.completed).toBe(true);
    expect(post.errors).toBeNull();
    expect(post.messages.map((m) => m.data!.postUpdated)).toEqual([
      { postId: poll.id, post: expect.objectContaining({ id: poll.id }) },
      { postId: poll.id, post: null },
    ]);
    for (const watcher of others) {
      await watcher.ended(2000);
      expect(watcher.errors?.map((error) => error.extensions.code)).toEqual(['NOT_FOUND']);
    }
    await waitFor(() => t.probe.liveHub.registry.size === 1, 'only the unrelated subscription');
    expect(unrelated.completed).toBe(false);
  });
});

describe('live: postUpdated and commentUpdated cost the same database work for 1 or 60 subscribers', () => {
  let t: TestServer;
  let author: Member;
  const h = helpers(() => t);

  beforeAll(async () => {
    t = await startTestServer({ env: { POLL_CLOSE_INTERVAL_MS: '1000' } });
    author = await t.signUp();
  });
  afterAll(() => {
    t.probe.queryLog.captured = null;
  });

  /** Statements of `act` until `settled`, without transaction control and the closing scheduler's polling. */
  async function statementsOf(act: () => Promise<unknown>, settled: () => Promise<unknown>): Promise<string[]> {
    const captured: string[] = [];
    t.probe.queryLog.captured = captured;
    try {
      await act();
      await settled();
    } finally {
      t.probe.queryLog.captured = null;
    }
    return captured.filter((sql) => !/^(BEGIN|START TRANSACTION|SET TRANSACTION|COMMIT|ROLLBACK)/i.test(sql.trim()) && !/closes_at"? <=/.test(sql));
  }

  /** A poll with one comment: closing it changes the post, upvoting the comment changes the comment. */
  async function target(): Promise<{ id: string; commentId: string }> {
    const poll = await h.poll(author);
    return { id: poll.id, commentId: await h.comment(author, poll.id) };
  }

  /** Closes the poll and upvotes its comment (by a fresh member), each measured until every watcher has it. */
  async function measure(
    on: { id: string; commentId: string },
    watchers: Array<{ post: Collected<PostUpdatedMessage>; comments: Collected<CommentUpdatedMessage> }>,
  ) {
    const upvoter = await t.signUp();
    const close = await statementsOf(
      () => h.mutate(CLOSE_POLL, { pollId: on.id }, author.token),
      () => Promise.all(watchers.map((w) => w.post.until(() => lastPost(w.post)?.isClosed === true, 20_000))),
    );
    const upvote = await statementsOf(
      () => h.upvote(upvoter, on.commentId),
      () => Promise.all(watchers.map((w) => w.comments.until((m) => m.length === 1, 20_000))),
    );
    return { close: close.length, upvote: upvote.length };
  }

  async function watchers(count: number, on: { id: string }) {
    const members = await Promise.all(Array.from({ length: Math.min(count, 10) }, () => t.signUp()));
    // A mix of signed-in subscribers (viewer fields per member) and anonymous ones, a few per connection.
    const connections = Array.from({ length: Math.ceil(count / 5) }, (_, i) => connect(t, i % 2 === 0 ? members[i % members.length].token : null));
    const opened = Array.from({ length: count }, (_, i) => ({
      post: collect(connections[Math.floor(i / 5)], WATCH_POST, { id: on.id }),
      comments: collect(connections[Math.floor(i / 5)], WATCH_COMMENT_CHANGES, { id: on.id }),
    }));
    await Promise.all(opened.map((w) => w.post.until((m) => m.length === 1, 20_000)));
    await waitFor(() => t.probe.liveHub.feedSizes().commentUpdates === count, `${count} commentUpdated subscriptions`, 20_000);
    return { opened, dispose: () => Promise.all(connections.map((connection) => connection.dispose())) };
  }

  it('measures nobody watching, then 1 and 60 subscribers: the fan-out costs the same statements', async () => {
    const baseline = await measure(await target(), []);

    const single = await target();
    const one = await watchers(1, single);
    const withOne = await measure(single, one.opened);
    await one.dispose();

    const crowded = await target();
    const many = await watchers(60, crowded);
    const withMany = await measure(crowded, many.opened);

    const fanOut = (measured: { close: number; upvote: number }) => ({ close: measured.close - baseline.close, upvote: measured.upvote - baseline.upvote });
    // postUpdated: the post, its topics, its options, the viewers' upvotes; commentUpdated: the comments, the viewers' upvotes
    // (and the comment feeds' check of the post on postChanged).
    expect(fanOut(withOne).close).toBeGreaterThan(0);
    expect(fanOut(withOne).close).toBeLessThanOrEqual(6);
    expect(fanOut(withOne).upvote).toBeGreaterThan(0);
    expect(fanOut(withOne).upvote).toBeLessThanOrEqual(3);
    expect(fanOut(withMany)).toEqual(fanOut(withOne));
    for (const w of many.opened) expect(w.comments.messages[0].data!.commentUpdated.upvoteCount).toBe(1);
    await many.dispose();
  }, 90_000);
});

const SCALE_SUITE = 'live edits across two instances on PostgreSQL + Redis';

describeWithScaleServers(SCALE_SUITE)(SCALE_SUITE, () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: TestServer;
  let b: TestServer;
  let author: Member;
  const onA = helpers(() => a);

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    const start = () => startTestServer({ database: database.url, env: { REDIS_URL: SCALE_REDIS_URL } });
    a = await start();
    b = await start();
    for (const server of [a, b]) expect(await server.probe.relay()!.ready(5000)).toBe(true);
    author = await a.signUp();
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  }, 30_000);

  it('a change written on instance A reaches subscribers on instance B: postUpdated, commentUpdated and the end on deletion', async () => {
    const poll = await onA.poll(author);
    const commentId = await onA.comment(author, poll.id);
    const reader = await b.signUp();
    const onB = connect(b, reader.token);
    const post = collect(onB, WATCH_POST, { id: poll.id });
    const changes = collect(onB, WATCH_COMMENT_CHANGES, { id: poll.id });
    await post.until((m) => m.length === 1);
    await waitFor(() => b.probe.liveHub.feedSizes().commentUpdates === 1, 'the commentUpdated subscription on B');

    await onA.upvote(author, commentId);
    await changes.until((m) => m.length === 1);
    expect(comments(changes)[0]).toMatchObject({ id: commentId, upvoteCount: 1, viewerHasUpvoted: false });

    await onA.mutate(CLOSE_POLL, { pollId: poll.id }, author.token);
    await post.until((m) => m.length === 2);
    expect(lastPost(post)).toMatchObject({ isClosed: true });

    await onA.deletePost(author, poll.id);
    await post.ended();
    expect(post.completed).toBe(true);
    expect(lastPost(post)).toBeNull();
    await changes.ended();
    expect(changes.errors?.map((error) => error.extensions.code)).toEqual(['NOT_FOUND']);
  }, 30_000);
});
