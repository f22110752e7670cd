/**
 * Viewer-dependent fields of pushed comments (viewerHasUpvoted) are resolved
 * for each subscriber, yet cost one query per event, not one per subscriber.
 */
import { collect, Collected, connect } from './helpers/live';
import { startTestServer, TestServer } from './helpers/server';

describe('live: viewer flags at a constant cost', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  async function statementsForOneComment(watchers: Collected[], postId: string, token: string, count: number): Promise<number> {
    t.probe.queryLog.captured = [];
    await t.gql(`mutation ($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }`, { i: { postId, body: `comment ${count}` } }, token);
    await Promise.all(
      watchers.map((watcher) => watcher.until((messages) => messages.some((m) => m.data?.commentAdded.node.body === `comment ${count}`), 10_000)),
    );
    const sql = t.probe.queryLog.captured.filter((statement) => /upvotes/.test(statement));
    t.probe.queryLog.captured = null;
    return sql.length;
  }

  it('resolves viewerHasUpvoted for 1 or 40 signed-in subscribers with the same number of queries', async () => {
    const writer = await t.signUp();
    const thread = (await t.gql(`mutation { createThread(input: { title: "Flags", body: "x" }) { thread { id } } }`, {}, writer.token)).data.createThread
      .thread;
    const members = await Promise.all(Array.from({ length: 40 }, () => t.signUp()));
    const watch = (token: string) => {
      return collect(connect(t, token), WATCH, { id: thread.id });
    };

    const one = [watch(members[0].token)];
    await waitFor(() => t.probe.liveHub.feedSizes().comments === 1);
    const withOne = await statementsForOneComment(one, thread.id, writer.token, 1);

    const many = [...one, ...members.slice(1).map((member) => watch(member.token))];
    await waitFor(() => t.probe.liveHub.feedSizes().comments === 40);
    const withMany = await statementsForOneComment(many, thread.id, writer.token, 2);

    expect(withOne).toBe(1);
    expect(withMany).toBe(withOne);
    for (const watcher of many) expect(watcher.messages[watcher.messages.length - 1].data.commentAdded.node.viewerHasUpvoted).toBe(false);
  }, 30_000);
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const WATCH = `subscription ($id: ID!) { commentAdded(postId: $id) { cursor node { id body viewerHasUpvoted author { byline } } } }`;
