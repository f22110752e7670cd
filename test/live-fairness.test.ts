/**
 * A subscriber replaying a long history (resubscribed with an old `after`)
 * must not hold up the subscribers who are current: they get a new comment
 * in the next flush, not after the replay has worked its way through.
 */
import { Comment } from '../src/modules/comment/comment.entity';
import { Post } from '../src/modules/post/post.entity';
import { dbId } from './helpers/documents';
import { collect, connect } from './helpers/live';
import { startTestServer, TestServer } from './helpers/server';

describe('live: a long replay does not delay current subscribers', () => {
  let t: TestServer;
  beforeAll(async () => {
    // A small backlog makes the replay take many flushes (about 1,200 / 50 intervals), so the new
    // comment is written while it is surely still under way, however fast the database answers.
    t = await startTestServer({ env: { LIVE_MAX_BACKLOG: '100' } });
  });

  it('delivers a new comment to a current subscriber before a replaying one has caught up', async () => {
    const writer = await t.signUp();
    const thread = (await t.gql(`mutation { createThread(input: { title: "Long history", body: "x" }) { thread { id } } }`, {}, writer.token)).data.createThread
      .thread;
    // 1,200 comments: more than two read batches (500) of history. Written as addComment leaves them (sequence
    // numbers 1..1200, the post's counters), in one transaction: 1,200 commits took over a minute on a busy machine.
    const postId = dbId(thread.id);
    await t.probe.db.write(async ({ manager }) => {
      const rows = Array.from({ length: 1200 }, (_, i) => ({
        postId,
        parentId: null,
        authorId: dbId(writer.id),
        body: `comment ${i}`,
        seq: i + 1,
        createdAt: new Date(),
        editedAt: null,
        deletedAt: null,
        upvoteCount: 0,
        replyCount: 0,
      }));
      for (let start = 0; start < rows.length; start += 100) await manager.getRepository(Comment).insert(rows.slice(start, start + 100));
      await manager.getRepository(Post).update({ id: postId }, { commentSeq: 1200, commentCount: 1200 });
    });
    const firstCursor = Buffer.from(JSON.stringify({ o: 'OLDEST', k: [1] })).toString('base64url');

    const client = connect(t);
    const current = collect(client, WATCH, { id: thread.id });
    await waitFor(() => t.probe.liveHub.feedSizes().comments === 1);
    const replaying = collect(client, WATCH_AFTER, { id: thread.id, after: firstCursor });
    await waitFor(() => t.probe.liveHub.feedSizes().comments === 2);

    const fresh = (
      await t.gql(`mutation ($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }`, { i: { postId: thread.id, body: 'new' } }, writer.token)
    ).data.addComment.comment.id;
    await current.until((messages) => messages.length === 1);
    const replayedWhenCurrentGotIt = replaying.messages.length;
    expect(current.messages[0].data.commentAdded.node.id).toBe(fresh);
    // The replay (1,200 comments after the first) was still under way.
    expect(replayedWhenCurrentGotIt).toBeLessThan(1000);

    // And the replay completes: every comment after the first, then the new one, once each, in order.
    await replaying.until((messages) => messages.length === 1200, 20_000);
    const bodies = replaying.messages.map((message) => message.data.commentAdded.node.body);
    expect(bodies).toEqual([...Array.from({ length: 1199 }, (_, i) => `comment ${i + 1}`), 'new']);
    await client.dispose();
  }, 60_000);
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const WATCH = `subscription ($id: ID!) { commentAdded(postId: $id) { cursor node { id body } } }`;
const WATCH_AFTER = `subscription ($id: ID!, $after: String) { commentAdded(postId: $id, after: $after) { cursor node { id body } } }`;
