import { ADD_COMMENT, ADD_UPVOTE, dbId, RECORD_VIEW, typed } from './helpers/documents';
import { codesOf, startTestServer, TestServer } from './helpers/server';

/**
 * Relay object identification: node(id) resolves every Node type, post(id)
 * resolves threads and polls, and IDs of the wrong kind, of missing rows or
 * malformed are null from node/post but errors (NOT_FOUND, BAD_USER_INPUT)
 * from mutations.
 */
describe('node(id) and post(id)', () => {
  let t: TestServer;
  let member: { token: string; id: string };
  let thread: CreatedThread;
  let poll: CreatedPoll;
  let commentId: string;
  let replyId: string;

  beforeAll(async () => {
    t = await startTestServer();
    member = await t.signUp({ title: 'VP Engineering', industry: 'Retail', companySize: 'EMPLOYEES_51_TO_200' });
    thread = (await t.gql(CREATE_THREAD_WITH_NODES, { input: { title: 'A thread', body: 'Its body.', topics: ['Node Topic'] } }, member.token)).data!
      .createThread.thread;
    poll = (
      await t.gql(
        CREATE_POLL_WITH_NODES,
        { input: { title: 'A poll', description: 'Choose.', options: ['Red', 'Blue'], topics: ['Node Topic'] } },
        member.token,
      )
    ).data!.createPoll.poll;
    commentId = (await t.gql(ADD_COMMENT, { input: { postId: thread.id, body: 'A comment' } }, member.token)).data!.addComment.comment.id;
    replyId = (await t.gql(ADD_COMMENT, { input: { postId: thread.id, parentId: commentId, body: 'A reply' } }, member.token)).data!.addComment.comment.id;
  });

  const node = async (id: string, token?: string) => {
    const result = await t.gql(NODE, { id }, token);
    expect(result.errors).toBeUndefined();
    return result.data.node;
  };
  const post = async (id: string) => {
    const result = await t.gql(POST, { id });
    expect(result.errors).toBeUndefined();
    return result.data.post;
  };

  it('issues a distinct opaque id for every object', () => {
    const ids = [
      member.id,
      thread.id,
      poll.id,
      poll.options[0].id,
      poll.options[1].id,
      commentId,
      replyId,
      thread.topics[0].id,
      poll.results.id,
      thread.stats.id,
      poll.stats.id,
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(poll.results.id).not.toBe(poll.id);
    expect(poll.stats.id).not.toBe(poll.id);
    expect(poll.results.id).not.toBe(poll.stats.id);
  });

  it('resolves a Member', async () => {
    expect(await node(member.id)).toEqual({ __typename: 'Member', id: member.id, byline: 'VP Engineering in Retail, 51 - 200 employees' });
  });

  it('resolves a Thread and a Poll, through node and post', async () => {
    expect(await node(thread.id)).toEqual({ __typename: 'Thread', id: thread.id, title: 'A thread', body: 'Its body.' });
    expect(await node(poll.id)).toEqual({ __typename: 'Poll', id: poll.id, title: 'A poll', description: 'Choose.' });
    expect(await post(thread.id)).toEqual({ __typename: 'Thread', id: thread.id, title: 'A thread', commentCount: 2 });
    expect(await post(poll.id)).toEqual({ __typename: 'Poll', id: poll.id, title: 'A poll', commentCount: 0 });
  });

  it('resolves a PollOption, a Comment (and a reply) and a Topic', async () => {
    expect(await node(poll.options[1].id)).toEqual({ __typename: 'PollOption', id: poll.options[1].id, label: 'Blue', position: 1 });
    expect(await node(commentId)).toEqual({ __typename: 'Comment', id: commentId, body: 'A comment', parent: null, post: { id: thread.id } });
    expect(await node(replyId)).toEqual({ __typename: 'Comment', id: replyId, body: 'A reply', parent: { id: commentId }, post: { id: thread.id } });
    expect(await node(thread.topics[0].id)).toEqual({ __typename: 'Topic', id: thread.topics[0].id, slug: 'node-topic', postCount: 2 });
  });

  it('resolves PollResults and PostStats by their own ids', async () => {
    expect(await node(poll.results.id)).toEqual({ __typename: 'PollResults', id: poll.results.id, pollId: poll.id, participantCount: 0 });
    expect(await node(thread.stats.id)).toEqual({ __typename: 'PostStats', id: thread.stats.id, postId: thread.id, commentCount: 2 });
    expect(await node(poll.stats.id)).toEqual({ __typename: 'PostStats', id: poll.stats.id, postId: poll.id, commentCount: 0 });
    // The ids are stable: the same object comes back with the same id after a change.
    const vote = await t.gql(CAST_VOTE_WITH_RESULTS, { input: { pollId: poll.id, optionIds: [poll.options[0].id] } }, member.token);
    expect(vote.data.castVote.poll.results.id).toBe(poll.results.id);
    expect(await node(poll.results.id)).toMatchObject({ id: poll.results.id, participantCount: 1 });
  });

  it('gives null for an id re-encoded as another kind', async () => {
    const threadAsPoll = reencode(thread.id, 'Poll');
    const pollAsThread = reencode(poll.id, 'Thread');
    expect(Buffer.from(threadAsPoll, 'base64url').toString()).toBe(`Poll:${dbId(thread.id)}`);
    for (const id of [threadAsPoll, pollAsThread]) {
      expect(await node(id)).toBeNull();
      expect(await post(id)).toBeNull();
    }
    // The results of a thread, a member's id as a post: nothing of that kind.
    expect(await node(reencode(thread.id, 'PollResults'))).toBeNull();
    expect(await post(member.id)).toBeNull();
    expect(await post(commentId)).toBeNull();
  });

  it('gives null for a well-formed id of a row that does not exist', async () => {
    for (const type of ['Member', 'Thread', 'Poll', 'PollOption', 'Comment', 'Topic', 'PollResults', 'PostStats']) {
      const id = Buffer.from(`${type}:999999`).toString('base64url');
      expect([type, await node(id)]).toEqual([type, null]);
    }
    expect(await post(Buffer.from('Thread:999999').toString('base64url'))).toBeNull();
  });

  it('gives null from node and post for a malformed id', async () => {
    const malformed = [
      '!!!',
      '',
      'abc',
      Buffer.from('Thread').toString('base64url'),
      Buffer.from('Thread:0').toString('base64url'),
      Buffer.from('Thread:-1').toString('base64url'),
      Buffer.from('Unknown:1').toString('base64url'),
      Buffer.from(`Thread:${dbId(thread.id)}x`).toString('base64url'),
      'x'.repeat(1000),
    ];
    for (const id of malformed) {
      expect([id, await node(id)]).toEqual([id, null]);
      expect([id, await post(id)]).toEqual([id, null]);
    }
  });

  it('refuses a malformed id in a mutation as BAD_USER_INPUT naming the field', async () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      [ADD_UPVOTE, 'input.subjectId', { subjectId: '!!!' }],
      [ADD_UPVOTE, 'input.subjectId', { subjectId: Buffer.from('Thread:0').toString('base64url') }],
      [CAST_VOTE_WITH_RESULTS, 'input.pollId', { pollId: 'not an id', optionIds: [poll.options[0].id] }],
      [ADD_COMMENT, 'input.postId', { postId: '!!!', body: 'Hello' }],
      [RECORD_VIEW, 'input.postId', { postId: '!!!' }],
    ];
    for (const [mutation, field, input] of cases) {
      const result = await t.gql(mutation, { input }, member.token);
      expect([field, codesOf(result)]).toEqual([field, ['BAD_USER_INPUT']]);
      expect(result.errors![0].extensions!.field).toBe(field);
    }
  });

  it('answers NOT_FOUND for a well-formed id of the wrong kind or of no row in a mutation', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      [CAST_VOTE_WITH_RESULTS, { pollId: thread.id, optionIds: [poll.options[0].id] }],
      [CAST_VOTE_WITH_RESULTS, { pollId: reencode(thread.id, 'Poll'), optionIds: [poll.options[0].id] }],
      [ADD_UPVOTE, { subjectId: member.id }],
      [ADD_UPVOTE, { subjectId: reencode(thread.id, 'Poll') }],
      [ADD_UPVOTE, { subjectId: Buffer.from('Comment:999999').toString('base64url') }],
      [ADD_COMMENT, { postId: thread.topics[0].id, body: 'Hello' }],
      [RECORD_VIEW, { postId: reencode(poll.id, 'Thread') }],
    ];
    for (const [mutation, input] of cases) {
      const result = await t.gql(mutation, { input }, member.token);
      expect([input, codesOf(result)]).toEqual([input, ['NOT_FOUND']]);
    }
    // Nothing was counted on the real posts.
    expect(await t.gql(`query ($id: ID!) { post(id: $id) { upvoteCount viewCount } }`, { id: thread.id })).toMatchObject({
      data: { post: { upvoteCount: 0, viewCount: 0 } },
    });
  });
});

/** The same database row under another type name: base64url("<Type>:<n>"). */
function reencode(globalId: string, type: string): string {
  return Buffer.from(`${type}:${dbId(globalId)}`, 'utf8').toString('base64url');
}

type Id = { id: string };
interface CreatedThread extends Id {
  topics: Id[];
  stats: Id;
}
interface CreatedPoll extends Id {
  options: Id[];
  results: Id;
  stats: Id;
}
const CREATE_THREAD_WITH_NODES = typed<{ createThread: { thread: CreatedThread } }>(`
  mutation CreateThread($input: CreateThreadInput!) {
    createThread(input: $input) { thread { id topics { id } stats { id } } }
  }`);
const CREATE_POLL_WITH_NODES = typed<{ createPoll: { poll: CreatedPoll } }>(`
  mutation CreatePoll($input: CreatePollInput!) {
    createPoll(input: $input) { poll { id options { id } results { id } stats { id } } }
  }`);
const CAST_VOTE_WITH_RESULTS = `mutation CastVote($input: CastVoteInput!) { castVote(input: $input) { poll { id results { id } } } }`;
const NODE = `
  query Node($id: ID!) {
    node(id: $id) {
      __typename id
      ... on Member { byline }
      ... on Thread { title body }
      ... on Poll { title description }
      ... on PollOption { label position }
      ... on Comment { body parent { id } post { id } }
      ... on Topic { slug postCount }
      ... on PollResults { pollId participantCount }
      ... on PostStats { postId commentCount }
    }
  }`;
const POST = `query Post($id: ID!) { post(id: $id) { __typename id title commentCount } }`;
