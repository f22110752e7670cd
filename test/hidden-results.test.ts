/**
 * Hidden results leak nothing (issue 14, part insights: PollResults.hiddenUntil). A viewer who may
 * not see a poll's tallies (anonymous, a member who has not voted, everyone but the author of an
 * ON_CLOSE poll) gets a version and updatedAt that move only when participantCount or isClosed
 * does, never for a vote switch: over HTTP, through node(id), and over the WebSocket, where a
 * hidden subscriber gets no message at all for a switch and no frame ever carries a tally. A viewer
 * who may see the tallies gets every change; a subscriber whose visibility flips (voting,
 * retracting) never sees its version go backwards; the response cache never serves a stale hidden
 * version; the demo community's hidden polls start at the version of their latest join.
 */
import type { Client } from 'graphql-ws';
import { CAST_VOTE, CLOSE_POLL, CREATE_POLL, Document, PollResultsMessage, RESULTS_FIELDS, RETRACT_VOTE, typed } from './helpers/documents';
import { collect, Collected, connect, rawSocket, RawSocket } from './helpers/live';
import { startTestServer, TestServer } from './helpers/server';
import { disposeTestLeftovers } from './helpers/leftovers';

type Member = { token: string; id: string };
type Visibility = 'ON_VOTE' | 'ON_CLOSE';
interface CreatedPoll {
  id: string;
  options: Array<{ id: string; label: string }>;
}

/** The default LIVE_INTERVAL_MS of the server below. */
const LIVE_INTERVAL_MS = 100;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectHidden(results: HiddenResults, visibility: Visibility): void {
  expect(results.isHidden).toBe(true);
  expect(results.hiddenUntil).toBe(visibility);
  expect(results.totalVotes).toBeNull();
  for (const option of results.options) {
    expect(option.voteCount).toBeNull();
    expect(option.percentage).toBeNull();
  }
}

function expectVisible(results: HiddenResults): void {
  expect(results.isHidden).toBe(false);
  expect(results.hiddenUntil).toBeNull();
  expect(results.totalVotes).not.toBeNull();
}

describe('hidden results leak nothing', () => {
  let t: TestServer;
  let author: Member;
  /** A signed-in member who never votes. */
  let outsider: Member;
  let voters: Member[];

  beforeAll(async () => {
    t = await startTestServer();
    [author, outsider, ...voters] = await Promise.all(Array.from({ length: 8 }, (_, i) => t.signUp({ title: i === 0 ? 'Poll Author' : 'Member' })));
  }, 60_000);
  afterEach(disposeTestLeftovers);

  async function createPoll(resultsVisibility: Visibility, allowsMultipleChoices = false): Promise<CreatedPoll> {
    const response = await t.gql(
      CREATE_POLL,
      { input: { title: 'Where does your team work?', options: ['Office', 'Hybrid', 'Remote'], resultsVisibility, allowsMultipleChoices } },
      author.token,
    );
    if (!response.data?.createPoll) throw new Error(`createPoll failed: ${JSON.stringify(response.errors)}`);
    return response.data.createPoll.poll;
  }

  async function mutate<T>(document: Document<T>, input: Record<string, unknown>, token: string): Promise<T> {
    const response = await t.gql(document, { input }, token);
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  const vote = (member: Member, poll: CreatedPoll, ...indexes: number[]) =>
    mutate(CAST_VOTE, { pollId: poll.id, optionIds: indexes.map((i) => poll.options[i].id) }, member.token);
  const retract = (member: Member, poll: CreatedPoll) => mutate(RETRACT_VOTE, { pollId: poll.id }, member.token);
  const close = (poll: CreatedPoll) => mutate(CLOSE_POLL, { pollId: poll.id }, author.token);

  /** Poll.results over HTTP as `token`'s holder sees it; node(id) of the same PollResults must give exactly the same. */
  async function read(pollId: string, token: string | null): Promise<HiddenResults> {
    const response = await t.gql(READ_HIDDEN_RESULTS, { id: pollId }, token);
    expect(response.errors).toBeUndefined();
    const results = response.data!.post!.results;
    const node = await t.gql(NODE_HIDDEN_RESULTS, { id: results.id }, token);
    expect(node.errors).toBeUndefined();
    expect(node.data!.node).toEqual(results);
    return results;
  }

  /** What the anonymous viewer, a signed-in non-voter and the author see now (the two hidden ones see the same). */
  async function views(pollId: string): Promise<{ hidden: HiddenResults; author: HiddenResults }> {
    const [anonymous, member, own] = [await read(pollId, null), await read(pollId, outsider.token), await read(pollId, author.token)];
    expect(member).toEqual(anonymous);
    return { hidden: anonymous, author: own };
  }

  describe('over HTTP and node(id)', () => {
    it.each<Visibility>(['ON_CLOSE', 'ON_VOTE'])(
      '%s: a hidden viewer sees version and updatedAt move with participants and closing only; the author sees every change',
      async (visibility) => {
        const poll = await createPoll(visibility, true);
        const start = await views(poll.id);
        expectHidden(start.hidden, visibility);
        expectVisible(start.author);
        expect(start.hidden).toMatchObject({ version: 0, participantCount: 0, updatedAt: start.author.updatedAt });

        // Each step: the change, then what the author's and the hidden viewers' versions must be
        // (participant steps set both to the poll's version; switches move only the author's).
        const steps: Array<{ name: string; change: () => Promise<unknown>; participants: number; moves: boolean }> = [
          { name: 'first voter joins', change: () => vote(voters[0], poll, 0), participants: 1, moves: true },
          { name: 'second voter joins', change: () => vote(voters[1], poll, 1), participants: 2, moves: true },
          { name: 'a voter adds a choice', change: () => vote(voters[0], poll, 0, 1), participants: 2, moves: false },
          { name: 'a voter switches', change: () => vote(voters[0], poll, 2), participants: 2, moves: false },
          { name: 'another voter switches', change: () => vote(voters[1], poll, 0, 2), participants: 2, moves: false },
          { name: 'a third voter joins', change: () => vote(voters[2], poll, 1), participants: 3, moves: true },
          { name: 'a switch after the join', change: () => vote(voters[2], poll, 0), participants: 3, moves: false },
          { name: 'a voter retracts', change: () => retract(voters[1], poll), participants: 2, moves: true },
        ];
        let before = start;
        for (const [index, step] of steps.entries()) {
          // Distinct clock readings, so that an updatedAt that should not move is seen not to.
          await pause(5);
          await step.change();
          const now = await views(poll.id);
          const version = index + 1;
          expectVisible(now.author);
          expectHidden(now.hidden, visibility);
          expect({ step: step.name, author: now.author.version }).toEqual({ step: step.name, author: version });
          expect(Date.parse(now.author.updatedAt)).toBeGreaterThan(Date.parse(before.author.updatedAt));
          expect(now.hidden.participantCount).toBe(step.participants);
          expect(now.author.participantCount).toBe(step.participants);
          if (step.moves) {
            expect({ step: step.name, version: now.hidden.version, updatedAt: now.hidden.updatedAt }).toEqual({
              step: step.name,
              version,
              updatedAt: now.author.updatedAt,
            });
          } else {
            expect({ step: step.name, version: now.hidden.version, updatedAt: now.hidden.updatedAt }).toEqual({
              step: step.name,
              version: before.hidden.version,
              updatedAt: before.hidden.updatedAt,
            });
            // Nothing at all differs for a hidden viewer after a switch.
            expect(now.hidden).toEqual(before.hidden);
          }
          before = now;
        }
        expect(before.author).toMatchObject({ totalVotes: 2, options: [{ voteCount: 1 }, { voteCount: 0 }, { voteCount: 1 }] });

        await pause(5);
        await close(poll);
        const closed = await views(poll.id);
        expectVisible(closed.hidden);
        expect(closed.hidden).toEqual(closed.author);
        expect(closed.hidden).toMatchObject({ isClosed: true, version: steps.length + 1, participantCount: 2, totalVotes: 2 });
        expect(Date.parse(closed.hidden.updatedAt)).toBeGreaterThan(Date.parse(before.author.updatedAt));
      },
    );

    it('ON_VOTE: a voter sees every change, and the hidden version when they retract is above every version they saw', async () => {
      const poll = await createPoll('ON_VOTE');
      const voter = voters[3];
      await vote(voters[0], poll, 0);
      expect(await read(poll.id, voter.token)).toMatchObject({ isHidden: true, hiddenUntil: 'ON_VOTE', version: 1 });
      await vote(voters[0], poll, 1);
      expect(await read(poll.id, voter.token)).toMatchObject({ isHidden: true, version: 1 });
      await vote(voter, poll, 2);
      const shown = await read(poll.id, voter.token);
      expectVisible(shown);
      expect(shown).toMatchObject({ version: 3, participantCount: 2, totalVotes: 2 });
      await vote(voters[0], poll, 0);
      expect(await read(poll.id, voter.token)).toMatchObject({ isHidden: false, version: 4, options: [{ voteCount: 1 }, { voteCount: 0 }, { voteCount: 1 }] });
      await retract(voter, poll);
      const hiddenAgain = await read(poll.id, voter.token);
      expectHidden(hiddenAgain, 'ON_VOTE');
      expect(hiddenAgain).toMatchObject({ version: 5, participantCount: 1 });
      expect(hiddenAgain).toEqual(await read(poll.id, null));
    });

    it('the response cache never serves a stale hidden version: a join shows at once, to every hidden viewer', async () => {
      const poll = await createPoll('ON_CLOSE');
      await vote(voters[0], poll, 0);
      const first = await read(poll.id, null);
      const hits = t.probe.responseCache.stats.hits;
      // The same read again is answered from the cache (this file's reads are cacheable)...
      expect(await read(poll.id, null)).toEqual(first);
      expect(t.probe.responseCache.stats.hits).toBeGreaterThan(hits);
      expect(first).toMatchObject({ version: 1, participantCount: 1 });
      // ...and a switch (a write) or a join changes what the next read says, as uncached.
      await vote(voters[0], poll, 1);
      expect(await read(poll.id, null)).toEqual(first);
      await vote(voters[1], poll, 2);
      expect(await read(poll.id, null)).toMatchObject({ version: 3, participantCount: 2, isHidden: true });
      expect(await read(poll.id, outsider.token)).toMatchObject({ version: 3, participantCount: 2, isHidden: true });
      await retract(voters[0], poll);
      expect(await read(poll.id, null)).toMatchObject({ version: 4, participantCount: 1, isHidden: true });
    });
  });

  describe('over the WebSocket (pollResultsUpdated)', () => {
    function watch(on: Client, pollId: string): Collected<{ pollResultsUpdated: HiddenResults }> {
      return collect(on, WATCH_HIDDEN_RESULTS, { id: pollId });
    }

    function resultsOf(collected: Collected<{ pollResultsUpdated: HiddenResults }>): HiddenResults[] {
      return collected.messages.map((message) => {
        expect(message.errors).toBeUndefined();
        return message.data!.pollResultsUpdated;
      });
    }

    const untilVersion = (collected: Collected<{ pollResultsUpdated: HiddenResults }>, version: number) =>
      collected.until((messages) => messages.length > 0 && messages[messages.length - 1].data!.pollResultsUpdated.version >= version);

    /** An anonymous bare socket subscribed to the poll: its frames as sent on the wire. */
    async function rawWatch(pollId: string): Promise<RawSocket> {
      const raw = await rawSocket(t);
      raw.send({ type: 'connection_init', payload: {} });
      await raw.frame((frame) => frame.type === 'connection_ack');
      raw.send({ id: 'hidden', type: 'subscribe', payload: { query: WATCH_HIDDEN_RESULTS, variables: { id: pollId } } });
      await raw.frame((frame) => frame.type === 'next' && frame.id === 'hidden');
      return raw;
    }

    const nextFrames = (raw: RawSocket) => raw.rawFrames.filter((text) => JSON.parse(text).type === 'next');

    it.each<Visibility>(['ON_CLOSE', 'ON_VOTE'])(
      '%s: a hidden subscriber gets nothing for a vote switch, a message per join, retraction and close, and no tally in any frame',
      async (visibility) => {
        const poll = await createPoll(visibility);
        await vote(voters[0], poll, 0);
        const anonymous = watch(connect(t), poll.id);
        const member = watch(connect(t, outsider.token), poll.id);
        const owner = watch(connect(t, author.token), poll.id);
        const raw = await rawWatch(poll.id);
        await Promise.all([anonymous, member, owner].map((watching) => watching.until((messages) => messages.length === 1)));
        expectHidden(resultsOf(anonymous)[0], visibility);
        expect(resultsOf(anonymous)[0]).toMatchObject({ version: 1, participantCount: 1 });

        // A switch reaches the author; the hidden subscribers get nothing, however long they wait...
        await vote(voters[0], poll, 1);
        await untilVersion(owner, 2);
        await pause(3 * LIVE_INTERVAL_MS);
        // ...so the next message they get is the join's, with one more participant.
        await vote(voters[1], poll, 2);
        await untilVersion(owner, 3);
        await Promise.all([anonymous, member].map((watching) => watching.until((messages) => messages.length === 2)));
        for (const watching of [anonymous, member]) {
          const joined = resultsOf(watching)[1];
          expectHidden(joined, visibility);
          expect(joined).toMatchObject({ version: 3, participantCount: 2 });
          expect(joined).toEqual(await read(poll.id, null));
        }

        // Several switches in a row: still nothing; then a retraction.
        await vote(voters[0], poll, 2);
        await vote(voters[1], poll, 0);
        await untilVersion(owner, 5);
        await pause(3 * LIVE_INTERVAL_MS);
        expect(resultsOf(anonymous)).toHaveLength(2);
        expect(resultsOf(member)).toHaveLength(2);
        await retract(voters[1], poll);
        await untilVersion(owner, 6);
        await Promise.all([anonymous, member].map((watching) => watching.until((messages) => messages.length === 3)));
        expect(resultsOf(anonymous)[2]).toMatchObject({ isHidden: true, version: 6, participantCount: 1 });
        expect(resultsOf(anonymous)[2]).toEqual(await read(poll.id, null));
        // Three hidden messages on the bare socket too, none with a figure of the tallies.
        await raw.frame(() => nextFrames(raw).length === 3);
        const hiddenFrames = nextFrames(raw);
        for (const text of hiddenFrames) {
          expect(text).toMatch(/"isHidden":true/);
          expect(text).toMatch(/"totalVotes":null/);
          expect(text).not.toMatch(/"(voteCount|percentage|totalVotes)":\d/);
        }
        expect(hiddenFrames.map((text) => JSON.parse(text).payload.data.pollResultsUpdated.version)).toEqual([1, 3, 6]);

        await close(poll);
        await Promise.all([anonymous, member, owner].map((watching) => untilVersion(watching, 7)));
        const closed = resultsOf(anonymous)[3];
        expectVisible(closed);
        expect(closed).toMatchObject({ isClosed: true, version: 7, participantCount: 1, totalVotes: 1 });
        expect(resultsOf(member)[3]).toEqual(closed);
        // The author got every change (the two switches in a row may arrive as one message, conflated).
        expect(
          resultsOf(owner)
            .map((results) => results.version)
            .filter((version) => version !== 4),
        ).toEqual([1, 2, 3, 5, 6, 7]);
        for (const watching of [anonymous, member]) {
          expect(resultsOf(watching).map((results) => [results.version, results.isHidden])).toEqual([
            [1, true],
            [3, true],
            [6, true],
            [7, false],
          ]);
        }
        await raw.frame(() => nextFrames(raw).length === 4);
        expect(nextFrames(raw)).toHaveLength(4);
      },
    );

    it('ON_VOTE: a subscriber who votes gets the tallies with the next message, and its versions never go backwards when it retracts', async () => {
      const poll = await createPoll('ON_VOTE');
      const me = voters[4];
      await vote(voters[0], poll, 0);
      const owner = watch(connect(t, author.token), poll.id);
      const mine = watch(connect(t, me.token), poll.id);
      await Promise.all([owner, mine].map((watching) => watching.until((messages) => messages.length === 1)));
      expectHidden(resultsOf(mine)[0], 'ON_VOTE');
      expect(resultsOf(mine)[0]).toMatchObject({ version: 1, participantCount: 1 });

      // A switch by another: nothing for me.
      await vote(voters[0], poll, 1);
      await untilVersion(owner, 2);
      await pause(3 * LIVE_INTERVAL_MS);
      expect(resultsOf(mine)).toHaveLength(1);
      // I vote: the tallies, at the poll's version.
      await vote(me, poll, 2);
      await mine.until((messages) => messages.length === 2);
      expectVisible(resultsOf(mine)[1]);
      expect(resultsOf(mine)[1]).toMatchObject({ version: 3, participantCount: 2, totalVotes: 2 });
      // Visible now: another's switch reaches me.
      await vote(voters[0], poll, 0);
      await mine.until((messages) => messages.length === 3);
      expect(resultsOf(mine)[2]).toMatchObject({ isHidden: false, version: 4, options: [{ voteCount: 1 }, { voteCount: 0 }, { voteCount: 1 }] });
      // I retract: hidden again, at a version above every one I saw.
      await retract(me, poll);
      await mine.until((messages) => messages.length === 4);
      expectHidden(resultsOf(mine)[3], 'ON_VOTE');
      expect(resultsOf(mine)[3]).toMatchObject({ version: 5, participantCount: 1 });
      // Hidden again: a switch sends nothing, the next join does.
      await vote(voters[0], poll, 2);
      await untilVersion(owner, 6);
      await pause(3 * LIVE_INTERVAL_MS);
      expect(resultsOf(mine)).toHaveLength(4);
      await vote(voters[5], poll, 1);
      await mine.until((messages) => messages.length === 5);
      expect(resultsOf(mine)[4]).toMatchObject({ isHidden: true, version: 7, participantCount: 2 });
      expect(resultsOf(mine)[4]).toEqual(await read(poll.id, me.token));
      expect(resultsOf(mine).map((results) => [results.version, results.isHidden])).toEqual([
        [1, true],
        [3, false],
        [4, false],
        [5, true],
        [7, true],
      ]);
    });
  });
});

describe('hidden results of the demo community', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ demo: true });
  }, 60_000);
  afterEach(disposeTestLeftovers);

  async function results(title: string, token: string | null): Promise<HiddenResults> {
    const found = await t.gql(FIND_POSTS, { search: title.split(' ').slice(0, 6).join(' ') });
    const poll = found.data!.posts.nodes.find((node) => node.title === title);
    expect(poll).toBeDefined();
    const response = await t.gql(READ_HIDDEN_RESULTS, { id: poll!.id }, token);
    expect(response.errors).toBeUndefined();
    return response.data!.post!.results;
  }

  it.each<[Visibility, string, number]>([
    ['ON_VOTE', 'Roughly what share of your IT budget goes to security?', 64],
    ['ON_CLOSE', 'Which cloud provider will get most of your new spend next year?', 44],
  ])('%s: a hidden viewer gets the version of the latest join (every demo vote is one), and a vote raises it', async (visibility, title, participants) => {
    const anonymous = await results(title, null);
    expectHidden(anonymous, visibility);
    expect(anonymous).toMatchObject({ participantCount: participants, version: participants, isClosed: false });
    const member = await t.signUp();
    expect(await results(title, member.token)).toEqual(anonymous);
    const found = await t.gql(FIND_POSTS, { search: title.split(' ').slice(0, 6).join(' ') });
    const pollId = found.data!.posts.nodes.find((node) => node.title === title)!.id;
    const poll = await t.gql(POLL_OPTIONS, { id: pollId });
    const voted = await t.gql(CAST_VOTE, { input: { pollId, optionIds: [poll.data!.post!.options[0].id] } }, member.token);
    expect(voted.errors).toBeUndefined();
    const after = await results(title, null);
    expectHidden(after, visibility);
    expect(after).toMatchObject({ participantCount: participants + 1, version: participants + 1 });
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(anonymous.updatedAt));
  });
});

// --- documents -----------------------------------------------------------------

/** PollResults with hiddenUntil (every field). */
interface HiddenResults extends PollResultsMessage {
  hiddenUntil: Visibility | null;
}

const HIDDEN_RESULTS_FIELDS = `${RESULTS_FIELDS} hiddenUntil`;

const READ_HIDDEN_RESULTS = typed<{ post: { results: HiddenResults } | null }>(
  `query ReadHiddenResults($id: ID!) { post(id: $id) { ... on Poll { results { ${HIDDEN_RESULTS_FIELDS} } } } }`,
);
const NODE_HIDDEN_RESULTS = typed<{ node: HiddenResults | null }>(
  `query NodeHiddenResults($id: ID!) { node(id: $id) { ... on PollResults { ${HIDDEN_RESULTS_FIELDS} } } }`,
);
const WATCH_HIDDEN_RESULTS = typed<{ pollResultsUpdated: HiddenResults }>(
  `subscription WatchHiddenResults($id: ID!) { pollResultsUpdated(pollId: $id) { ${HIDDEN_RESULTS_FIELDS} } }`,
);
const FIND_POSTS = typed<{ posts: { nodes: Array<{ id: string; title: string }> } }>(
  `query FindHiddenPolls($search: String) { posts(search: $search, first: 10) { nodes { id title } } }`,
);
const POLL_OPTIONS = typed<{ post: { options: Array<{ id: string }> } | null }>(
  `query PollOptions($id: ID!) { post(id: $id) { ... on Poll { options { id } } } }`,
);
