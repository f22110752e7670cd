/**
 * Member.posts and Member.comments (authoring part of the API): what a member wrote, newest first,
 * with keyset cursors and `first` 1..100; undeleted posts only, and undeleted comments and replies
 * on undeleted posts. Only the member themself reads them: for anyone else, anonymous included,
 * an empty list with totalCount 0 and no error.
 */
import { ADD_COMMENT, CREATE_POLL, CREATE_THREAD, DELETE_COMMENT } from './helpers/documents';
import { DELETE_POST, HistoryPage, MEMBER_COMMENTS, MEMBER_POSTS, VIEWER_HISTORY } from './helpers/delete-documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

describe('Member.posts and Member.comments', () => {
  let t: TestServer;
  let writer: { token: string; id: string };
  let other: { token: string; id: string };
  /** The writer's posts and comments, oldest first, as created. */
  const posts: string[] = [];
  const comments: string[] = [];

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  beforeAll(async () => {
    t = await startTestServer();
    [writer, other] = await Promise.all([t.signUp(), t.signUp()]);
    const theirs = ok(await t.gql(CREATE_THREAD, { input: { title: 'Theirs', body: 'x' } }, other.token)).createThread.thread.id;
    for (let i = 0; i < 5; i++) {
      const created =
        i % 2 === 0
          ? ok(await t.gql(CREATE_THREAD, { input: { title: `Thread ${i}`, body: 'x' } }, writer.token)).createThread.thread.id
          : ok(await t.gql(CREATE_POLL, { input: { title: `Poll ${i}`, options: ['A', 'B'] } }, writer.token)).createPoll.poll.id;
      posts.push(created);
      const comment = ok(await t.gql(ADD_COMMENT, { input: { postId: theirs, body: `Comment ${i}` } }, writer.token)).addComment.comment.id;
      comments.push(comment);
      // A reply counts as one of the member's comments too.
      comments.push(ok(await t.gql(ADD_COMMENT, { input: { postId: theirs, body: `Reply ${i}`, parentId: comment } }, writer.token)).addComment.comment.id);
    }
    // Someone else's content is never in the writer's lists.
    await t.gql(ADD_COMMENT, { input: { postId: posts[0], body: 'Not the writer' } }, other.token);
  });

  const postsOf = async (variables: { first?: number; after?: string | null }, token: string | null = writer.token): Promise<HistoryPage> =>
    ok(await t.gql(MEMBER_POSTS, { id: writer.id, ...variables }, token)).node!.posts;
  const commentsOf = async (variables: { first?: number; after?: string | null }, token: string | null = writer.token): Promise<HistoryPage> =>
    ok(await t.gql(MEMBER_COMMENTS, { id: writer.id, ...variables }, token)).node!.comments;

  /** Walks a list page by page and returns the ids in the order served. */
  async function walk(read: (variables: { first: number; after: string | null }) => Promise<HistoryPage>, first: number): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result = await read({ first, after });
      expect(result.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(result.nodes).toEqual(result.edges.map((edge) => edge.node));
      ids.push(...result.edges.map((edge) => edge.node.id));
      if (!result.pageInfo.hasNextPage) return ids;
      after = result.pageInfo.endCursor;
    }
    throw new Error('too many pages');
  }

  it('lists the member their own posts and comments (replies included), newest first, with totalCount', async () => {
    const ownPosts = await postsOf({});
    expect(ownPosts.nodes.map((node) => node.id)).toEqual([...posts].reverse());
    expect(ownPosts.totalCount).toBe(5);
    const ownComments = await commentsOf({});
    expect(ownComments.nodes.map((node) => node.id)).toEqual([...comments].reverse());
    expect(ownComments.totalCount).toBe(10);
    // The same through viewer.
    const viaViewer = ok(await t.gql(VIEWER_HISTORY, { first: 2 }, writer.token)).viewer!;
    expect(viaViewer.posts.nodes.map((node) => node.id)).toEqual([posts[4], posts[3]]);
    expect(viaViewer.comments.nodes.map((node) => node.id)).toEqual([comments[9], comments[8]]);
  });

  it('pages with cursors, never repeating or skipping, whatever the page size', async () => {
    for (const first of [1, 2, 3, 100]) {
      expect(await walk((variables) => postsOf(variables), first)).toEqual([...posts].reverse());
      expect(await walk((variables) => commentsOf(variables), first)).toEqual([...comments].reverse());
    }
  });

  it('refuses first outside 1..100 and cursors of another list as BAD_USER_INPUT', async () => {
    for (const first of [0, -1, 101]) {
      for (const document of [MEMBER_POSTS, MEMBER_COMMENTS]) {
        const response = await t.gql(document, { id: writer.id, first }, writer.token);
        expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors![0].extensions.field).toBe('first');
      }
    }
    const commentCursor = (await commentsOf({ first: 1 })).pageInfo.endCursor;
    const postsCursor = (await postsOf({ first: 1 })).pageInfo.endCursor;
    for (const [document, after] of [
      [MEMBER_POSTS, commentCursor],
      [MEMBER_COMMENTS, postsCursor],
      [MEMBER_POSTS, 'garbage'],
    ] as const) {
      const response = await t.gql(document, { id: writer.id, after }, writer.token);
      expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].extensions.field).toBe('after');
    }
  });

  it('is empty with totalCount 0, and no error, for other members and anonymous viewers', async () => {
    for (const token of [other.token, null]) {
      for (const page of [await postsOf({}, token), await commentsOf({}, token)]) {
        expect(page).toEqual({
          totalCount: 0,
          edges: [],
          nodes: [],
          pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
        });
      }
    }
  });

  it('leaves out deleted posts, deleted comments and replies, and comments on deleted posts', async () => {
    const writersThread = ok(await t.gql(CREATE_THREAD, { input: { title: 'Soon gone', body: 'x' } }, writer.token)).createThread.thread.id;
    const onIt = ok(await t.gql(ADD_COMMENT, { input: { postId: writersThread, body: 'On a doomed thread' } }, writer.token)).addComment.comment.id;
    expect((await postsOf({})).nodes[0].id).toBe(writersThread);
    expect((await commentsOf({})).nodes[0].id).toBe(onIt);

    ok(await t.gql(DELETE_POST, { input: { postId: writersThread } }, writer.token));
    ok(await t.gql(DELETE_COMMENT, { input: { commentId: comments[0] } }, writer.token));
    ok(await t.gql(DELETE_COMMENT, { input: { commentId: comments[3] } }, writer.token));
    ok(await t.gql(DELETE_POST, { input: { postId: posts[2] } }, writer.token));

    const ownPosts = await postsOf({});
    expect(ownPosts.nodes.map((node) => node.id)).toEqual([posts[4], posts[3], posts[1], posts[0]]);
    expect(ownPosts.totalCount).toBe(4);
    const remaining = comments.filter((_, index) => index !== 0 && index !== 3).reverse();
    const ownComments = await commentsOf({});
    expect(ownComments.nodes.map((node) => node.id)).toEqual(remaining);
    expect(ownComments.totalCount).toBe(8);
    expect(await walk((variables) => commentsOf(variables), 3)).toEqual(remaining);
  });
});
