/**
 * The live API's snapshot subscriptions against the real server with the
 * real graphql-ws client: pollResultsUpdated (changes, versions, conflation,
 * per-subscriber visibility, nothing hidden on the wire) and postStatsUpdated,
 * plus unknown ids.
 */
import type { Client } from 'graphql-ws';
import {
  ADD_COMMENT,
  ADD_UPVOTE,
  CAST_VOTE,
  CLOSE_POLL,
  CREATE_POLL,
  CREATE_THREAD,
  dbId,
  DELETE_COMMENT,
  Document,
  PostStatsMessage,
  READ_RESULTS,
  READ_STATS,
  RECORD_VIEW,
  REMOVE_UPVOTE,
  RETRACT_VOTE,
  WATCH_RESULTS,
  WATCH_STATS,
} from './helpers/documents';
import { collect, Collected, connect, last, rawSocket, RawSocket, PollResultsMessage } from './helpers/live';
import { startTestServer, TestServer } from './helpers/server';
import { toGlobalId } from '../src/graphql/global-id';
import { disposeTestLeftovers } from './helpers/leftovers';

type Member = { token: string; id: string };
type Results = PollResultsMessage;
interface CreatedPoll {
  id: string;
  options: Array<{ id: string; label: string }>;
}

function resultsOf(collected: Collected): Results[] {
  return collected.messages.map((message) => {
    expect(message.errors).toBeUndefined();
    return message.data.pollResultsUpdated as Results;
  });
}

/** Versions strictly increase within one subscription. */
/** The default LIVE_INTERVAL_MS of the servers below. */
const LIVE_INTERVAL_MS = 100;

/**
 * The most messages conflation may send since `since`: one per interval, plus the snapshot and the
 * final state. A fixed count would assume how long the burst takes on this machine: when reads no
 * longer wait behind the votes, a burst stretched by a busy machine rightly gets more intervals.
 */
function messagesAtMostOnePerInterval(since: number): number {
  return Math.ceil((Date.now() - since) / LIVE_INTERVAL_MS) + 2;
}

function expectVersionsIncrease(collected: Collected): void {
  const versions = resultsOf(collected).map((results) => results.version);
  versions.slice(1).forEach((version, i) => expect(version).toBeGreaterThan(versions[i]));
}

function expectHidden(results: Results): void {
  expect(results.isHidden).toBe(true);
  expect(results.totalVotes).toBeNull();
  for (const option of results.options) {
    expect(option.voteCount).toBeNull();
    expect(option.percentage).toBeNull();
  }
}

/** A payload that is consistent in itself: totals, counts and percentages of one moment. */
function expectConsistent(results: Results, singleChoice: boolean): void {
  if (results.isHidden) return expectHidden(results);
  const counts = results.options.map((option) => option.voteCount as number);
  const sum = counts.reduce((a, b) => a + b, 0);
  expect(results.totalVotes).toBe(sum);
  if (singleChoice) expect(results.participantCount).toBe(sum);
  const percentages = results.options.map((option) => option.percentage as number);
  expect(percentages.reduce((a, b) => a + b, 0)).toBe(sum > 0 ? 100 : 0);
}

describe('live: pollResultsUpdated and postStatsUpdated', () => {
  let t: TestServer;
  let author: Member;
  /** Members for the concurrent tests, signed up in parallel. */
  let crowd: Member[];
  /** A signed-in member who never votes. */
  let outsider: Member;

  beforeAll(async () => {
    t = await startTestServer({ env: { POLL_CLOSE_INTERVAL_MS: '50' } });
    [author, outsider] = await Promise.all([t.signUp({ title: 'Poll Author' }), t.signUp()]);
    crowd = await Promise.all(Array.from({ length: 200 }, () => t.signUp()));
    // 202 password hashes: over 30 s on a busy machine.
  }, 90_000);
  afterEach(disposeTestLeftovers);

  function client(token?: string | null): Client {
    return connect(t, token);
  }

  async function createPoll(input: Record<string, unknown> = {}, token = author.token): Promise<CreatedPoll> {
    const response = await t.gql(CREATE_POLL, { input: { title: 'Which cloud do you run most on?', options: ['AWS', 'Azure', 'GCP'], ...input } }, token);
    if (!response.data?.createPoll) throw new Error(`createPoll failed: ${JSON.stringify(response.errors)}`);
    return response.data.createPoll.poll;
  }

  async function mutate<T>(document: Document<T>, input: Record<string, unknown>, token: string | null): Promise<T> {
    const response = await t.gql(document, { input }, token);
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  const vote = (member: Member, poll: CreatedPoll, ...indexes: number[]) =>
    mutate(CAST_VOTE, { pollId: poll.id, optionIds: indexes.map((i) => poll.options[i].id) }, member.token);
  const retract = (member: Member, poll: CreatedPoll) => mutate(RETRACT_VOTE, { pollId: poll.id }, member.token);
  const close = (poll: CreatedPoll) => mutate(CLOSE_POLL, { pollId: poll.id }, author.token);

  /** Poll.results over HTTP, as `token`'s holder sees it. */
  async function httpResults(pollId: string, token: string | null = null): Promise<Results> {
    const response = await t.gql(READ_RESULTS, { id: pollId }, token);
    expect(response.errors).toBeUndefined();
    return response.data!.post!.results;
  }

  function watchPoll(on: Client, pollId: string): Collected {
    return collect(on, WATCH_RESULTS, { id: pollId });
  }

  /** Waits for the next message after the `seen` ones and returns it. */
  async function nextResults(collected: Collected, seen: number): Promise<Results> {
    await collected.until((messages) => messages.length > seen);
    return collected.messages[seen].data.pollResultsUpdated;
  }

  const untilVersion = (collected: Collected, version: number, timeoutMs?: number) =>
    collected.until((messages) => messages.length > 0 && last(collected, 'pollResultsUpdated').version >= version, timeoutMs);

  describe('pollResultsUpdated', () => {
    it('sends the current results at once, equal to Poll.results over HTTP for that viewer', async () => {
      const poll = await createPoll({ resultsVisibility: 'ON_VOTE' });
      await vote(crowd[0], poll, 0);
      await vote(crowd[1], poll, 2);
      const viewers: Array<Member | null> = [null, crowd[0], crowd[2], author];
      const watches = viewers.map((viewer) => watchPoll(client(viewer?.token), poll.id));
      await Promise.all(watches.map((watch) => watch.until((messages) => messages.length === 1)));
      for (const [i, viewer] of viewers.entries()) {
        expect(last(watches[i], 'pollResultsUpdated')).toEqual(await httpResults(poll.id, viewer?.token));
      }
      expectHidden(last(watches[0], 'pollResultsUpdated'));
      expect(last(watches[1], 'pollResultsUpdated')).toMatchObject({ isHidden: false, totalVotes: 2, participantCount: 2, version: 2 });
      expectHidden(last(watches[2], 'pollResultsUpdated'));
      expect(last(watches[3], 'pollResultsUpdated')).toMatchObject({ isHidden: false, totalVotes: 2 });
    });

    it('pushes one new version after a vote, a change of vote, a retraction and closePoll', async () => {
      const poll = await createPoll();
      const watch = watchPoll(client(), poll.id);
      const signedIn = watchPoll(client(crowd[3].token), poll.id);
      await Promise.all([watch, signedIn].map((w) => w.until((messages) => messages.length === 1)));
      expect(last(watch, 'pollResultsUpdated')).toMatchObject({ version: 0, participantCount: 0, totalVotes: 0, isClosed: false });

      const steps: Array<[string, () => Promise<unknown>, Partial<Results>]> = [
        ['vote', () => vote(crowd[3], poll, 1), { participantCount: 1, totalVotes: 1 }],
        ['second vote', () => vote(crowd[4], poll, 1), { participantCount: 2, totalVotes: 2 }],
        ['change of vote', () => vote(crowd[3], poll, 0), { participantCount: 2, totalVotes: 2 }],
        ['retraction', () => retract(crowd[4], poll), { participantCount: 1, totalVotes: 1 }],
        ['closePoll', () => close(poll), { participantCount: 1, totalVotes: 1, isClosed: true }],
      ];
      for (const [step, act, expected] of steps) {
        const seen = watch.messages.length;
        const before = last<Results>(watch, 'pollResultsUpdated').version;
        await act();
        const http = await httpResults(poll.id);
        expect({ step, version: http.version }).toEqual({ step, version: before + 1 });
        const message = await nextResults(watch, seen);
        expect({ step, message }).toEqual({ step, message: http });
        expect(message).toMatchObject(expected);
        await untilVersion(signedIn, http.version);
        expect(last(signedIn, 'pollResultsUpdated')).toEqual(await httpResults(poll.id, crowd[3].token));
      }
      expect(last<Results>(watch, 'pollResultsUpdated').options.map((option) => option.voteCount)).toEqual([1, 0, 0]);
      // One message per change, no more: the changes were awaited one by one.
      expect(watch.messages).toHaveLength(steps.length + 1);
      expectVersionsIncrease(watch);
      expectVersionsIncrease(signedIn);
    });

    it('pushes the automatic close at closesAt with the new version', async () => {
      const poll = await createPoll({ closesAt: new Date(Date.now() + 1500).toISOString() });
      await vote(author, poll, 2);
      const watch = watchPoll(client(), poll.id);
      await watch.until((messages) => messages.length === 1);
      expect(last(watch, 'pollResultsUpdated')).toMatchObject({ version: 1, isClosed: false, totalVotes: 1 });
      await watch.until(() => last(watch, 'pollResultsUpdated').isClosed === true, 5000);
      const closed = last<Results>(watch, 'pollResultsUpdated');
      expect(closed).toMatchObject({ version: 2, isClosed: true, totalVotes: 1 });
      expect(closed).toEqual(await httpResults(poll.id));
      expect(watch.messages).toHaveLength(2);
    });

    it('conflates 200 concurrent votes: far fewer messages, every subscriber ends on the database tallies', async () => {
      const poll = await createPoll({ options: ['Yes', 'No', 'Maybe'], resultsVisibility: 'ON_VOTE' });
      // Anonymous (two on one connection) and signed-in subscribers: the author, a voter, a member who does not vote.
      const anonymous = client();
      const watches = [
        { viewer: null, watch: watchPoll(anonymous, poll.id) },
        { viewer: null, watch: watchPoll(anonymous, poll.id) },
        ...[author, crowd[0], outsider].map((viewer) => ({ viewer, watch: watchPoll(client(viewer.token), poll.id) })),
      ];
      await Promise.all(watches.map(({ watch }) => watch.until((messages) => messages.length === 1)));

      const burstStarted = Date.now();
      await Promise.all(crowd.map((member, i) => vote(member, poll, i % 3)));

      for (const { viewer, watch } of watches) {
        await untilVersion(watch, 200, 10000);
        const http = await httpResults(poll.id, viewer?.token);
        expect(http.version).toBe(200);
        expect(last(watch, 'pollResultsUpdated')).toEqual(http);
        // Conflated: one message per interval at most (however long the burst took here), far fewer than votes.
        expect(watch.messages.length).toBeLessThanOrEqual(messagesAtMostOnePerInterval(burstStarted));
        expect(watch.messages.length).toBeLessThan(100);
        expectVersionsIncrease(watch);
        // Every message is one consistent state, never counts of one moment with totals of another.
        for (const results of resultsOf(watch)) expectConsistent(results, true);
      }
      const tallies = {
        isHidden: false,
        participantCount: 200,
        totalVotes: 200,
        options: [
          { voteCount: 67, percentage: 34 },
          { voteCount: 67, percentage: 33 },
          { voteCount: 66, percentage: 33 },
        ],
      };
      expect(last(watches[2].watch, 'pollResultsUpdated')).toMatchObject(tallies);
      expect(last(watches[3].watch, 'pollResultsUpdated')).toMatchObject(tallies);
      for (const i of [0, 1, 4]) {
        expectHidden(last(watches[i].watch, 'pollResultsUpdated'));
        expect(last(watches[i].watch, 'pollResultsUpdated').participantCount).toBe(200);
      }
    });
  });

  describe('at most one message per poll per LIVE_INTERVAL_MS', () => {
    let slow: TestServer;
    beforeAll(async () => {
      slow = await startTestServer({ env: { LIVE_INTERVAL_MS: '300' } });
    });

    it('spaces messages by the interval while votes stream in, and still delivers the final state', async () => {
      const interval = 300;
      const pollAuthor = await slow.signUp();
      const voters = await Promise.all([slow.signUp(), slow.signUp()]);
      const created = await slow.gql(CREATE_POLL, { input: { title: 'Spaced?', options: ['A', 'B'] } }, pollAuthor.token);
      const poll: CreatedPoll = created.data!.createPoll.poll;
      const ws = connect(slow);
      // Its own sink, to stamp each message when it arrives.
      const arrivals: Array<{ at: number; results: Results }> = [];
      let failure: unknown = null;
      const stop = ws.subscribe<{ pollResultsUpdated: Results }>(
        { query: WATCH_RESULTS, variables: { id: poll.id } },
        {
          next: (message) => arrivals.push({ at: Date.now(), results: message.data!.pollResultsUpdated }),
          error: (error) => (failure = error),
          complete: () => undefined,
        },
      );
      const until = async (predicate: () => boolean, timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        while (!predicate()) {
          if (failure || Date.now() > deadline) throw new Error(`gave up waiting: ${JSON.stringify({ failure, arrivals: arrivals.slice(-3) })}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      await until(() => arrivals.length === 1, 5000);

      // Two members flip their votes back and forth, one change after another, for a while: at least
      // 1.2 s and more than 20 changes (on a loaded machine 1.2 s alone may give fewer), so changes
      // always arrive faster than the interval.
      const started = Date.now();
      let changes = 0;
      while (Date.now() - started < 1200 || changes <= 20) {
        const member = voters[changes % 2];
        const response = await slow.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[Math.floor(changes / 2) % 2].id] } }, member.token);
        expect(response.errors).toBeUndefined();
        changes++;
      }
      const final = (await slow.gql(READ_RESULTS, { id: poll.id })).data!.post!.results as Results;
      expect(final.version).toBe(changes);
      await until(() => arrivals[arrivals.length - 1].results.version === changes, 3000);
      expect(arrivals[arrivals.length - 1].results).toEqual(final);

      const updates = arrivals.slice(1);
      expect(changes).toBeGreaterThan(20);
      expect(updates.length).toBeGreaterThanOrEqual(3);
      // One message per interval at most (four in 1.2 s): a handful, whatever the number of changes.
      expect(updates.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / interval) + 1);
      // Arrival gaps; a little slack for the event loop the client shares with the server.
      const gaps = updates.slice(1).map((update, i) => update.at - updates[i].at);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(interval - 60);
      const versions = arrivals.map((arrival) => arrival.results.version);
      versions.slice(1).forEach((version, i) => expect(version).toBeGreaterThan(versions[i]));
      stop();
    });
  });

  describe('every message is the state of one moment', () => {
    let eager: TestServer;
    beforeAll(async () => {
      // No conflation delay: a flush runs whenever the previous one is done, as many times as it can.
      eager = await startTestServer({ env: { LIVE_INTERVAL_MS: '0' } });
    });

    it('never mixes the totals of one moment with the counts of another while votes come and go', async () => {
      const [pollAuthor, ...members] = await Promise.all(Array.from({ length: 11 }, () => eager.signUp()));
      const created = await eager.gql(CREATE_POLL, { input: { title: 'Torn?', options: ['A', 'B', 'C'] } }, pollAuthor.token);
      const poll: CreatedPoll = created.data!.createPoll.poll;
      const ws = connect(eager);
      const watch = watchPoll(ws, poll.id);
      await watch.until((messages) => messages.length === 1);

      // Ten members each vote and retract six times, all at once: 120 changes of the totals.
      const cycle = async (member: Member, index: number) => {
        for (let round = 0; round < 6; round++) {
          const input = { pollId: poll.id, optionIds: [poll.options[(index + round) % 3].id] };
          expect((await eager.gql(CAST_VOTE, { input }, member.token)).errors).toBeUndefined();
          expect((await eager.gql(RETRACT_VOTE, { input: { pollId: poll.id } }, member.token)).errors).toBeUndefined();
        }
      };
      await Promise.all(members.map(cycle));

      await untilVersion(watch, 120, 10000);
      expect(last(watch, 'pollResultsUpdated')).toEqual((await eager.gql(READ_RESULTS, { id: poll.id })).data!.post!.results);
      expect(last(watch, 'pollResultsUpdated')).toMatchObject({ participantCount: 0, totalVotes: 0 });
      expect(watch.messages.length).toBeGreaterThan(5);
      expectVersionsIncrease(watch);
      for (const results of resultsOf(watch)) expectConsistent(results, true);
    });
  });

  describe('visibility per subscriber', () => {
    it('ON_VOTE: hidden for anonymous and non-voters, shown to the author and to a subscriber once they vote, hidden again on retraction, shown to all on close', async () => {
      const poll = await createPoll({ resultsVisibility: 'ON_VOTE' });
      const nonVoter = crowd[10];
      const laterVoter = crowd[11];
      const anonymous = watchPoll(client(), poll.id);
      const bystander = watchPoll(client(nonVoter.token), poll.id);
      const owner = watchPoll(client(author.token), poll.id);
      const voter = watchPoll(client(laterVoter.token), poll.id);
      const all = [anonymous, bystander, owner, voter];
      await Promise.all(all.map((watch) => watch.until((messages) => messages.length === 1)));
      for (const watch of [anonymous, bystander, voter]) expectHidden(last(watch, 'pollResultsUpdated'));
      expect(last(owner, 'pollResultsUpdated')).toMatchObject({ isHidden: false, totalVotes: 0, participantCount: 0 });

      // Someone else votes: participantCount moves for everybody, tallies only for the author.
      await vote(crowd[12], poll, 0);
      await Promise.all(all.map((watch) => untilVersion(watch, 1)));
      for (const watch of [anonymous, bystander, voter]) {
        expectHidden(last(watch, 'pollResultsUpdated'));
        expect(last(watch, 'pollResultsUpdated').participantCount).toBe(1);
      }
      expect(last(owner, 'pollResultsUpdated')).toMatchObject({ isHidden: false, totalVotes: 1, participantCount: 1 });
      expect(last<PollResultsMessage>(owner, 'pollResultsUpdated').options.map((option) => option.voteCount)).toEqual([1, 0, 0]);

      // The subscriber votes: their next message carries the tallies; the others' do not.
      let seen = voter.messages.length;
      await vote(laterVoter, poll, 1);
      const shown = await nextResults(voter, seen);
      expect(shown).toMatchObject({ isHidden: false, participantCount: 2, totalVotes: 2, version: 2 });
      expect(shown.options.map((option) => [option.voteCount, option.percentage])).toEqual([
        [1, 50],
        [1, 50],
        [0, 0],
      ]);
      expect(shown).toEqual(await httpResults(poll.id, laterVoter.token));
      await Promise.all([anonymous, bystander].map((watch) => untilVersion(watch, 2)));
      for (const watch of [anonymous, bystander]) expectHidden(last(watch, 'pollResultsUpdated'));
      expect(last(anonymous, 'pollResultsUpdated')).toEqual(await httpResults(poll.id));
      expect(last(bystander, 'pollResultsUpdated')).toEqual(await httpResults(poll.id, nonVoter.token));

      // Retracting hides them again.
      seen = voter.messages.length;
      await retract(laterVoter, poll);
      const hiddenAgain = await nextResults(voter, seen);
      expectHidden(hiddenAgain);
      expect(hiddenAgain).toMatchObject({ participantCount: 1, version: 3 });

      // The author closes: every subscriber's next message shows the tallies.
      await Promise.all(all.map((watch) => untilVersion(watch, 3)));
      const counts = all.map((watch) => watch.messages.length);
      await close(poll);
      for (const [i, watch] of all.entries()) {
        const closed = await nextResults(watch, counts[i]);
        expect(closed).toMatchObject({ isHidden: false, isClosed: true, participantCount: 1, totalVotes: 1, version: 4 });
        expect(closed.options.map((option) => option.percentage)).toEqual([100, 0, 0]);
        expectVersionsIncrease(watch);
      }
      expect(last(anonymous, 'pollResultsUpdated')).toEqual(await httpResults(poll.id));
    });

    it('ON_CLOSE: only the author sees the tallies until the poll closes, voters included', async () => {
      const poll = await createPoll({ resultsVisibility: 'ON_CLOSE' });
      const voterMember = crowd[20];
      const anonymous = watchPoll(client(), poll.id);
      const voter = watchPoll(client(voterMember.token), poll.id);
      const owner = watchPoll(client(author.token), poll.id);
      const all = [anonymous, voter, owner];
      await Promise.all(all.map((watch) => watch.until((messages) => messages.length === 1)));

      await vote(voterMember, poll, 2);
      await vote(crowd[21], poll, 2);
      await Promise.all(all.map((watch) => untilVersion(watch, 2)));
      for (const watch of [anonymous, voter]) {
        for (const results of resultsOf(watch)) expectHidden(results);
        expect(last(watch, 'pollResultsUpdated').participantCount).toBe(2);
      }
      expect(last(voter, 'pollResultsUpdated')).toEqual(await httpResults(poll.id, voterMember.token));
      expect(last(owner, 'pollResultsUpdated')).toMatchObject({ isHidden: false, totalVotes: 2 });
      expect(last(owner, 'pollResultsUpdated')).toEqual(await httpResults(poll.id, author.token));

      await close(poll);
      for (const watch of all) {
        await untilVersion(watch, 3);
        const closed = last<Results>(watch, 'pollResultsUpdated');
        expect(closed).toMatchObject({ isHidden: false, isClosed: true, totalVotes: 2 });
        expect(closed.options.map((option) => option.voteCount)).toEqual([0, 0, 2]);
      }
    });

    it('never puts hidden tallies on the wire: raw frames carry no counts for a hidden subscriber', async () => {
      const onVote = await createPoll({ resultsVisibility: 'ON_VOTE' });
      const onClose = await createPoll({ resultsVisibility: 'ON_CLOSE' });
      const nonVoter = crowd[30];
      const voterOnClose = crowd[31];

      async function open(token: string | null): Promise<RawSocket> {
        const raw = await rawSocket(t);
        raw.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
        await raw.frame((frame) => frame.type === 'connection_ack');
        raw.send({ id: 'on-vote', type: 'subscribe', payload: { query: WATCH_RESULTS, variables: { id: onVote.id } } });
        raw.send({ id: 'on-close', type: 'subscribe', payload: { query: WATCH_RESULTS, variables: { id: onClose.id } } });
        return raw;
      }
      const anonymous = await open(null);
      const bystander = await open(nonVoter.token);
      const closeVoter = await open(voterOnClose.token);
      const owner = await open(author.token);
      const everyone = [anonymous, bystander, closeVoter, owner];

      const reached = (raw: RawSocket, id: string, version: number) =>
        raw.frame((frame) => frame.type === 'next' && frame.id === id && frame.payload.data?.pollResultsUpdated.version >= version);
      await Promise.all(everyone.flatMap((raw) => [reached(raw, 'on-vote', 0), reached(raw, 'on-close', 0)]));

      await vote(voterOnClose, onClose, 0);
      await Promise.all(crowd.slice(32, 40).map((member, i) => vote(member, onVote, i % 3)));
      await Promise.all(crowd.slice(32, 36).map((member, i) => vote(member, onClose, i % 2)));
      await Promise.all(everyone.flatMap((raw) => [reached(raw, 'on-vote', 8), reached(raw, 'on-close', 5)]));

      const leaks = [/"voteCount":\d/, /"percentage":\d/, /"totalVotes":\d/];
      const hidden: Array<[RawSocket, string]> = [
        [anonymous, 'on-vote'],
        [anonymous, 'on-close'],
        [bystander, 'on-vote'],
        [bystander, 'on-close'],
        [closeVoter, 'on-vote'],
        [closeVoter, 'on-close'], // voted, but ON_CLOSE hides until closed
      ];
      for (const [raw, id] of hidden) {
        const frames = raw.rawFrames.filter((text) => JSON.parse(text).id === id);
        expect(frames.length).toBeGreaterThan(0);
        for (const text of frames) {
          expect(text).toMatch(/"isHidden":true/);
          for (const leak of leaks) expect(text).not.toMatch(leak);
        }
      }
      // The same regular expressions do find the tallies the author may see.
      const ownerFrames = owner.rawFrames.filter((text) => JSON.parse(text).type === 'next');
      expect(ownerFrames.length).toBeGreaterThan(0);
      for (const text of ownerFrames) for (const leak of leaks) expect(text).toMatch(leak);
    });
  });

  describe('postStatsUpdated', () => {
    async function createThread(): Promise<string> {
      const response = await t.gql(CREATE_THREAD, { input: { title: 'Do you still run a CAB?', body: 'Change advisory boards.' } }, author.token);
      return response.data!.createThread.thread.id;
    }

    async function httpStats(postId: string): Promise<PostStatsMessage> {
      const response = await t.gql(READ_STATS, { id: postId });
      expect(response.errors).toBeUndefined();
      return response.data!.post!.stats;
    }

    it('sends the current counters at once, then new counters after views, upvotes and comments', async () => {
      const postId = await createThread();
      await mutate(RECORD_VIEW, { postId }, null);
      const watch = collect(client(crowd[40].token), WATCH_STATS, { id: postId });
      await watch.until((messages) => messages.length === 1);
      expect(last(watch, 'postStatsUpdated')).toEqual(await httpStats(postId));
      expect(last(watch, 'postStatsUpdated')).toMatchObject({ viewCount: 1, upvoteCount: 0, commentCount: 0 });

      let commentId = '';
      const steps: Array<[string, () => Promise<unknown>, Record<string, number>]> = [
        ['recordView', () => mutate(RECORD_VIEW, { postId }, crowd[41].token), { viewCount: 2, upvoteCount: 0, commentCount: 0 }],
        ['addUpvote', () => mutate(ADD_UPVOTE, { subjectId: postId }, crowd[41].token), { viewCount: 2, upvoteCount: 1, commentCount: 0 }],
        ['removeUpvote', () => mutate(REMOVE_UPVOTE, { subjectId: postId }, crowd[41].token), { viewCount: 2, upvoteCount: 0, commentCount: 0 }],
        [
          'addComment',
          async () => {
            commentId = (await mutate(ADD_COMMENT, { postId, body: 'We replaced ours with peer review.' }, crowd[42].token)).addComment.comment.id;
          },
          { viewCount: 2, upvoteCount: 0, commentCount: 1 },
        ],
        ['deleteComment', () => mutate(DELETE_COMMENT, { commentId }, crowd[42].token), { viewCount: 2, upvoteCount: 0, commentCount: 0 }],
      ];
      for (const [step, act, expected] of steps) {
        const seen = watch.messages.length;
        await act();
        await watch.until((messages) => messages.length > seen);
        const message = watch.messages[seen].data!.postStatsUpdated;
        expect({ step, message }).toEqual({ step, message: { ...(await httpStats(postId)), ...expected } });
        expect(await httpStats(postId)).toEqual(message);
      }
      expect(watch.messages).toHaveLength(steps.length + 1);
      expect(last(watch, 'postStatsUpdated').id).toBe(toGlobalId('PostStats', dbId(postId)));
    });

    it('conflates 200 concurrent changes; every subscriber ends on the database counters', async () => {
      const postId = await createThread();
      const viewers: Array<Member | null> = [null, null, author, crowd[50]];
      const watches = viewers.map((viewer) => collect(client(viewer?.token), WATCH_STATS, { id: postId }));
      await Promise.all(watches.map((watch) => watch.until((messages) => messages.length === 1)));

      const burstStarted = Date.now();
      await Promise.all(
        crowd.map((member, i) =>
          i % 4 === 0
            ? mutate(ADD_UPVOTE, { subjectId: postId }, member.token)
            : i % 4 === 1
              ? mutate(ADD_COMMENT, { postId, body: `Comment ${i}` }, member.token)
              : mutate(RECORD_VIEW, { postId }, i % 4 === 2 ? member.token : null),
        ),
      );
      // 50 members' views count, and the 50 anonymous ones (all from 127.0.0.1) count once.
      const expected = { viewCount: 51, upvoteCount: 50, commentCount: 50 };
      expect(await httpStats(postId)).toMatchObject(expected);
      for (const watch of watches) {
        await watch.until((messages) => {
          const stats = messages[messages.length - 1].data!.postStatsUpdated;
          return stats.viewCount === 51 && stats.upvoteCount === 50 && stats.commentCount === 50;
        }, 10000);
        expect(last(watch, 'postStatsUpdated')).toEqual(await httpStats(postId));
        expect(watch.messages.length).toBeLessThanOrEqual(messagesAtMostOnePerInterval(burstStarted));
        expect(watch.messages.length).toBeLessThan(100);
        // Counters only grow here: no message goes back to an older state.
        const series = watch.messages.map((message) => message.data!.postStatsUpdated);
        series.slice(1).forEach((stats, i) => {
          expect(stats.viewCount).toBeGreaterThanOrEqual(series[i].viewCount);
          expect(stats.upvoteCount).toBeGreaterThanOrEqual(series[i].upvoteCount);
          expect(stats.commentCount).toBeGreaterThanOrEqual(series[i].commentCount);
        });
      }
    });
  });

  describe('unknown ids', () => {
    it('ends the operation with NOT_FOUND (BAD_USER_INPUT when malformed) while the connection keeps streaming', async () => {
      const postId = (await t.gql(CREATE_THREAD, { input: { title: 'Still here?', body: 'Yes.' } }, author.token)).data!.createThread.thread.id;
      const poll = await createPoll();
      const ws = client(crowd[60].token);
      const stats = collect(ws, WATCH_STATS, { id: postId });
      const results = watchPoll(ws, poll.id);
      await Promise.all([stats, results].map((watch) => watch.until((messages) => messages.length === 1)));
      // Earlier tests' clients are gone once the server has noticed: then only these two remain.
      const live = t.probe.liveHub;
      const deadline = Date.now() + 5000;
      while (live.registry.size !== 2) {
        if (Date.now() > deadline) throw new Error(`registry holds ${live.registry.size} subscriptions`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }

      const cases: Array<[string, string, Record<string, unknown>, string, string | undefined]> = [
        ['unknown post', WATCH_STATS, { id: toGlobalId('Thread', 999999) }, 'NOT_FOUND', undefined],
        ['a poll id named as a thread', WATCH_STATS, { id: toGlobalId('Thread', dbId(poll.id)) }, 'NOT_FOUND', undefined],
        ['a Member id for a post', WATCH_STATS, { id: author.id }, 'NOT_FOUND', undefined],
        ['malformed post id', WATCH_STATS, { id: 'not an id!' }, 'BAD_USER_INPUT', 'postId'],
        ['unknown poll', WATCH_RESULTS, { id: toGlobalId('Poll', 999999) }, 'NOT_FOUND', undefined],
        ["a Thread's id for a poll", WATCH_RESULTS, { id: postId }, 'NOT_FOUND', undefined],
        ['a Member id for a poll', WATCH_RESULTS, { id: author.id }, 'NOT_FOUND', undefined],
        ['malformed poll id', WATCH_RESULTS, { id: '' }, 'BAD_USER_INPUT', 'pollId'],
      ];
      for (const [name, query, variables, code, field] of cases) {
        const failing = collect(ws, query, variables);
        await failing.ended();
        expect({ name, messages: failing.messages, code: failing.errors?.[0]?.extensions?.code }).toEqual({ name, messages: [], code });
        if (field) expect({ name, field: failing.errors?.[0]?.extensions?.field }).toEqual({ name, field });
      }
      // Nothing of the failed operations stays registered.
      expect(live.registry.size).toBe(2);

      // The other subscriptions on the same connection keep streaming.
      await mutate(RECORD_VIEW, { postId }, null);
      await stats.until((messages) => messages.length === 2);
      expect(last(stats, 'postStatsUpdated').viewCount).toBe(1);
      await vote(crowd[60], poll, 0);
      await untilVersion(results, 1);
      expect(last(results, 'pollResultsUpdated')).toEqual(await httpResults(poll.id, crowd[60].token));
      expect(stats.errors).toBeNull();
      expect(results.errors).toBeNull();
    });
  });
});
