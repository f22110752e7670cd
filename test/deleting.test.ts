/**
 * deletePost (authoring part of the API): author only; soft in the database, but from then on the
 * post is gone for everyone, everywhere: post(id) and node(id) of it, its comments, replies,
 * options, results and stats are null; lists (every order, filter, search, totalCount), topics'
 * postCount, recommendations and the members' own lists leave it out; every mutation naming it or
 * one of its comments is NOT_FOUND. Deletes racing each other delete once.
 */
import { toGlobalId } from '../src/graphql/global-id';
import type { DomainEvent } from '../src/modules/events';
import { Post } from '../src/modules/post/post.entity';
import {
  ADD_COMMENT,
  ADD_UPVOTE,
  CAST_VOTE,
  CLOSE_POLL,
  CREATE_POLL,
  CREATE_THREAD,
  dbId,
  DELETE_COMMENT,
  RECORD_VIEW,
  REMOVE_UPVOTE,
  RETRACT_VOTE,
} from './helpers/documents';
import {
  DELETE_POST,
  EDIT_COMMENT,
  MEMBER_COMMENTS,
  MEMBER_POSTS,
  NODE,
  POST,
  POST_COUNTERS,
  POSTS,
  RECOMMENDED,
  TOPIC,
  TOPICS,
} from './helpers/delete-documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

const ORDERS = ['NEWEST', 'MOST_UPVOTED', 'MOST_VIEWED', 'MOST_DISCUSSED', 'TRENDING'];

describe('deletePost', () => {
  let t: TestServer;
  let author: { token: string; id: string };
  let other: { token: string; id: string };
  let runs = 0;

  beforeAll(async () => {
    t = await startTestServer();
    [author, other] = await Promise.all([t.signUp(), t.signUp()]);
  });

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  /** A thread under two topics with a unique search word, a comment, a reply and upvotes; a second thread beside it. */
  async function threadWithActivity() {
    const word = `zebra${++runs}x${process.pid}`;
    const topics = [`Deletion ${runs} A`, `Deletion ${runs} B`];
    const create = (title: string) => t.gql(CREATE_THREAD, { input: { title, body: `About ${word}.`, topics } }, author.token);
    const postId = ok(await create(`Doomed ${word}`)).createThread.thread.id;
    const survivorId = ok(await create(`Survivor ${word}`)).createThread.thread.id;
    const commentId = ok(await t.gql(ADD_COMMENT, { input: { postId, body: 'A comment.' } }, other.token)).addComment.comment.id;
    const replyId = ok(await t.gql(ADD_COMMENT, { input: { postId, body: 'A reply.', parentId: commentId } }, author.token)).addComment.comment.id;
    ok(await t.gql(ADD_UPVOTE, { input: { subjectId: postId } }, other.token));
    ok(await t.gql(ADD_UPVOTE, { input: { subjectId: commentId } }, author.token));
    ok(await t.gql(RECORD_VIEW, { input: { postId } }, other.token));
    const slugs = topics.map((name) => name.toLowerCase().replace(/ /g, '-'));
    return { word, slugs, postId, survivorId, commentId, replyId };
  }

  const topicCounts = async (slugs: string[]) => {
    const all = ok(await t.gql(TOPICS)).topics;
    return slugs.map((slug) => all.find((topic) => topic.slug === slug)?.postCount);
  };

  it('is refused without a token (UNAUTHENTICATED) and to anyone but the author (FORBIDDEN); nothing changes', async () => {
    const { postId, slugs } = await threadWithActivity();
    expect(codesOf(await t.gql(DELETE_POST, { input: { postId } }))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await t.gql(DELETE_POST, { input: { postId } }, other.token))).toEqual(['FORBIDDEN']);
    expect(ok(await t.gql(POST, { id: postId })).post).toEqual({ id: postId });
    expect(await topicCounts(slugs)).toEqual([2, 2]);
  });

  it('is NOT_FOUND on input.postId for an unknown id or the id of something else, BAD_USER_INPUT for a malformed one', async () => {
    const { commentId } = await threadWithActivity();
    for (const postId of [toGlobalId('Thread', 999_999), toGlobalId('Poll', 999_999), commentId]) {
      const response = await t.gql(DELETE_POST, { input: { postId } }, author.token);
      expect(codesOf(response)).toEqual(['NOT_FOUND']);
      expect(response.errors![0].extensions.field).toBe('input.postId');
    }
    const malformed = await t.gql(DELETE_POST, { input: { postId: 'not an id' } }, author.token);
    expect(codesOf(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors![0].extensions.field).toBe('input.postId');
  });

  it('makes the post, its comments, replies and stats unreachable through post(id) and node(id)', async () => {
    const { postId, commentId, replyId } = await threadWithActivity();
    const deleted = ok(await t.gql(DELETE_POST, { input: { postId } }, author.token));
    expect(deleted.deletePost).toEqual({ deletedPostId: postId });

    expect(ok(await t.gql(POST, { id: postId })).post).toBeNull();
    for (const id of [postId, commentId, replyId, toGlobalId('PostStats', dbId(postId))]) {
      expect(ok(await t.gql(NODE, { id })).node).toBeNull();
      expect(ok(await t.gql(NODE, { id }, author.token)).node).toBeNull();
    }
  });

  it("leaves it out of every order, filter and search, with exact totalCounts, and out of its topics' postCount", async () => {
    const { postId, survivorId, word, slugs } = await threadWithActivity();
    const before = ok(await t.gql(POSTS, { first: 100 })).posts.totalCount;
    expect(await topicCounts(slugs)).toEqual([2, 2]);

    ok(await t.gql(DELETE_POST, { input: { postId } }, author.token));

    for (const orderBy of ORDERS) {
      const { posts } = ok(await t.gql(POSTS, { first: 100, orderBy }));
      expect(posts.nodes.map((node) => node.id)).not.toContain(postId);
      expect(posts.nodes.map((node) => node.id)).toContain(survivorId);
      expect(posts.totalCount).toBe(before - 1);
    }
    const threads = ok(await t.gql(POSTS, { first: 100, kind: 'THREAD' })).posts;
    expect(threads.nodes.map((node) => node.id)).not.toContain(postId);
    for (const variables of [{ search: word }, { topicSlug: slugs[0] }, { topicSlug: slugs[1], search: word }]) {
      const { posts } = ok(await t.gql(POSTS, { first: 100, ...variables }));
      expect(posts).toEqual({ totalCount: 1, nodes: [{ id: survivorId }] });
    }
    expect(await topicCounts(slugs)).toEqual([1, 1]);
    expect(ok(await t.gql(TOPIC, { slug: slugs[0] })).topic).toEqual({ slug: slugs[0], postCount: 1 });
  });

  it('leaves it out of recommendations, and recommendedPosts(relatedTo:) with its id is NOT_FOUND', async () => {
    const { postId, survivorId } = await threadWithActivity();
    // The doomed post shares both topics with the survivor and is the most popular: first until deleted.
    expect(ok(await t.gql(RECOMMENDED, { relatedTo: survivorId, first: 20 })).recommendedPosts![0].id).toBe(postId);
    ok(await t.gql(DELETE_POST, { input: { postId } }, author.token));
    expect(ok(await t.gql(RECOMMENDED, { relatedTo: survivorId, first: 20 })).recommendedPosts!.map((post) => post.id)).not.toContain(postId);
    expect(ok(await t.gql(RECOMMENDED, { first: 20 })).recommendedPosts!.map((post) => post.id)).not.toContain(postId);
    const related = await t.gql(RECOMMENDED, { relatedTo: postId });
    expect(codesOf(related)).toEqual(['NOT_FOUND']);
    expect(related.errors![0].extensions.field).toBe('relatedTo');
  });

  it("leaves it out of the author's Member.posts and its comments out of the commenters' Member.comments", async () => {
    const { postId, survivorId, commentId } = await threadWithActivity();
    const survivorComment = ok(await t.gql(ADD_COMMENT, { input: { postId: survivorId, body: 'Elsewhere.' } }, other.token)).addComment.comment.id;
    const postsOf = async () => ok(await t.gql(MEMBER_POSTS, { id: author.id, first: 100 }, author.token)).node!.posts;
    const commentsOf = async () => ok(await t.gql(MEMBER_COMMENTS, { id: other.id, first: 100 }, other.token)).node!.comments;
    const [postsBefore, commentsBefore] = [await postsOf(), await commentsOf()];
    expect(postsBefore.nodes.map((node) => node.id)).toContain(postId);
    expect(commentsBefore.nodes.map((node) => node.id)).toEqual(expect.arrayContaining([commentId, survivorComment]));

    ok(await t.gql(DELETE_POST, { input: { postId } }, author.token));
    const [postsAfter, commentsAfter] = [await postsOf(), await commentsOf()];
    expect(postsAfter.nodes.map((node) => node.id)).not.toContain(postId);
    expect(postsAfter.totalCount).toBe(postsBefore.totalCount - 1);
    expect(commentsAfter.nodes.map((node) => node.id)).not.toContain(commentId);
    expect(commentsAfter.nodes.map((node) => node.id)).toContain(survivorComment);
    expect(commentsAfter.totalCount).toBe(commentsBefore.totalCount - 1);
  });

  it('makes every mutation naming it or one of its comments NOT_FOUND, deleting it again included', async () => {
    const { postId, commentId, replyId, survivorId } = await threadWithActivity();
    ok(await t.gql(DELETE_POST, { input: { postId } }, author.token));

    const attempts: Array<[string, GraphQLResponse]> = [
      ['input.postId', await t.gql(DELETE_POST, { input: { postId } }, author.token)],
      ['input.postId', await t.gql(ADD_COMMENT, { input: { postId, body: 'Too late.' } }, other.token)],
      ['input.postId', await t.gql(ADD_COMMENT, { input: { postId, body: 'Too late.', parentId: commentId } }, other.token)],
      // Its comment as the parent of a comment on another post names nothing either (not "another post's comment").
      ['input.parentId', await t.gql(ADD_COMMENT, { input: { postId: survivorId, body: 'Too late.', parentId: commentId } }, other.token)],
      ['input.commentId', await t.gql(EDIT_COMMENT, { input: { commentId, body: 'Changed.' } }, other.token)],
      ['input.commentId', await t.gql(EDIT_COMMENT, { input: { commentId: replyId, body: 'Changed.' } }, author.token)],
      ['input.commentId', await t.gql(DELETE_COMMENT, { input: { commentId } }, other.token)],
      ['input.subjectId', await t.gql(ADD_UPVOTE, { input: { subjectId: postId } }, author.token)],
      ['input.subjectId', await t.gql(REMOVE_UPVOTE, { input: { subjectId: postId } }, other.token)],
      ['input.subjectId', await t.gql(ADD_UPVOTE, { input: { subjectId: replyId } }, other.token)],
      ['input.subjectId', await t.gql(REMOVE_UPVOTE, { input: { subjectId: commentId } }, author.token)],
      ['input.postId', await t.gql(RECORD_VIEW, { input: { postId } }, other.token)],
      ['input.postId', await t.gql(RECORD_VIEW, { input: { postId } })],
    ];
    for (const [field, response] of attempts) {
      expect(codesOf(response)).toEqual(['NOT_FOUND']);
      expect(response.errors![0].extensions.field).toBe(field);
    }
    // The other thread is untouched: its counters are its own.
    expect(ok(await t.gql(POST_COUNTERS, { id: survivorId })).post).toMatchObject({ upvoteCount: 0, commentCount: 0, viewCount: 0 });
  });

  it('deletes a poll: the poll, its options and results are null; votes, retractions and closing are NOT_FOUND', async () => {
    const created = ok(await t.gql(CREATE_POLL, { input: { title: 'Delete me?', options: ['Yes', 'No'], topics: ['Polls to delete'] } }, author.token));
    const { id: pollId, options } = created.createPoll.poll;
    ok(await t.gql(CAST_VOTE, { input: { pollId, optionIds: [options[0].id] } }, other.token));
    const pollsBefore = ok(await t.gql(POSTS, { first: 100, kind: 'POLL' })).posts.totalCount;

    expect(ok(await t.gql(DELETE_POST, { input: { postId: pollId } }, author.token)).deletePost).toEqual({ deletedPostId: pollId });

    for (const id of [pollId, options[0].id, options[1].id, toGlobalId('PollResults', dbId(pollId)), toGlobalId('PostStats', dbId(pollId))]) {
      expect(ok(await t.gql(NODE, { id }, other.token)).node).toBeNull();
    }
    expect(ok(await t.gql(POSTS, { first: 100, kind: 'POLL' })).posts.totalCount).toBe(pollsBefore - 1);
    expect(ok(await t.gql(TOPIC, { slug: 'polls-to-delete' })).topic!.postCount).toBe(0);
    const attempts = [
      await t.gql(CAST_VOTE, { input: { pollId, optionIds: [options[1].id] } }, other.token),
      await t.gql(RETRACT_VOTE, { input: { pollId } }, other.token),
      await t.gql(CLOSE_POLL, { input: { pollId } }, author.token),
    ];
    for (const response of attempts) {
      expect(codesOf(response)).toEqual(['NOT_FOUND']);
      expect(response.errors![0].extensions.field).toBe('input.pollId');
    }
    // Its options name nothing any more, also when another poll's vote names one (not "an option of another poll").
    const live = ok(await t.gql(CREATE_POLL, { input: { title: 'Still here?', options: ['Yes', 'No'] } }, author.token)).createPoll.poll;
    const stray = await t.gql(CAST_VOTE, { input: { pollId: live.id, optionIds: [options[0].id] } }, other.token);
    expect(codesOf(stray)).toEqual(['NOT_FOUND']);
    expect(stray.errors![0].extensions.field).toBe('input.optionIds[0]');
  });

  it('a deleted poll past its closesAt is left as it was: the closing scheduler does not close it', async () => {
    const closesAt = new Date(Date.now() + 1500).toISOString();
    const { id: pollId } = ok(await t.gql(CREATE_POLL, { input: { title: 'Closing soon', options: ['A', 'B'], closesAt } }, author.token)).createPoll.poll;
    ok(await t.gql(DELETE_POST, { input: { postId: pollId } }, author.token));
    const seen: DomainEvent[] = [];
    const unsubscribe = t.probe.events.subscribe((event) => seen.push(event));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    unsubscribe();
    const row = await t.probe.db.read((manager) => manager.getRepository(Post).findOneByOrFail({ id: dbId(pollId) }));
    expect(row).toMatchObject({ isClosed: false, resultsVersion: 0 });
    expect(seen.filter((event) => 'postId' in event && event.postId === dbId(pollId))).toEqual([]);
  });

  it('deletes once when the author sends it 10 times at once: one success, 9 NOT_FOUND, topic counts drop once', async () => {
    const { postId, slugs } = await threadWithActivity();
    const responses = await Promise.all(Array.from({ length: 10 }, () => t.gql(DELETE_POST, { input: { postId } }, author.token)));
    const succeeded = responses.filter((response) => response.data?.deletePost?.deletedPostId === postId);
    expect(succeeded).toHaveLength(1);
    expect(responses.flatMap(codesOf).sort()).toEqual(Array(9).fill('NOT_FOUND'));
    expect(await topicCounts(slugs)).toEqual([1, 1]);
  });
});
