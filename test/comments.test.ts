import { CREATE_POLL, CREATE_THREAD, typed } from './helpers/documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

/** A well-formed ID of the given kind that names nothing (IDs are base64url "<Type>:<id>"). */
const unknownId = (type: string) => Buffer.from(`${type}:999999`, 'utf8').toString('base64url');

describe('comments: posting, replies, lists, editing and soft deletion', () => {
  let t: TestServer;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  let carol: { token: string; id: string };

  beforeAll(async () => {
    t = await startTestServer();
    [alice, bob, carol] = await Promise.all([t.signUp(), t.signUp(), t.signUp()]);
  });

  async function newThread(token = alice.token): Promise<string> {
    const result = await t.gql(CREATE_THREAD, { input: { title: 'How do you run blameless post-mortems?', body: 'Looking for formats.' } }, token);
    if (!result.data?.createThread) throw new Error(`createThread failed: ${JSON.stringify(result.errors)}`);
    return result.data.createThread.thread.id;
  }

  async function newPoll(token = alice.token): Promise<string> {
    const result = await t.gql(CREATE_POLL, { input: { title: 'Which cloud do you run most on?', options: ['AWS', 'Azure'] } }, token);
    if (!result.data?.createPoll) throw new Error(`createPoll failed: ${JSON.stringify(result.errors)}`);
    return result.data.createPoll.poll.id;
  }

  /** Adds a comment (or a reply) and returns its id and edge cursor; fails the test on any error. */
  async function comment(token: string, postId: string, body: string, parentId?: string): Promise<{ id: string; cursor: string }> {
    const result = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId, body, ...(parentId ? { parentId } : {}) } }, token);
    if (!result.data?.addComment) throw new Error(`addComment failed: ${JSON.stringify(result.errors)}`);
    return { id: result.data.addComment.comment.id, cursor: result.data.addComment.commentEdge.cursor };
  }

  async function commentsOf(postId: string, args: { first?: number; after?: string | null; orderBy?: string } = {}, token?: string) {
    const result = await t.gql(POST_COMMENTS, { id: postId, ...args }, token);
    expect(result.errors).toBeUndefined();
    return result.data!.post!;
  }

  async function repliesOf(commentId: string, args: { first?: number; after?: string | null } = {}) {
    const result = await t.gql(REPLIES, { id: commentId, ...args });
    expect(result.errors).toBeUndefined();
    return result.data!.node!;
  }

  /** Walks a post's top-level comments page by page; returns the ids in the order served. */
  async function walk(postId: string, orderBy: string, first: number): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 20; page++) {
      const { comments } = await commentsOf(postId, { first, after, orderBy });
      expect(comments.edges.length).toBeLessThanOrEqual(first);
      ids.push(...comments.edges.map((edge) => edge.node.id));
      expect(comments.pageInfo.hasPreviousPage).toBe(after !== undefined);
      if (!comments.pageInfo.hasNextPage) return ids;
      after = comments.pageInfo.endCursor;
    }
    throw new Error('the walk did not end');
  }

  function expectBadInput(result: GraphQLResponse, field: string): void {
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0].extensions!.field).toBe(field);
  }

  describe('addComment', () => {
    it('comments on a thread: trimmed, newlines and tabs kept, Windows line ends normalised', async () => {
      const threadId = await newThread();
      const result = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, body: '  First paragraph.\r\n\r\n\tSecond one.\n ' } }, bob.token);
      expect(result.errors).toBeUndefined();
      const { comment: added, commentEdge } = result.data.addComment;
      expect(added).toMatchObject({
        body: 'First paragraph.\n\n\tSecond one.',
        author: { id: bob.id },
        parent: null,
        post: { id: threadId },
        isDeleted: false,
        editedAt: null,
        upvoteCount: 0,
        viewerHasUpvoted: false,
        replyCount: 0,
      });
      expect(Date.parse(added.createdAt)).not.toBeNaN();
      expect(commentEdge.node.id).toBe(added.id);
      expect(typeof commentEdge.cursor).toBe('string');

      const post = await commentsOf(threadId);
      expect(post.commentCount).toBe(1);
      expect(post.comments.edges.map((edge) => edge.node.id)).toEqual([added.id]);
    });

    it('comments on a poll', async () => {
      const pollId = await newPoll();
      const { id } = await comment(carol.token, pollId, 'We are mostly on AWS.');
      const post = await commentsOf(pollId);
      expect(post).toMatchObject({ __typename: 'Poll', commentCount: 1 });
      expect(post.comments.edges[0].node).toMatchObject({ id, body: 'We are mostly on AWS.', post: { id: pollId } });
    });

    it('needs a signed-in member, and writes nothing without one', async () => {
      const threadId = await newThread();
      const result = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, body: 'Anonymous thoughts' } });
      expect(codesOf(result)).toEqual(['UNAUTHENTICATED']);
      expect(result.data).toEqual({ addComment: null });
      const post = await commentsOf(threadId);
      expect(post.commentCount).toBe(0);
      expect(post.comments.totalCount).toBe(0);
    });

    it('accepts exactly 10,000 characters, counted as characters, not UTF-16 units', async () => {
      const threadId = await newThread();
      const plain = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, body: `  ${'x'.repeat(10_000)}  ` } }, bob.token);
      expect(plain.errors).toBeUndefined();
      expect(plain.data.addComment.comment.body).toHaveLength(10_000);
      const emoji = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, body: '\u{1F600}'.repeat(10_000) } }, bob.token);
      expect(emoji.errors).toBeUndefined();
      expect((await commentsOf(threadId)).commentCount).toBe(2);
    });

    it.each([
      ['empty', ''],
      ['blank', ' \n\t  '],
      ['10,001 characters', 'x'.repeat(10_001)],
      ['a bell character', 'ring\u0007ring'],
      ['a NUL character', 'nul\u0000byte'],
      ['an escape sequence', 'red \u001b[31m text'],
      ['a C1 control character', 'next\u0085line'],
      ['a Unicode line separator', 'one\u2028two'],
    ])('refuses a body that is %s on input.body', async (_label, body) => {
      const threadId = await newThread();
      const result = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, body } }, bob.token);
      expectBadInput(result, 'input.body');
      expect((await commentsOf(threadId)).commentCount).toBe(0);
    });

    it('is NOT_FOUND for a post that does not exist or an ID of another kind, BAD_USER_INPUT for a malformed one', async () => {
      const threadId = await newThread();
      const { id: commentId } = await comment(bob.token, threadId, 'A comment');
      for (const postId of [unknownId('Thread'), unknownId('Poll'), alice.id, commentId]) {
        const result = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId, body: 'Hello' } }, bob.token);
        expect(codesOf(result)).toEqual(['NOT_FOUND']);
      }
      expectBadInput(await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: 'not an id!', body: 'Hello' } }, bob.token), 'input.postId');
    });
  });

  describe('replies', () => {
    it('replies via parentId; a reply to a reply joins the same top-level comment', async () => {
      const threadId = await newThread();
      const top = await comment(alice.token, threadId, 'Top-level');
      const first = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, parentId: top.id, body: 'A reply' } }, bob.token);
      expect(first.errors).toBeUndefined();
      expect(first.data.addComment.comment.parent).toEqual({ id: top.id });
      const nested = await t.gql(
        ADD_COMMENT_WITH_FIELDS,
        { input: { postId: threadId, parentId: first.data.addComment.comment.id, body: 'A reply to the reply' } },
        carol.token,
      );
      expect(nested.errors).toBeUndefined();
      expect(nested.data.addComment.comment.parent).toEqual({ id: top.id });

      const post = await commentsOf(threadId);
      expect(post.commentCount).toBe(3);
      expect(post.comments.totalCount).toBe(1);
      expect(post.comments.edges.map((edge) => edge.node.id)).toEqual([top.id]);
      expect(post.comments.edges[0].node.replyCount).toBe(2);

      const replies = await repliesOf(top.id);
      expect(replies.replies.edges.map((edge) => edge.node.id)).toEqual([first.data.addComment.comment.id, nested.data.addComment.comment.id]);
      expect(replies.replies.edges.every((edge) => edge.node.parent.id === top.id)).toBe(true);

      // Replies are one level deep: a reply has no replies of its own.
      const ofReply = await repliesOf(first.data.addComment.comment.id);
      expect(ofReply).toMatchObject({ replyCount: 0, replies: { totalCount: 0, edges: [] } });
    });

    it('refuses a parent of another post on input.parentId, and an unknown parent as NOT_FOUND', async () => {
      const threadId = await newThread();
      const otherThreadId = await newThread();
      const foreign = await comment(alice.token, otherThreadId, 'Elsewhere');
      const result = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, parentId: foreign.id, body: 'Reply' } }, bob.token);
      expectBadInput(result, 'input.parentId');

      const unknown = await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, parentId: unknownId('Comment'), body: 'Reply' } }, bob.token);
      expect(codesOf(unknown)).toEqual(['NOT_FOUND']);
      expectBadInput(await t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, parentId: '%%%', body: 'Reply' } }, bob.token), 'input.parentId');

      for (const id of [threadId, otherThreadId]) expect((await commentsOf(id)).commentCount).toBe(id === threadId ? 0 : 1);
    });

    it('pages replies oldest first with pageInfo and totalCount', async () => {
      const threadId = await newThread();
      const top = await comment(alice.token, threadId, 'Top-level');
      const replyIds: string[] = [];
      for (let i = 1; i <= 5; i++) replyIds.push((await comment(i % 2 ? bob.token : carol.token, threadId, `Reply ${i}`, top.id)).id);

      const page1 = (await repliesOf(top.id, { first: 2 })).replies;
      expect(page1.edges.map((edge) => edge.node.id)).toEqual(replyIds.slice(0, 2));
      expect(page1.totalCount).toBe(5);
      expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: page1.edges[0].cursor, endCursor: page1.edges[1].cursor });

      const page2 = (await repliesOf(top.id, { first: 2, after: page1.pageInfo.endCursor })).replies;
      expect(page2.edges.map((edge) => edge.node.id)).toEqual(replyIds.slice(2, 4));
      expect(page2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

      const page3 = (await repliesOf(top.id, { first: 2, after: page2.pageInfo.endCursor })).replies;
      expect(page3.edges.map((edge) => edge.node.id)).toEqual(replyIds.slice(4));
      expect(page3.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, endCursor: page3.edges[0].cursor });
      expect(page3.totalCount).toBe(5);

      const all = await repliesOf(top.id);
      expect(all.replyCount).toBe(5);
      expect(all.replies.edges.map((edge) => edge.node.id)).toEqual(replyIds);
      expect(all.replies.pageInfo.hasNextPage).toBe(false);
    });

    it('commentEdge.cursor continues its list: the next comment or reply follows it', async () => {
      const threadId = await newThread();
      const first = await comment(alice.token, threadId, 'One');
      const second = await comment(bob.token, threadId, 'Two');
      const third = await comment(carol.token, threadId, 'Three');
      const afterFirst = await commentsOf(threadId, { first: 1, after: first.cursor });
      expect(afterFirst.comments.edges.map((edge) => edge.node.id)).toEqual([second.id]);
      expect(afterFirst.comments.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
      const afterSecond = await commentsOf(threadId, { after: second.cursor });
      expect(afterSecond.comments.edges.map((edge) => edge.node.id)).toEqual([third.id]);
      expect((await commentsOf(threadId, { after: third.cursor })).comments.edges).toEqual([]);

      const replyA = await comment(bob.token, threadId, 'Reply A', first.id);
      const replyB = await comment(carol.token, threadId, 'Reply B', first.id);
      const afterReplyA = await repliesOf(first.id, { first: 5, after: replyA.cursor });
      expect(afterReplyA.replies.edges.map((edge) => edge.node.id)).toEqual([replyB.id]);
      // The reply's cursor belongs to the replies list: replies never show up among top-level comments.
      expect((await commentsOf(threadId, { after: first.cursor })).comments.edges.map((edge) => edge.node.id)).toEqual([second.id, third.id]);
    });
  });

  describe('orders and pagination of top-level comments', () => {
    let threadId: string;
    let ids: string[];
    const mostUpvoted = () => [ids[2], ids[4], ids[0], ids[1], ids[3], ids[5]];

    beforeAll(async () => {
      threadId = await newThread();
      ids = [];
      for (let i = 1; i <= 6; i++) ids.push((await comment(i % 2 ? alice.token : bob.token, threadId, `Comment ${i}`)).id);
      // A reply: counted by commentCount, never listed among top-level comments.
      await comment(carol.token, threadId, 'A reply', ids[1]);
      // Upvotes: c1 1, c2 0, c3 3, c4 0, c5 2, c6 0 (three ties, broken oldest first).
      const upvotes: Array<[number, { token: string }[]]> = [
        [0, [carol]],
        [2, [alice, bob, carol]],
        [4, [bob, carol]],
      ];
      for (const [index, members] of upvotes) {
        for (const member of members) {
          const result = await t.gql(ADD_UPVOTE_WITH_FLAG, { input: { subjectId: ids[index] } }, member.token);
          expect(result.errors).toBeUndefined();
        }
      }
    });

    it('counts comments and replies in post.commentCount, top-level comments in totalCount', async () => {
      const post = await commentsOf(threadId);
      expect(post.commentCount).toBe(7);
      expect(post.comments.totalCount).toBe(6);
    });

    it('orders OLDEST (the default), NEWEST and MOST_UPVOTED (ties oldest first)', async () => {
      const ordered = async (orderBy?: string) => (await commentsOf(threadId, orderBy ? { orderBy } : {})).comments.edges.map((edge) => edge.node);
      expect((await ordered()).map((node) => node.id)).toEqual(ids);
      expect((await ordered('OLDEST')).map((node) => node.id)).toEqual(ids);
      expect((await ordered('NEWEST')).map((node) => node.id)).toEqual([...ids].reverse());
      const byUpvotes = await ordered('MOST_UPVOTED');
      expect(byUpvotes.map((node) => node.id)).toEqual(mostUpvoted());
      expect(byUpvotes.map((node) => node.upvoteCount)).toEqual([3, 2, 1, 0, 0, 0]);
    });

    it.each([
      ['OLDEST', 2],
      ['NEWEST', 2],
      ['MOST_UPVOTED', 2],
      ['OLDEST', 1],
      ['NEWEST', 1],
      ['MOST_UPVOTED', 1],
    ])('walks %s pages of %d giving every top-level comment exactly once, in order', async (orderBy, first) => {
      const walked = await walk(threadId, orderBy as string, first as number);
      const expected = { OLDEST: ids, NEWEST: [...ids].reverse(), MOST_UPVOTED: mostUpvoted() }[orderBy as string];
      expect(walked).toEqual(expected);
    });

    it.each([0, -1, 101])('refuses first: %d on the field first, for comments and for replies', async (first) => {
      expectBadInput(await t.gql(POST_COMMENTS, { id: threadId, first }), 'first');
      expectBadInput(await t.gql(REPLIES, { id: ids[1], first }), 'first');
    });

    it('accepts first: 1 and first: 100; an explicit null means the default (20, OLDEST)', async () => {
      expect((await commentsOf(threadId, { first: 1 })).comments.edges).toHaveLength(1);
      expect((await commentsOf(threadId, { first: 100 })).comments.edges).toHaveLength(6);
      const defaults = await t.gql(POST_COMMENTS, { id: threadId, first: null, after: null, orderBy: null });
      expect(defaults.errors).toBeUndefined();
      expect(defaults.data!.post!.comments.edges.map((edge) => edge.node.id)).toEqual(ids);
      const replies = await t.gql(REPLIES, { id: ids[1], first: null, after: null });
      expect(replies.errors).toBeUndefined();
      expect(replies.data!.node!.replies.edges).toHaveLength(1);
    });

    it('refuses a cursor of another order, or a made-up one, on the field after', async () => {
      const cursorOf = async (orderBy: string) => (await commentsOf(threadId, { first: 1, orderBy })).comments.pageInfo.endCursor;
      const cursors = { OLDEST: await cursorOf('OLDEST'), NEWEST: await cursorOf('NEWEST'), MOST_UPVOTED: await cursorOf('MOST_UPVOTED') };
      for (const [issuedBy, cursor] of Object.entries(cursors)) {
        for (const orderBy of Object.keys(cursors).filter((order) => order !== issuedBy)) {
          expectBadInput(await t.gql(POST_COMMENTS, { id: threadId, after: cursor, orderBy }), 'after');
        }
      }
      expectBadInput(await t.gql(POST_COMMENTS, { id: threadId, after: 'not-a-cursor' }), 'after');
      expectBadInput(await t.gql(REPLIES, { id: ids[1], after: cursors.NEWEST }), 'after');
    });

    it('resolves viewerHasUpvoted for each viewer', async () => {
      const flags = async (token?: string) => {
        const post = await commentsOf(threadId, {}, token);
        return post.comments.edges.map((edge) => edge.node.viewerHasUpvoted);
      };
      expect(await flags(alice.token)).toEqual([false, false, true, false, false, false]);
      expect(await flags(bob.token)).toEqual([false, false, true, false, true, false]);
      expect(await flags(carol.token)).toEqual([true, false, true, false, true, false]);
      expect(await flags()).toEqual([false, false, false, false, false, false]);

      const removed = await t.gql(REMOVE_UPVOTE_WITH_FLAG, { input: { subjectId: ids[2] } }, alice.token);
      expect(removed.data.removeUpvote.subject).toEqual({ id: ids[2], upvoteCount: 2, viewerHasUpvoted: false });
      const added = await t.gql(ADD_UPVOTE_WITH_FLAG, { input: { subjectId: ids[2] } }, alice.token);
      expect(added.data.addUpvote.subject).toEqual({ id: ids[2], upvoteCount: 3, viewerHasUpvoted: true });
      expect(await flags(alice.token)).toEqual([false, false, true, false, false, false]);
    });
  });

  describe('editComment', () => {
    it('lets the author edit: new body, editedAt set', async () => {
      const threadId = await newThread();
      const { id } = await comment(bob.token, threadId, 'Frist!');
      const result = await t.gql(EDIT_COMMENT, { input: { commentId: id, body: '  First, with a fix.\n\nAnd more.  ' } }, bob.token);
      expect(result.errors).toBeUndefined();
      const edited = result.data.editComment.comment;
      expect(edited).toMatchObject({ id, body: 'First, with a fix.\n\nAnd more.', author: { id: bob.id }, isDeleted: false });
      expect(edited.editedAt).not.toBeNull();
      expect(Date.parse(edited.editedAt)).toBeGreaterThanOrEqual(Date.parse(edited.createdAt));

      const listed = (await commentsOf(threadId)).comments.edges[0].node;
      expect(listed).toMatchObject({ id, body: 'First, with a fix.\n\nAnd more.', editedAt: edited.editedAt });
    });

    it('is FORBIDDEN for another member, UNAUTHENTICATED anonymously, BAD_USER_INPUT for a bad body; the comment stays', async () => {
      const threadId = await newThread();
      const { id } = await comment(bob.token, threadId, 'Original');
      expect(codesOf(await t.gql(EDIT_COMMENT, { input: { commentId: id, body: 'Hijacked' } }, carol.token))).toEqual(['FORBIDDEN']);
      expect(codesOf(await t.gql(EDIT_COMMENT, { input: { commentId: id, body: 'Hijacked' } }))).toEqual(['UNAUTHENTICATED']);
      expectBadInput(await t.gql(EDIT_COMMENT, { input: { commentId: id, body: '   ' } }, bob.token), 'input.body');
      expectBadInput(await t.gql(EDIT_COMMENT, { input: { commentId: id, body: 'x'.repeat(10_001) } }, bob.token), 'input.body');
      expect(codesOf(await t.gql(EDIT_COMMENT, { input: { commentId: unknownId('Comment'), body: 'Hello' } }, bob.token))).toEqual(['NOT_FOUND']);

      const listed = (await commentsOf(threadId)).comments.edges[0].node;
      expect(listed).toMatchObject({ id, body: 'Original', editedAt: null });
    });
  });

  describe('deleteComment', () => {
    it('is FORBIDDEN for another member and UNAUTHENTICATED anonymously; nothing changes', async () => {
      const threadId = await newThread();
      const { id } = await comment(bob.token, threadId, 'Keep me');
      expect(codesOf(await t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: id } }, carol.token))).toEqual(['FORBIDDEN']);
      expect(codesOf(await t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: id } }))).toEqual(['UNAUTHENTICATED']);
      expect(codesOf(await t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: unknownId('Comment') } }, bob.token))).toEqual(['NOT_FOUND']);
      const post = await commentsOf(threadId);
      expect(post.commentCount).toBe(1);
      expect(post.comments.edges[0].node).toMatchObject({ id, body: 'Keep me', isDeleted: false, author: { id: bob.id } });
    });

    it('soft-deletes: placeholders while replies remain, counts drop once, replies keep their parent', async () => {
      const threadId = await newThread();
      const withReplies = await comment(alice.token, threadId, 'I will have replies');
      const lonely = await comment(alice.token, threadId, 'Nobody answers me');
      const other = await comment(bob.token, threadId, 'Bystander');
      const reply1 = await comment(bob.token, threadId, 'Reply 1', withReplies.id);
      const reply2 = await comment(carol.token, threadId, 'Reply 2', withReplies.id);
      let post = await commentsOf(threadId);
      expect(post.commentCount).toBe(5);
      expect(post.comments.totalCount).toBe(3);

      // A top-level comment with replies stays as a placeholder.
      const deleted = await t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: withReplies.id } }, alice.token);
      expect(deleted.errors).toBeUndefined();
      expect(deleted.data.deleteComment.comment).toMatchObject({ id: withReplies.id, isDeleted: true, body: '', author: null, replyCount: 2 });
      post = await commentsOf(threadId);
      expect(post.commentCount).toBe(4);
      expect(post.comments.totalCount).toBe(3);
      expect(post.comments.edges.map((edge) => edge.node.id)).toEqual([withReplies.id, lonely.id, other.id]);
      expect(post.comments.edges[0].node).toMatchObject({ isDeleted: true, body: '', author: null, replyCount: 2 });

      const replies = await repliesOf(withReplies.id);
      expect(replies.replies.edges.map((edge) => edge.node.id)).toEqual([reply1.id, reply2.id]);
      const reply = await t.gql(COMMENT_NODE, { id: reply2.id });
      expect(reply.data.node).toMatchObject({ id: reply2.id, body: 'Reply 2', parent: { id: withReplies.id, isDeleted: true, body: '', author: null } });

      // A top-level comment without replies disappears from the list.
      await t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: lonely.id } }, alice.token);
      post = await commentsOf(threadId);
      expect(post.commentCount).toBe(3);
      expect(post.comments.totalCount).toBe(2);
      expect(post.comments.edges.map((edge) => edge.node.id)).toEqual([withReplies.id, other.id]);

      // Deleting twice drops nothing twice.
      const again = await t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: lonely.id } }, alice.token);
      expect(again.errors).toBeUndefined();
      expect(again.data.deleteComment.comment).toMatchObject({ id: lonely.id, isDeleted: true });
      expect((await commentsOf(threadId)).commentCount).toBe(3);

      // Deleting a reply drops replyCount once and removes it from the replies.
      await t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: reply1.id } }, bob.token);
      await t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: reply1.id } }, bob.token);
      const afterReply = await repliesOf(withReplies.id);
      expect(afterReply.replyCount).toBe(1);
      expect(afterReply.replies.totalCount).toBe(1);
      expect(afterReply.replies.edges.map((edge) => edge.node.id)).toEqual([reply2.id]);
      post = await commentsOf(threadId);
      expect(post.commentCount).toBe(2);
      expect(post.comments.edges[0].node).toMatchObject({ id: withReplies.id, isDeleted: true, replyCount: 1 });

      // The placeholder goes once its last reply is deleted.
      await t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: reply2.id } }, carol.token);
      post = await commentsOf(threadId);
      expect(post.commentCount).toBe(1);
      expect(post.comments.totalCount).toBe(1);
      expect(post.comments.edges.map((edge) => edge.node.id)).toEqual([other.id]);
      for (const orderBy of ['NEWEST', 'MOST_UPVOTED']) {
        expect((await commentsOf(threadId, { orderBy })).comments.edges.map((edge) => edge.node.id)).toEqual([other.id]);
      }
    });
  });

  it('drops the counts once when the same comment is deleted by several requests at once', async () => {
    const threadId = await newThread();
    const top = await comment(alice.token, threadId, 'Top-level');
    const reply = await comment(bob.token, threadId, 'Reply', top.id);
    await comment(carol.token, threadId, 'Another reply', top.id);
    const results = await Promise.all(Array.from({ length: 5 }, () => t.gql(DELETE_COMMENT_WITH_FIELDS, { input: { commentId: reply.id } }, bob.token)));
    for (const result of results) expect(result.data.deleteComment.comment).toMatchObject({ id: reply.id, isDeleted: true });
    const post = await commentsOf(threadId);
    expect(post.commentCount).toBe(2);
    expect(post.comments.edges[0].node.replyCount).toBe(1);
  });

  it('keeps every one of 20 concurrent comments: commentCount exactly 20, 20 distinct comments in OLDEST order', async () => {
    const threadId = await newThread();
    const members = await Promise.all(Array.from({ length: 20 }, () => t.signUp()));
    const results = await Promise.all(
      members.map((member, i) => t.gql(ADD_COMMENT_WITH_FIELDS, { input: { postId: threadId, body: `Comment number ${i}` } }, member.token)),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const addedIds = results.map((result) => result.data.addComment.comment.id);
    expect(new Set(addedIds).size).toBe(20);
    expect(new Set(results.map((result) => result.data.addComment.commentEdge.cursor)).size).toBe(20);

    const post = await commentsOf(threadId, { first: 100, orderBy: 'OLDEST' });
    expect(post.commentCount).toBe(20);
    expect(post.comments.totalCount).toBe(20);
    const listed = post.comments.edges.map((edge) => edge.node.id);
    expect(new Set(listed).size).toBe(20);
    expect([...listed].sort()).toEqual([...addedIds].sort());
    expect(await walk(threadId, 'OLDEST', 7)).toEqual(listed);
  });
});

const COMMENT_FIELDS = `
  fragment CommentFields on Comment {
    id body isDeleted createdAt editedAt upvoteCount viewerHasUpvoted replyCount
    author { id }
    parent { id }
    post { id }
  }`;
const ADD_COMMENT_WITH_FIELDS = `
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) { comment { ...CommentFields } commentEdge { cursor node { id } } }
  }
  ${COMMENT_FIELDS}`;
const EDIT_COMMENT = `
  mutation EditComment($input: EditCommentInput!) { editComment(input: $input) { comment { ...CommentFields } } }
  ${COMMENT_FIELDS}`;
const DELETE_COMMENT_WITH_FIELDS = `
  mutation DeleteComment($input: DeleteCommentInput!) { deleteComment(input: $input) { comment { ...CommentFields } } }
  ${COMMENT_FIELDS}`;
const ADD_UPVOTE_WITH_FLAG = `
  mutation AddUpvote($input: AddUpvoteInput!) { addUpvote(input: $input) { subject { id upvoteCount viewerHasUpvoted } } }`;
const REMOVE_UPVOTE_WITH_FLAG = `
  mutation RemoveUpvote($input: RemoveUpvoteInput!) { removeUpvote(input: $input) { subject { id upvoteCount viewerHasUpvoted } } }`;
interface CommentFields {
  id: string;
  body: string;
  isDeleted: boolean;
  createdAt: string;
  editedAt: string | null;
  upvoteCount: number;
  viewerHasUpvoted: boolean;
  replyCount: number;
  author: { id: string } | null;
  parent: { id: string } | null;
  post: { id: string };
}
interface Page<Node> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string; node: Node }>;
}
const POST_COMMENTS = typed<{ post: { __typename: string; id: string; commentCount: number; comments: Page<CommentFields> } | null }>(`
  query PostComments($id: ID!, $first: Int, $after: String, $orderBy: CommentOrder) {
    post(id: $id) {
      __typename id commentCount
      comments(first: $first, after: $after, orderBy: $orderBy) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { ...CommentFields } }
      }
    }
  }
  ${COMMENT_FIELDS}`);
/** A reply always has its parent. */
const REPLIES = typed<{ node: { id: string; replyCount: number; replies: Page<{ id: string; parent: { id: string } }> } | null }>(`
  query Replies($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      ... on Comment {
        id replyCount
        replies(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { id parent { id } } }
        }
      }
    }
  }`);
const COMMENT_NODE = `
  query CommentNode($id: ID!) {
    node(id: $id) { ... on Comment { id body parent { id isDeleted body author { id } } } }
  }`;
