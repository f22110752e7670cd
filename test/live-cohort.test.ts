/**
 * Fan-out once per cohort: a change's payload is executed once for every subscriber with the same
 * document, variables and visibility class, however many they are, and each gets the frame for its
 * own class over the real WebSocket. A field that reads the viewer (viewerCanEdit) is executed per
 * viewer, never shared; a document that reads nothing of the viewer is shared by anonymous and
 * signed-in subscribers alike. Counted through the feeds' CohortPayloads (the test probe).
 */
import type { Client } from 'graphql-ws';
import { ADD_COMMENT, CAST_VOTE, CREATE_POLL, Document } from './helpers/documents';
import { collect, Collected, connect, rawSocket } from './helpers/live';
import { startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

describe('live: payloads executed once per cohort and change', () => {
  let t: TestServer;
  let author: Member;
  let voter: Member;
  let commenter: Member;
  let outsiders: Member[];
  let poll: { id: string; options: Array<{ id: string }> };

  beforeAll(async () => {
    t = await startTestServer();
    [author, voter, commenter, ...outsiders] = await Promise.all(Array.from({ length: 6 }, () => t.signUp()));
    const input = { title: 'Cohorts?', options: ['Yes', 'No'], resultsVisibility: 'ON_VOTE' };
    poll = (await mutate(CREATE_POLL, { input }, author.token)).createPoll.poll;
    await mutate(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[0].id] } }, voter.token);
  });

  async function mutate<T>(document: Document<T>, variables: Record<string, unknown>, token: string): Promise<T> {
    const response = await t.gql(document, variables, token);
    expect(response.errors).toBeUndefined();
    return response.data as T;
  }

  /** `count` subscribers on one socket each, anonymous when `token` is null. */
  function watch(token: string | null, count: number, query: string, variables: Record<string, unknown>): Collected[] {
    return Array.from({ length: count }, () => collect(connect(t, token) as Client, query, variables));
  }

  const executions = (feed: 'pollResults' | 'commentAdded') => t.probe.liveHub[feed].payloads.executions;

  it('executes poll results once per visibility class and document, whatever the audience', async () => {
    const results = { id: poll.id, withOptions: true };
    // Sees the tallies: the author and the voter (4 subscribers). Does not: 12 anonymous or signed-in non-voters.
    const seeing = [...watch(author.token, 2, RESULTS, results), ...watch(voter.token, 2, RESULTS, results)];
    const hidden = [...watch(null, 6, RESULTS, results), ...outsiders.flatMap((member) => watch(member.token, 2, RESULTS, results))];
    // Same document, other variables: a cohort of its own (hidden: anonymous).
    const short = watch(null, 5, RESULTS, { id: poll.id, withOptions: false });
    const everyone = [...seeing, ...hidden, ...short];
    await Promise.all(everyone.map((watcher) => watcher.until((messages) => messages.length === 1, 10_000)));

    const before = executions('pollResults');
    await mutate(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[1].id] } }, commenter.token);
    await Promise.all(everyone.map((watcher) => watcher.until((messages) => messages.length === 2, 10_000)));

    // Three cohorts: tallies with options, hidden with options, hidden without options.
    expect(executions('pollResults') - before).toBe(3);
    for (const watcher of seeing) {
      const message = watcher.messages[1].data.pollResultsUpdated;
      expect(message).toMatchObject({ isHidden: false, totalVotes: 2, participantCount: 2 });
      expect(message.options.map((option: { voteCount: number }) => option.voteCount)).toEqual([1, 1]);
    }
    for (const watcher of hidden) {
      const message = watcher.messages[1].data.pollResultsUpdated;
      expect(message).toMatchObject({ isHidden: true, totalVotes: null, participantCount: 2 });
      expect(message.options.map((option: { voteCount: number | null }) => option.voteCount)).toEqual([null, null]);
    }
    for (const watcher of short)
      expect(watcher.messages[1].data.pollResultsUpdated).toEqual({ version: 2, isHidden: true, totalVotes: null, participantCount: 2 });
    for (const watcher of everyone) watcher.unsubscribe();
  }, 30_000);

  it('gives a subscriber joining a watched poll the current cohort payload, without reading or executing, when nothing changed since', async () => {
    const results = { id: poll.id, withOptions: true };
    const watching = watch(null, 1, RESULTS, results);
    await watching[0].until((messages) => messages.length === 1, 10_000);
    await mutate(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[0].id] } }, outsiders[2].token);
    await watching[0].until((messages) => messages.length === 2, 10_000);

    t.probe.queryLog.captured = [];
    const before = executions('pollResults');
    const joining = [...watch(null, 3, RESULTS, results), ...watch(author.token, 1, RESULTS, results)];
    await Promise.all(joining.map((watcher) => watcher.until((messages) => messages.length === 1, 10_000)));
    const statements = t.probe.queryLog.captured.filter((statement) => !/poll_closing|closes_at/i.test(statement));
    t.probe.queryLog.captured = null;

    expect(executions('pollResults') - before).toBe(1); // the author's class had not been built yet; the hidden one was
    for (const watcher of joining) expect(watcher.messages[0].data.pollResultsUpdated.version).toBe(watching[0].messages[1].data.pollResultsUpdated.version);
    expect(joining[3].messages[0].data.pollResultsUpdated.isHidden).toBe(false);
    expect(statements.filter((statement) => /poll_options|poll_participants|FROM "?posts"?/i.test(statement))).toEqual([]);
    for (const watcher of [...watching, ...joining]) watcher.unsubscribe();
  }, 30_000);

  it('writes each socket the cohort payload with its own subscription id', async () => {
    const socket = await rawSocket(t);
    socket.send({ type: 'connection_init', payload: {} });
    await socket.frame((frame) => frame.type === 'connection_ack');
    for (const id of ['a', 'b"quoted']) socket.send({ id, type: 'subscribe', payload: { query: RESULTS, variables: { id: poll.id, withOptions: false } } });
    const first = await socket.frame((frame) => frame.id === 'a' && frame.type === 'next');
    const second = await socket.frame((frame) => frame.id === 'b"quoted' && frame.type === 'next');
    expect(second.payload).toEqual(first.payload);
    expect(first.payload.data.pollResultsUpdated).toMatchObject({ isHidden: true });
  });

  it('executes per viewer only where a field reads the viewer, and shares everything else', async () => {
    const byViewer = { id: poll.id };
    // viewerCanEdit depends on who asks: the comment's author gets true, everyone else false.
    const withFlag = [...watch(commenter.token, 2, COMMENTS_WITH_FLAG, byViewer), ...watch(outsiders[0].token, 2, COMMENTS_WITH_FLAG, byViewer)];
    const anonymousWithFlag = watch(null, 3, COMMENTS_WITH_FLAG, byViewer);
    // Nothing of the viewer: one payload for all 9, signed in or not.
    const plain = [
      ...watch(commenter.token, 2, COMMENTS, byViewer),
      ...watch(outsiders[1].token, 3, COMMENTS, byViewer),
      ...watch(null, 4, COMMENTS, byViewer),
    ];
    const everyone = [...withFlag, ...anonymousWithFlag, ...plain];
    await waitFor(() => t.probe.liveHub.feedSizes().comments === everyone.length);

    const before = executions('commentAdded');
    await mutate(ADD_COMMENT, { input: { postId: poll.id, body: 'Both, depending on the team.' } }, commenter.token);
    await Promise.all(everyone.map((watcher) => watcher.until((messages) => messages.length === 1, 10_000)));

    // With the flag: one execution per viewer (the commenter, the outsider, anonymous); without: one.
    expect(executions('commentAdded') - before).toBe(4);
    const node = (watcher: Collected) => watcher.messages[0].data.commentAdded.node;
    for (const watcher of withFlag.slice(0, 2)) expect(node(watcher).viewerCanEdit).toBe(true);
    for (const watcher of [...withFlag.slice(2), ...anonymousWithFlag]) expect(node(watcher).viewerCanEdit).toBe(false);
    for (const watcher of plain) expect(node(watcher)).toEqual({ body: 'Both, depending on the team.', author: { byline: expect.any(String) } });
  }, 30_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const RESULTS = `subscription Results($id: ID!, $withOptions: Boolean!) {
  pollResultsUpdated(pollId: $id) { version isHidden totalVotes participantCount options @include(if: $withOptions) { voteCount } }
}`;
const COMMENTS_WITH_FLAG = `subscription ($id: ID!) { commentAdded(postId: $id) { node { body viewerCanEdit } } }`;
const COMMENTS = `subscription ($id: ID!) { commentAdded(postId: $id) { node { body author { byline } } } }`;
