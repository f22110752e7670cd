import { ADD_COMMENT, CREATE_POLL, CREATE_THREAD } from './helpers/documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };
type Kind = 'thread' | 'poll' | 'comment';

function globalId(type: string, id: number | string): string {
  return Buffer.from(`${type}:${id}`).toString('base64url');
}

function expectNoErrors(response: GraphQLResponse): void {
  expect(response.errors).toBeUndefined();
}

describe('upvotes and views', () => {
  let t: TestServer;
  let author: Member;

  beforeAll(async () => {
    t = await startTestServer();
    author = await t.signUp({ title: 'Thread Author' });
  });

  async function createThread(title = 'How do you keep on-call humane?'): Promise<string> {
    const response = await t.gql(CREATE_THREAD, { input: { title, body: 'Rotations, pay, sleep.' } }, author.token);
    expectNoErrors(response);
    return response.data!.createThread.thread.id;
  }

  async function createSubject(kind: Kind): Promise<string> {
    if (kind === 'thread') return createThread();
    if (kind === 'poll') {
      const response = await t.gql(CREATE_POLL, { input: { title: 'On-call pay?', options: ['Yes', 'No'] } }, author.token);
      expectNoErrors(response);
      return response.data!.createPoll.poll.id;
    }
    const postId = await createThread();
    const response = await t.gql(ADD_COMMENT, { input: { postId, body: 'We pay per night on call.' } }, author.token);
    expectNoErrors(response);
    return response.data!.addComment.comment.id;
  }

  /** upvoteCount and viewerHasUpvoted of a post or comment as `token` sees it. */
  async function upvoteState(id: string, token: string | null = null): Promise<{ upvoteCount: number; viewerHasUpvoted: boolean }> {
    const response = await t.gql(READ_UPVOTABLE, { id }, token);
    expectNoErrors(response);
    return response.data.node;
  }

  const upvote = (token: string | null, subjectId: string) => t.gql(ADD_UPVOTE_WITH_FIELDS, { input: { subjectId } }, token);
  const unUpvote = (token: string | null, subjectId: string) => t.gql(REMOVE_UPVOTE_WITH_FIELDS, { input: { subjectId } }, token);

  describe.each<Kind>(['thread', 'poll', 'comment'])('upvoting a %s', (kind) => {
    let subjectId: string;
    let first: Member;
    let second: Member;
    beforeAll(async () => {
      subjectId = await createSubject(kind);
      [first, second] = await Promise.all([t.signUp(), t.signUp()]);
    });

    it('counts one upvote per member, shows it only to that member, and is idempotent', async () => {
      const added = await upvote(first.token, subjectId);
      expectNoErrors(added);
      expect(added.data.addUpvote.subject).toEqual({ __typename: TYPENAMES[kind], id: subjectId, upvoteCount: 1, viewerHasUpvoted: true });

      const again = await upvote(first.token, subjectId);
      expectNoErrors(again);
      expect(again.data.addUpvote.subject).toMatchObject({ id: subjectId, upvoteCount: 1, viewerHasUpvoted: true });

      expect(await upvoteState(subjectId, first.token)).toEqual({ upvoteCount: 1, viewerHasUpvoted: true });
      expect(await upvoteState(subjectId, second.token)).toEqual({ upvoteCount: 1, viewerHasUpvoted: false });
      expect(await upvoteState(subjectId, null)).toEqual({ upvoteCount: 1, viewerHasUpvoted: false });

      const byAnother = await upvote(second.token, subjectId);
      expect(byAnother.data.addUpvote.subject).toMatchObject({ id: subjectId, upvoteCount: 2, viewerHasUpvoted: true });
    });

    it('removes an upvote idempotently, and removing one never given changes nothing', async () => {
      const removed = await unUpvote(first.token, subjectId);
      expectNoErrors(removed);
      expect(removed.data.removeUpvote.subject).toMatchObject({ id: subjectId, upvoteCount: 1, viewerHasUpvoted: false });
      const again = await unUpvote(first.token, subjectId);
      expectNoErrors(again);
      expect(again.data.removeUpvote.subject).toMatchObject({ id: subjectId, upvoteCount: 1, viewerHasUpvoted: false });

      const never = await unUpvote(author.token, subjectId);
      expectNoErrors(never);
      expect(never.data.removeUpvote.subject).toMatchObject({ id: subjectId, upvoteCount: 1, viewerHasUpvoted: false });
      expect(await upvoteState(subjectId, second.token)).toEqual({ upvoteCount: 1, viewerHasUpvoted: true });
    });

    it('counts 10 simultaneous upvotes by one member once, and 10 simultaneous removals once', async () => {
      const member = await t.signUp();
      const before = (await upvoteState(subjectId)).upvoteCount;
      const adds = await Promise.all(Array.from({ length: 10 }, () => upvote(member.token, subjectId)));
      for (const response of adds) {
        expectNoErrors(response);
        expect(response.data.addUpvote.subject.viewerHasUpvoted).toBe(true);
      }
      expect(await upvoteState(subjectId, member.token)).toEqual({ upvoteCount: before + 1, viewerHasUpvoted: true });

      const removals = await Promise.all(Array.from({ length: 10 }, () => unUpvote(member.token, subjectId)));
      for (const response of removals) {
        expectNoErrors(response);
        expect(response.data.removeUpvote.subject.viewerHasUpvoted).toBe(false);
      }
      expect(await upvoteState(subjectId, member.token)).toEqual({ upvoteCount: before, viewerHasUpvoted: false });
    });

    it('refuses anonymous upvotes and removals', async () => {
      const before = await upvoteState(subjectId);
      for (const response of [await upvote(null, subjectId), await unUpvote(null, subjectId)]) {
        expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
      }
      expect(await upvoteState(subjectId)).toEqual(before);
    });
  });

  it('counts many members upvoting at once exactly', async () => {
    const postId = await createThread('Popular question');
    const members = await Promise.all(Array.from({ length: 8 }, () => t.signUp()));
    const responses = await Promise.all(members.flatMap((member) => [upvote(member.token, postId), upvote(member.token, postId)]));
    for (const response of responses) expectNoErrors(response);
    const post = await t.gql(READ_POST_COUNTERS, { id: postId });
    expect(post.data.post.upvoteCount).toBe(8);
    expect(post.data.post.stats.upvoteCount).toBe(8);
  });

  it('answers NOT_FOUND for ids that name no post or comment', async () => {
    const member = await t.signUp();
    const pollId = await createSubject('poll');
    const pollDbId = Buffer.from(pollId, 'base64url').toString().split(':')[1];
    const ids = [
      globalId('Thread', 987654),
      globalId('Poll', 987654),
      globalId('Comment', 987654),
      globalId('Thread', pollDbId), // the poll's row, named as a thread
      member.id, // a member is not upvotable
      globalId('Topic', 1),
    ];
    for (const subjectId of ids) {
      expect(codesOf(await upvote(member.token, subjectId))).toEqual(['NOT_FOUND']);
      expect(codesOf(await unUpvote(member.token, subjectId))).toEqual(['NOT_FOUND']);
    }
    expect(await upvoteState(pollId)).toEqual({ upvoteCount: 0, viewerHasUpvoted: false });
  });

  it.each([['not an id!'], [''], [globalId('Thread', 'abc')], [globalId('Nothing', 1)], ['x'.repeat(100)]])(
    'refuses the malformed id %j as BAD_USER_INPUT on input.subjectId',
    async (subjectId) => {
      for (const response of [await upvote(author.token, subjectId), await unUpvote(author.token, subjectId)]) {
        expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors![0].extensions!.field).toBe('input.subjectId');
      }
    },
  );

  it("keeps Post.stats in step with the post's own counters", async () => {
    const postId = await createThread('Stats agree');
    const [a, b] = await Promise.all([t.signUp(), t.signUp()]);
    await upvote(a.token, postId);
    await upvote(b.token, postId);
    await unUpvote(b.token, postId);
    await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } });
    await t.gql(ADD_COMMENT, { input: { postId, body: 'Agreed.' } }, a.token);
    const response = await t.gql(READ_POST_COUNTERS, { id: postId });
    const post = response.data.post;
    expect(post).toMatchObject({ upvoteCount: 1, viewCount: 1, commentCount: 1 });
    expect(post.stats).toMatchObject({ postId, upvoteCount: 1, viewCount: 1, commentCount: 1 });
    expect(post.stats.id).not.toBe(postId);
    const node = await t.gql(`query ($id: ID!) { node(id: $id) { id ... on PostStats { postId upvoteCount viewCount commentCount } } }`, { id: post.stats.id });
    expect(node.data.node).toEqual(post.stats);
  });

  describe('recordView', () => {
    async function viewCount(postId: string): Promise<number> {
      const response = await t.gql(READ_POST_COUNTERS, { id: postId });
      expectNoErrors(response);
      expect(response.data.post.stats.viewCount).toBe(response.data.post.viewCount);
      return response.data.post.viewCount;
    }

    // Anonymous views (once per client address and post): test/anonymous-views.test.ts.

    it('counts a signed-in member once per 30 minutes per post', async () => {
      const [reader, other] = await Promise.all([t.signUp(), t.signUp()]);
      const postId = await createSubject('poll');
      const first = await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } }, reader.token);
      expectNoErrors(first);
      expect(first.data.recordView.post).toMatchObject({ viewCount: 1, stats: { viewCount: 1 } });
      const second = await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } }, reader.token);
      expectNoErrors(second);
      expect(second.data.recordView.post).toMatchObject({ viewCount: 1, stats: { viewCount: 1 } });

      // Another member, and the same member on another post, count.
      expect((await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } }, other.token)).data.recordView.post.viewCount).toBe(2);
      const otherPost = await createThread('Another post');
      expect((await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId: otherPost } }, reader.token)).data.recordView.post.viewCount).toBe(1);
      expect(await viewCount(postId)).toBe(2);
    });

    it('counts the member again once 30 minutes have passed', async () => {
      const reader = await t.signUp();
      const postId = await createThread('Come back later');
      await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } }, reader.token);
      // The server runs in this process: move its clock instead of waiting half an hour.
      const realNow = Date.now;
      const spy = jest.spyOn(Date, 'now');
      try {
        spy.mockImplementation(() => realNow() + 29 * 60_000);
        expect((await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } }, reader.token)).data.recordView.post.viewCount).toBe(1);
        spy.mockImplementation(() => realNow() + 30 * 60_000 + 1_000);
        expect((await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } }, reader.token)).data.recordView.post.viewCount).toBe(2);
        expect((await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } }, reader.token)).data.recordView.post.viewCount).toBe(2);
      } finally {
        spy.mockRestore();
      }
    });

    it('counts 10 simultaneous views by one member once', async () => {
      const reader = await t.signUp();
      const postId = await createThread('Refresh storm');
      const responses = await Promise.all(Array.from({ length: 10 }, () => t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } }, reader.token)));
      for (const response of responses) {
        expectNoErrors(response);
        expect(response.data.recordView.post.viewCount).toBe(1);
      }
      expect(await viewCount(postId)).toBe(1);
    });

    it('answers NOT_FOUND for an unknown post and BAD_USER_INPUT for a malformed id', async () => {
      const commentId = await createSubject('comment');
      for (const postId of [globalId('Thread', 987654), globalId('Poll', 987654), commentId]) {
        expect(codesOf(await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId } }))).toEqual(['NOT_FOUND']);
      }
      const malformed = await t.gql(RECORD_VIEW_WITH_STATS, { input: { postId: 'nope!' } });
      expect(codesOf(malformed)).toEqual(['BAD_USER_INPUT']);
      expect(malformed.errors![0].extensions!.field).toBe('input.postId');
    });
  });
});

const UPVOTABLE_FIELDS = `__typename id upvoteCount viewerHasUpvoted`;
const TYPENAMES: Record<Kind, string> = { thread: 'Thread', poll: 'Poll', comment: 'Comment' };
const ADD_UPVOTE_WITH_FIELDS = `mutation AddUpvote($input: AddUpvoteInput!) { addUpvote(input: $input) { subject { ${UPVOTABLE_FIELDS} } } }`;
const REMOVE_UPVOTE_WITH_FIELDS = `mutation RemoveUpvote($input: RemoveUpvoteInput!) { removeUpvote(input: $input) { subject { ${UPVOTABLE_FIELDS} } } }`;
const READ_UPVOTABLE = `query ReadUpvotable($id: ID!) { node(id: $id) { ... on Upvotable { upvoteCount viewerHasUpvoted } } }`;
const READ_POST_COUNTERS = `
  query ReadPostCounters($id: ID!) {
    post(id: $id) { id viewCount upvoteCount commentCount stats { id postId viewCount upvoteCount commentCount } }
  }`;
const RECORD_VIEW_WITH_STATS = `mutation RecordView($input: RecordViewInput!) { recordView(input: $input) { post { id viewCount stats { viewCount } } } }`;
