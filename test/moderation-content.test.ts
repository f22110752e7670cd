/**
 * moderateContent (moderation.graphql) and what each viewer sees of hidden and removed content:
 * anonymous, another member, the author and a moderator, over HTTP. Counters stay exact through
 * hide, remove and restore, also with two moderators acting at once; every change is logged once.
 */
import { ADD_COMMENT, CREATE_POLL, CREATE_THREAD, DELETE_COMMENT } from './helpers/documents';
import {
  fileReport,
  LIST_POSTS,
  logEntriesOf,
  MEMBER_HISTORY,
  MODERATE,
  READ_COMMENTS,
  READ_NODE_COMMENT,
  READ_POST,
  RECOMMENDED,
  reportStatus,
  setRole,
  TOPIC,
} from './helpers/moderation-content-documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

describe('moderateContent and what each viewer sees', () => {
  let t: TestServer;
  let author: Member;
  let other: Member;
  let moderator: Member;
  let moderator2: Member;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  beforeAll(async () => {
    t = await startTestServer();
    [author, other, moderator, moderator2] = await Promise.all([t.signUp(), t.signUp(), t.signUp(), t.signUp()]);
    await setRole(t, moderator.id, 'MODERATOR');
    await setRole(t, moderator2.id, 'ADMIN');
  });

  const moderate = (token: string | null, input: Record<string, unknown>) => t.gql(MODERATE, { input }, token);
  const thread = async (title: string, body: string, topics: string[] = []) =>
    ok(await t.gql(CREATE_THREAD, { input: { title, body, topics } }, author.token)).createThread.thread.id;
  const comment = async (postId: string, body: string, parentId?: string, token = other.token) =>
    ok(await t.gql(ADD_COMMENT, { input: { postId, body, ...(parentId ? { parentId } : {}) } }, token)).addComment.comment.id;
  const readPost = async (id: string, token: string | null) => ok(await t.gql(READ_POST, { id }, token));
  const viewers = () => ({ anonymous: null, other: other.token, author: author.token, moderator: moderator.token });

  describe('permissions and input', () => {
    let postId: string;
    beforeAll(async () => {
      postId = await thread('Permissions', 'Body');
    });

    it('answers anonymous UNAUTHENTICATED and members FORBIDDEN, before looking at the subject', async () => {
      expect(codesOf(await moderate(null, { subjectId: postId, action: 'HIDE', reason: 'SPAM' }))).toEqual(['UNAUTHENTICATED']);
      expect(codesOf(await moderate(author.token, { subjectId: postId, action: 'HIDE', reason: 'SPAM' }))).toEqual(['FORBIDDEN']);
      expect(codesOf(await moderate(other.token, { subjectId: 'bm90aGluZw', action: 'HIDE', reason: 'SPAM' }))).toEqual(['FORBIDDEN']);
    });

    it('needs a reason to hide or remove, and a note of at most 1,000 characters', async () => {
      for (const action of ['HIDE', 'REMOVE']) {
        const response = await moderate(moderator.token, { subjectId: postId, action });
        expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors![0].extensions.field).toBe('input.reason');
      }
      const long = await moderate(moderator.token, { subjectId: postId, action: 'HIDE', reason: 'SPAM', note: 'x'.repeat(1001) });
      expect(long.errors![0].extensions.field).toBe('input.note');
      expect((await logEntriesOf(t, postId)).length).toBe(0);
    });

    it('is NOT_FOUND for a member, an unknown id and content its author deleted', async () => {
      const memberId = await moderate(moderator.token, { subjectId: other.id, action: 'HIDE', reason: 'SPAM' });
      expect(codesOf(memberId)).toEqual(['NOT_FOUND']);
      expect(memberId.errors![0].extensions.field).toBe('input.subjectId');
      const commentId = await comment(postId, 'To be deleted');
      ok(await t.gql(DELETE_COMMENT, { input: { commentId } }, other.token));
      expect(codesOf(await moderate(moderator.token, { subjectId: commentId, action: 'HIDE', reason: 'SPAM' }))).toEqual(['NOT_FOUND']);
    });

    it('makes the allowed moves, treats a move to the current state as a no-op and refuses the others on input.action', async () => {
      const subjectId = await thread('Moves', 'Body');
      const step = async (action: string, expected: string | 'BAD') => {
        const response = await moderate(moderator.token, { subjectId, action, reason: 'OFF_TOPIC' });
        if (expected === 'BAD') {
          expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
          expect(response.errors![0].extensions.field).toBe('input.action');
        } else expect(ok(response).moderateContent!.subject.moderationState).toBe(expected);
      };
      await step('UNHIDE', 'VISIBLE');
      await step('RESTORE', 'VISIBLE');
      await step('HIDE', 'HIDDEN');
      await step('HIDE', 'HIDDEN');
      await step('RESTORE', 'BAD');
      await step('REMOVE', 'REMOVED');
      await step('REMOVE', 'REMOVED');
      await step('HIDE', 'BAD');
      await step('UNHIDE', 'BAD');
      await step('RESTORE', 'VISIBLE');
      // Only the four real changes were logged, each once, by the acting moderator.
      const log = await logEntriesOf(t, subjectId);
      expect(log.map((entry) => [entry.action, entry.subjectType])).toEqual([
        ['HIDE', 'POST'],
        ['REMOVE', 'POST'],
        ['RESTORE', 'POST'],
      ]);
      expect(log[0].reason).toBe('OFF_TOPIC');
      const restored = await readPost(subjectId, moderator.token);
      expect(restored.post!.moderationReason).toBeNull();
    });
  });

  describe('a hidden post', () => {
    let threadId: string;
    let pollId: string;
    beforeAll(async () => {
      threadId = await thread('Hidden thread zebra', 'Secret body text');
      pollId = ok(await t.gql(CREATE_POLL, { input: { title: 'Hidden poll zebra', options: ['A', 'B'], description: 'Secret description' } }, author.token))
        .createPoll.poll.id;
      for (const id of [threadId, pollId]) ok(await moderate(moderator.token, { subjectId: id, action: 'HIDE', reason: 'ABUSE', note: 'Insults' }));
    });

    it('withholds the text and revisions from everyone but its author and moderators, and shows the state to all', async () => {
      for (const [who, token] of Object.entries(viewers())) {
        const sees = who === 'author' || who === 'moderator';
        const threadSeen = (await readPost(threadId, token)).post!;
        const pollSeen = (await readPost(pollId, token)).post!;
        expect([who, threadSeen.title, threadSeen.body, threadSeen.revisions.totalCount]).toEqual([
          who,
          'Hidden thread zebra',
          sees ? 'Secret body text' : '',
          sees ? 1 : 0,
        ]);
        expect([who, pollSeen.description]).toEqual([who, sees ? 'Secret description' : null]);
        expect([threadSeen.moderationState, threadSeen.moderationReason, threadSeen.viewerCanModerate]).toEqual(['HIDDEN', 'ABUSE', who === 'moderator']);
      }
    });

    it('stays in lists but is left out of search and recommendations for everyone', async () => {
      for (const token of Object.values(viewers())) {
        const listed = ok(await t.gql(LIST_POSTS, {}, token)).posts.nodes.map((node) => node.id);
        expect(listed).toEqual(expect.arrayContaining([threadId, pollId]));
        expect(ok(await t.gql(LIST_POSTS, { search: 'zebra' }, token)).posts.totalCount).toBe(0);
        const recommended = ok(await t.gql(RECOMMENDED, {}, token)).recommendedPosts.map((node) => node.id);
        expect(recommended).not.toContain(threadId);
      }
    });
  });

  describe('a removed post', () => {
    let postId: string;
    let commentId: string;
    beforeAll(async () => {
      postId = await thread('Removed thread', 'Illegal body', ['Removals']);
      commentId = await comment(postId, 'A comment on it');
    });

    it('is gone for anonymous viewers and other members, in full for its author and moderators, and out of lists and counts for all', async () => {
      expect(ok(await t.gql(TOPIC, { slug: 'removals' })).topic!.postCount).toBe(1);
      const reportId = await fileReport(t, other.id, { type: 'POST', id: postId });
      ok(await moderate(moderator.token, { subjectId: postId, action: 'REMOVE', reason: 'ILLEGAL' }));
      expect(await reportStatus(t, reportId)).toBe('ACTIONED');

      for (const [who, token] of Object.entries(viewers())) {
        const sees = who === 'author' || who === 'moderator';
        const read = await readPost(postId, token);
        expect([who, read.post?.body ?? null, read.node?.id ?? null]).toEqual([who, sees ? 'Illegal body' : null, sees ? postId : null]);
        if (sees) expect(read.post!.moderationState).toBe('REMOVED');
        expect(ok(await t.gql(LIST_POSTS, { topicSlug: 'removals' }, token)).posts.totalCount).toBe(0);
        expect(ok(await t.gql(RECOMMENDED, {}, token)).recommendedPosts.map((node) => node.id)).not.toContain(postId);
        // Its comments are unreachable with it.
        expect([who, ok(await t.gql(READ_NODE_COMMENT, { id: commentId }, token)).node?.id ?? null]).toEqual([who, sees ? commentId : null]);
      }
      expect(ok(await t.gql(TOPIC, { slug: 'removals' })).topic!.postCount).toBe(0);

      // Moderators read the author's history, removed posts included.
      const history = ok(await t.gql(MEMBER_HISTORY, { id: author.id }, moderator.token)).node!;
      expect(history.posts.nodes.find((node) => node.id === postId)?.moderationState).toBe('REMOVED');
      // The commenter may no longer reach the comment through their own history.
      const before = ok(await t.gql(MEMBER_HISTORY, { id: other.id }, other.token)).node!.comments.totalCount;

      ok(await moderate(moderator.token, { subjectId: postId, action: 'RESTORE' }));
      expect(ok(await t.gql(TOPIC, { slug: 'removals' })).topic!.postCount).toBe(1);
      expect((await readPost(postId, null)).post!.body).toBe('Illegal body');
      expect(ok(await t.gql(MEMBER_HISTORY, { id: other.id }, other.token)).node!.comments.totalCount).toBe(before + 1);
    });
  });

  describe('a removed comment', () => {
    let postId: string;
    let lone: string;
    let parent: string;
    let reply: string;
    beforeAll(async () => {
      postId = await thread('Comments to remove', 'Body');
      lone = await comment(postId, 'Lone secret');
      parent = await comment(postId, 'Parent secret');
      reply = await comment(postId, 'Reply secret', parent, author.token);
    });

    const listFor = async (token: string | null) => ok(await t.gql(READ_COMMENTS, { id: postId }, token)).post!;

    it('is a placeholder (with replies) or absent for others, in full for its author and moderators, and leaves the counts once', async () => {
      const [first, second] = await Promise.all([
        moderate(moderator.token, { subjectId: lone, action: 'REMOVE', reason: 'SPAM' }),
        moderate(moderator2.token, { subjectId: lone, action: 'REMOVE', reason: 'SPAM' }),
      ]);
      expect([first.errors, second.errors]).toEqual([undefined, undefined]);
      ok(await moderate(moderator.token, { subjectId: parent, action: 'REMOVE', reason: 'ABUSE' }));
      expect((await logEntriesOf(t, lone)).map((entry) => entry.action)).toEqual(['REMOVE']);

      for (const [who, token] of Object.entries(viewers())) {
        const sees = who === 'moderator' || who === 'other';
        const post = await listFor(token);
        expect([who, post.commentCount]).toEqual([who, 1]);
        const ids = post.comments.nodes.map((node) => node.id);
        expect([who, ids]).toEqual([who, sees ? [lone, parent] : [parent]]);
        expect(post.comments.totalCount).toBe(ids.length);
        const shown = post.comments.nodes.find((node) => node.id === parent)!;
        expect([who, shown.body, shown.author?.id ?? null, shown.isDeleted, shown.moderationState]).toEqual([
          who,
          sees ? 'Parent secret' : '',
          sees ? other.id : null,
          false,
          'REMOVED',
        ]);
        expect(shown.replies.nodes.map((node) => node.body)).toEqual(['Reply secret']);
      }

      ok(await moderate(moderator.token, { subjectId: reply, action: 'REMOVE', reason: 'SPAM' }));
      const anonymous = await listFor(null);
      // The parent has no reply left that others see: it leaves their list.
      expect([anonymous.commentCount, anonymous.comments.nodes.length]).toEqual([0, 0]);
      const byAuthor = await listFor(author.token);
      expect(byAuthor.comments.nodes.map((node) => node.replies.nodes.map((r) => r.id))).toEqual([]);

      // RESTORE brings each back once, also when two moderators restore at once.
      await Promise.all([
        moderate(moderator.token, { subjectId: reply, action: 'RESTORE' }),
        moderate(moderator2.token, { subjectId: reply, action: 'RESTORE' }),
      ]);
      for (const id of [lone, parent]) ok(await moderate(moderator.token, { subjectId: id, action: 'RESTORE' }));
      const restored = await listFor(null);
      expect(restored.commentCount).toBe(3);
      expect(restored.comments.nodes.map((node) => [node.id, node.replyCount, node.body])).toEqual([
        [lone, 0, 'Lone secret'],
        [parent, 1, 'Parent secret'],
      ]);
      expect((await logEntriesOf(t, reply)).map((entry) => entry.action)).toEqual(['REMOVE', 'RESTORE']);
    });

    it('hides a comment: body withheld, author, state and reason shown, counts unchanged; deleting a removed comment counts once', async () => {
      const hidden = await comment(postId, 'Heated words');
      ok(await moderate(moderator.token, { subjectId: hidden, action: 'HIDE', reason: 'TOO_HEATED' }));
      for (const [who, token] of Object.entries(viewers())) {
        const seen = ok(await t.gql(READ_NODE_COMMENT, { id: hidden }, token)).node!;
        const sees = who === 'moderator' || who === 'other';
        expect([who, seen.body, seen.author?.id, seen.moderationState, seen.moderationReason]).toEqual([
          who,
          sees ? 'Heated words' : '',
          other.id,
          'HIDDEN',
          'TOO_HEATED',
        ]);
      }
      expect((await listFor(null)).commentCount).toBe(4);
      ok(await moderate(moderator.token, { subjectId: hidden, action: 'REMOVE', reason: 'ABUSE' }));
      expect((await listFor(null)).commentCount).toBe(3);
      ok(await t.gql(DELETE_COMMENT, { input: { commentId: hidden } }, other.token));
      expect((await listFor(null)).commentCount).toBe(3);
      expect(codesOf(await moderate(moderator.token, { subjectId: hidden, action: 'RESTORE' }))).toEqual(['NOT_FOUND']);
    });
  });
});
