/**
 * Removed content is unreachable to mutations too (moderation.graphql, "Moderation states"): for
 * everyone but its author and moderators a REMOVED post is a deleted post, so addComment,
 * addUpvote/removeUpvote (of it or of one of its comments), castVote/retractVote, recordView and
 * reportContent naming it are NOT_FOUND on the field naming it, and write nothing; a REMOVED comment
 * is like a deleted one (no upvotes, no replies, no reports). Its author and moderators still act
 * on it. Hidden content stays reachable. Over HTTP; content is removed with moderateContent.
 */
import { Comment } from '../src/modules/comment/comment.entity';
import { PollVote } from '../src/modules/poll/poll-vote.entity';
import { Post } from '../src/modules/post/post.entity';
import { PostView } from '../src/modules/post/post-view.entity';
import { Report } from '../src/modules/report/report.entity';
import { Upvote } from '../src/modules/upvote/upvote.entity';
import {
  ADD_COMMENT,
  ADD_UPVOTE,
  CAST_VOTE,
  CREATE_POLL,
  CREATE_THREAD,
  dbId,
  Document,
  RECORD_VIEW,
  REMOVE_UPVOTE,
  RETRACT_VOTE,
  typed,
} from './helpers/documents';
import { MODERATE, setRole } from './helpers/moderation-content-documents';
import { REPORT_CONTENT } from './helpers/reports-documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

/** addComment with the post's commentCount as the payload reads it after the write. */
const ADD_COMMENT_WITH_COUNT = typed<{ addComment: { comment: { id: string; post: { commentCount: number } } } }>(
  `mutation AddCommentWithCount($input: AddCommentInput!) { addComment(input: $input) { comment { id post { commentCount } } } }`,
);

function ok<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

function expectNotFound(response: GraphQLResponse, field: string): void {
  expect([codesOf(response), response.errors?.[0]?.extensions.field]).toEqual([['NOT_FOUND'], field]);
}

describe('removed content is unreachable to mutations', () => {
  let t: TestServer;
  let author: Member;
  let commenter: Member;
  let other: Member;
  let moderator: Member;

  beforeAll(async () => {
    t = await startTestServer();
    [author, commenter, other, moderator] = await Promise.all([t.signUp(), t.signUp(), t.signUp(), t.signUp()]);
    await setRole(t, moderator.id, 'MODERATOR');
  });

  afterAll(async () => {
    await t?.stop();
  });

  const gql = <T>(document: Document<T>, input: Record<string, unknown>, who: Member | null) => t.gql(document, { input }, who?.token ?? null);
  const thread = async () => ok(await t.gql(CREATE_THREAD, { input: { title: 'Reach', body: 'Body' } }, author.token)).createThread.thread.id;
  const poll = async () => ok(await t.gql(CREATE_POLL, { input: { title: 'Reach poll', options: ['A', 'B'] } }, author.token)).createPoll.poll;
  const comment = async (postId: string, by: Member, parentId?: string) =>
    ok(await t.gql(ADD_COMMENT, { input: { postId, body: 'A comment', ...(parentId ? { parentId } : {}) } }, by.token)).addComment.comment.id;
  const moderate = async (subjectId: string, action: 'REMOVE' | 'HIDE' | 'RESTORE' | 'UNHIDE') =>
    ok(await t.gql(MODERATE, { input: { subjectId, action, ...(action === 'REMOVE' || action === 'HIDE' ? { reason: 'SPAM' } : {}) } }, moderator.token));
  const upvote = (subjectId: string, who: Member) => t.gql(ADD_UPVOTE, { input: { subjectId } }, who.token);
  const unUpvote = (subjectId: string, who: Member) => t.gql(REMOVE_UPVOTE, { input: { subjectId } }, who.token);
  const report = (subjectId: string, who: Member) => t.gql(REPORT_CONTENT, { input: { subjectId, reason: 'SPAM' } }, who.token);

  /** What a member has written about a post or comment: the rows each of these mutations would add or remove. */
  async function writtenBy(memberId: string, subject: { postId?: string; commentId?: string }) {
    const member = dbId(memberId);
    return t.probe.db.read(async (manager) => {
      const subjectId = dbId(subject.commentId ?? subject.postId!);
      const subjectType = subject.commentId ? 'COMMENT' : 'POST';
      return {
        comments: subject.postId ? await manager.getRepository(Comment).count({ where: { postId: dbId(subject.postId), authorId: member } }) : 0,
        upvotes: await manager.getRepository(Upvote).count({ where: { memberId: member, subjectType, subjectId } }),
        votes: subject.postId ? await manager.getRepository(PollVote).count({ where: { pollId: dbId(subject.postId), memberId: member } }) : 0,
        views: subject.postId ? await manager.getRepository(PostView).count({ where: { postId: dbId(subject.postId), memberId: member } }) : 0,
        reports: await manager.getRepository(Report).count({ where: { reporterId: member, subjectType, subjectId } }),
      };
    });
  }
  const storedPost = (postId: string) => t.probe.db.read((manager) => manager.getRepository(Post).findOneByOrFail({ id: dbId(postId) }));
  const viewCount = async (postId: string) => (await storedPost(postId)).viewCount;
  const commentCount = async (postId: string) => (await storedPost(postId)).commentCount;

  describe('a removed thread', () => {
    let postId: string;
    let commentId: string;
    beforeAll(async () => {
      postId = await thread();
      commentId = await comment(postId, commenter);
      // Another member's upvote from before the removal: removing it afterwards is NOT_FOUND too, and it stays.
      ok(await upvote(postId, other));
      await moderate(postId, 'REMOVE');
    });

    it('is NOT_FOUND to another member for every mutation naming it or one of its comments, and nothing is written', async () => {
      const before = { post: await writtenBy(other.id, { postId }), comment: await writtenBy(other.id, { commentId }) };
      expectNotFound(await gql(ADD_COMMENT, { postId, body: 'Hello' }, other), 'input.postId');
      expectNotFound(await gql(ADD_COMMENT, { postId, parentId: commentId, body: 'Hello' }, other), 'input.postId');
      expectNotFound(await upvote(postId, other), 'input.subjectId');
      expectNotFound(await unUpvote(postId, other), 'input.subjectId');
      expectNotFound(await upvote(commentId, other), 'input.subjectId');
      expectNotFound(await unUpvote(commentId, other), 'input.subjectId');
      expectNotFound(await gql(RECORD_VIEW, { postId }, other), 'input.postId');
      expectNotFound(await report(postId, other), 'input.subjectId');
      expectNotFound(await report(commentId, other), 'input.subjectId');
      expect({ post: await writtenBy(other.id, { postId }), comment: await writtenBy(other.id, { commentId }) }).toEqual(before);
      expect(before.post.upvotes).toBe(1);
    });

    it('is NOT_FOUND to the author of one of its comments, who is not the author of the post', async () => {
      expectNotFound(await gql(ADD_COMMENT, { postId, parentId: commentId, body: 'Reply' }, commenter), 'input.postId');
      expectNotFound(await upvote(commentId, commenter), 'input.subjectId');
    });

    it('is NOT_FOUND to an anonymous view, which counts nothing', async () => {
      const views = await viewCount(postId);
      expectNotFound(await gql(RECORD_VIEW, { postId }, null), 'input.postId');
      expect(await viewCount(postId)).toBe(views);
    });

    it('still takes comments, upvotes and views from its author and moderators', async () => {
      for (const who of [author, moderator]) {
        const added = ok(await gql(ADD_COMMENT_WITH_COUNT, { postId, body: 'Still here' }, who)).addComment.comment;
        // The payload reads the post as written, not as the reach check read it before the write.
        expect(added.post.commentCount).toBe(await commentCount(postId));
        ok(await gql(ADD_COMMENT, { postId, parentId: commentId, body: 'A reply' }, who));
        ok(await upvote(postId, who));
        ok(await unUpvote(postId, who));
        ok(await upvote(commentId, who));
        ok(await gql(RECORD_VIEW, { postId }, who));
        expect(await writtenBy(who.id, { postId })).toMatchObject({ comments: 2, upvotes: 0, views: 1 });
      }
      // Reporting: its author may not report their own post (FORBIDDEN, as ever); a moderator may.
      expect(codesOf(await report(postId, author))).toEqual(['FORBIDDEN']);
      ok(await report(postId, moderator));
    });

    it('is reachable again once restored', async () => {
      await moderate(postId, 'RESTORE');
      ok(await upvote(commentId, other));
      ok(await gql(ADD_COMMENT, { postId, body: 'Back' }, other));
      ok(await gql(RECORD_VIEW, { postId }, other));
      await moderate(postId, 'REMOVE');
      expectNotFound(await unUpvote(commentId, other), 'input.subjectId');
    });
  });

  describe('a removed poll', () => {
    let pollId: string;
    let options: string[];
    beforeAll(async () => {
      const created = await poll();
      pollId = created.id;
      options = created.options.map((option) => option.id);
      // A vote from before the removal: retracting it afterwards is NOT_FOUND, and it stays.
      ok(await gql(CAST_VOTE, { pollId, optionIds: [options[0]] }, other));
      await moderate(pollId, 'REMOVE');
    });

    it('is NOT_FOUND on input.pollId to another member casting or retracting a vote, and nothing is written', async () => {
      expectNotFound(await gql(CAST_VOTE, { pollId, optionIds: [options[1]] }, other), 'input.pollId');
      expectNotFound(await gql(RETRACT_VOTE, { pollId }, other), 'input.pollId');
      expectNotFound(await gql(CAST_VOTE, { pollId, optionIds: [options[1]] }, commenter), 'input.pollId');
      expectNotFound(await upvote(pollId, other), 'input.subjectId');
      expectNotFound(await gql(ADD_COMMENT, { postId: pollId, body: 'Hi' }, other), 'input.postId');
      expect(await writtenBy(other.id, { postId: pollId })).toMatchObject({ comments: 0, upvotes: 0, votes: 1 });
      expect(await writtenBy(commenter.id, { postId: pollId })).toMatchObject({ votes: 0 });
      const stored = await t.probe.db.read((manager) => manager.getRepository(PollVote).findOneByOrFail({ pollId: dbId(pollId), memberId: dbId(other.id) }));
      expect(stored.optionId).toBe(dbId(options[0]));
    });

    it('still takes votes from its author and moderators', async () => {
      for (const who of [author, moderator]) {
        ok(await gql(CAST_VOTE, { pollId, optionIds: [options[1]] }, who));
        expect(await writtenBy(who.id, { postId: pollId })).toMatchObject({ votes: 1 });
        ok(await gql(RETRACT_VOTE, { pollId }, who));
        expect(await writtenBy(who.id, { postId: pollId })).toMatchObject({ votes: 0 });
      }
    });
  });

  describe('a removed comment on a visible post', () => {
    let postId: string;
    let commentId: string;
    let replyId: string;
    beforeAll(async () => {
      postId = await thread();
      commentId = await comment(postId, commenter);
      replyId = await comment(postId, author, commentId);
      ok(await upvote(commentId, other));
      await moderate(commentId, 'REMOVE');
    });

    it('is NOT_FOUND to another member upvoting, replying to or reporting it, and nothing is written', async () => {
      const before = await writtenBy(other.id, { commentId });
      const comments = (await writtenBy(other.id, { postId })).comments;
      expectNotFound(await upvote(commentId, other), 'input.subjectId');
      expectNotFound(await unUpvote(commentId, other), 'input.subjectId');
      expectNotFound(await gql(ADD_COMMENT, { postId, parentId: commentId, body: 'Reply' }, other), 'input.parentId');
      expectNotFound(await report(commentId, other), 'input.subjectId');
      expect(await writtenBy(other.id, { commentId })).toEqual(before);
      expect(before.upvotes).toBe(1);
      expect((await writtenBy(other.id, { postId })).comments).toBe(comments);
    });

    it('leaves the post, and the replies of the removed comment, reachable (as with a deleted comment)', async () => {
      ok(await gql(ADD_COMMENT, { postId, body: 'On the post' }, other));
      ok(await gql(ADD_COMMENT, { postId, parentId: replyId, body: 'To the reply' }, other));
      ok(await upvote(replyId, other));
      ok(await upvote(postId, other));
    });

    it('still takes replies and upvotes from its author and moderators', async () => {
      for (const who of [commenter, moderator]) {
        ok(await gql(ADD_COMMENT, { postId, parentId: commentId, body: 'Reply' }, who));
        ok(await upvote(commentId, who));
        ok(await unUpvote(commentId, who));
      }
      // Reporting: the comment's author may not report their own comment; a moderator may.
      expect(codesOf(await report(commentId, commenter))).toEqual(['FORBIDDEN']);
      ok(await report(commentId, moderator));
    });

    it('goes with the fresh role: a member made moderator reaches it on the next request, and loses it when demoted', async () => {
      const promoted = await t.signUp();
      expectNotFound(await upvote(commentId, promoted), 'input.subjectId');
      await setRole(t, promoted.id, 'MODERATOR');
      ok(await upvote(commentId, promoted));
      await setRole(t, promoted.id, 'MEMBER');
      expectNotFound(await unUpvote(commentId, promoted), 'input.subjectId');
    });
  });

  it('leaves hidden content reachable: only its text is withheld', async () => {
    const postId = await thread();
    const commentId = await comment(postId, commenter);
    await moderate(postId, 'HIDE');
    await moderate(commentId, 'HIDE');
    ok(await upvote(postId, other));
    ok(await upvote(commentId, other));
    ok(await gql(ADD_COMMENT, { postId, parentId: commentId, body: 'Reply' }, other));
    ok(await gql(RECORD_VIEW, { postId }, other));
    ok(await report(commentId, other));
  });
});
