import { CREATE_THREAD, dbId, PollResultsMessage, RESULTS_FIELDS, typed } from './helpers/documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';
import type { DomainEvent } from '../src/modules/events';
import { onDispose } from './helpers/leftovers';

function fieldOf(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.field as string | undefined;
}

function expectBadInput(response: GraphQLResponse, field: string): void {
  expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
  expect(fieldOf(response)).toBe(field);
}

function expectNoErrors(response: GraphQLResponse): void {
  expect(response.errors).toBeUndefined();
}

interface CreatedPoll {
  id: string;
  resultsId: string;
  options: Array<{ id: string; label: string }>;
}

describe('polls: create, vote, retract, close, visibility, exactness', () => {
  let t: TestServer;
  let author: { token: string; id: string };
  /** Members shared by the tests that need many voters (each on polls of their own). */
  let crowd: Array<{ token: string; id: string }>;
  const events: DomainEvent[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    onDispose(t.probe.events.subscribe((event) => events.push(event)));
    author = await t.signUp({ title: 'Poll Author' });
    crowd = await Promise.all(Array.from({ length: 30 }, () => t.signUp()));
  });

  async function createPoll(input: Record<string, unknown>, token = author.token): Promise<CreatedPoll> {
    const response = await t.gql(
      CREATE_POLL_WITH_FIELDS,
      { input: { title: 'Which cloud do you run most on?', options: ['AWS', 'Azure', 'GCP'], ...input } },
      token,
    );
    if (!response.data?.createPoll) throw new Error(`createPoll failed: ${JSON.stringify(response.errors)}`);
    const poll = response.data!.createPoll.poll;
    return { id: poll.id, resultsId: poll.results.id, options: poll.options };
  }

  function vote(token: string | null, pollId: string, optionIds: string[]) {
    return t.gql(CAST_VOTE_WITH_FIELDS, { input: { pollId, optionIds } }, token);
  }

  async function readPoll(pollId: string, token: string | null = null) {
    const response = await t.gql(READ_POLL, { id: pollId }, token);
    expectNoErrors(response);
    return response.data!.post;
  }

  function pollEvents(pollId: string): DomainEvent[] {
    return events.filter((event) => event.type === 'pollResultsChanged' && event.pollId === dbId(pollId));
  }

  describe('createPoll', () => {
    it('refuses anonymous members', async () => {
      const response = await t.gql(CREATE_POLL_WITH_FIELDS, { input: { title: 'Anyone?', options: ['Yes', 'No'] } });
      expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.data).toEqual({ createPoll: null });
    });

    it('applies the documented defaults and trims the labels', async () => {
      const response = await t.gql(
        CREATE_POLL_WITH_FIELDS,
        { input: { title: '  Remote or office?  ', options: ['  Remote ', 'Office', ' Hybrid'] } },
        author.token,
      );
      expectNoErrors(response);
      const poll = response.data!.createPoll.poll;
      expect(poll).toMatchObject({
        __typename: 'Poll',
        title: 'Remote or office?',
        description: null,
        allowsMultipleChoices: false,
        resultsVisibility: 'ALWAYS',
        closesAt: null,
        isClosed: false,
        viewerChoices: [],
        author: { id: author.id },
      });
      expect(poll.options.map((option) => [option.label, option.position])).toEqual([
        ['Remote', 0],
        ['Office', 1],
        ['Hybrid', 2],
      ]);
      expect(poll.results).toMatchObject({ pollId: poll.id, version: 0, participantCount: 0, totalVotes: 0, isClosed: false, isHidden: false });
      expect(poll.results.id).not.toBe(poll.id);
      expect(poll.results.options).toEqual(poll.options.map((option) => ({ optionId: option.id, label: option.label, voteCount: 0, percentage: 0 })));
      // The same poll read back, by post(id:) and node(id:).
      const read = await readPoll(poll.id);
      expect(read.results).toMatchObject({ version: 0, totalVotes: 0, participantCount: 0 });
      const node = await t.gql(`query ($id: ID!) { node(id: $id) { id ... on PollResults { pollId version } } }`, { id: poll.results.id });
      expect(node.data.node).toEqual({ id: poll.results.id, pollId: poll.id, version: 0 });
    });

    it('accepts the boundaries: 20 options, 200-character labels, a 300-character title, 5,000 characters of description with newlines', async () => {
      const options = Array.from({ length: 20 }, (_, index) => `Option ${index}`);
      options[19] = '\u{1F600}'.repeat(200); // lengths count characters, not UTF-16 units
      const description = `First paragraph.\r\n\r\nSecond\tone.${'x'.repeat(5_000 - 29)}`;
      const response = await t.gql(
        CREATE_POLL_WITH_FIELDS,
        { input: { title: 't'.repeat(300), description, options, allowsMultipleChoices: true, resultsVisibility: 'ON_VOTE', topics: ['Cloud'] } },
        author.token,
      );
      expectNoErrors(response);
      const poll = response.data!.createPoll.poll;
      expect(poll.options).toHaveLength(20);
      expect(poll.options[19].label).toBe(options[19]);
      expect(poll.description).toBe(description.replace('\r\n\r\n', '\n\n'));
      expect([...poll.description!]).toHaveLength(5_000);
      expect(poll).toMatchObject({ allowsMultipleChoices: true, resultsVisibility: 'ON_VOTE' });
    });

    it('keeps closesAt in the future as given', async () => {
      const closesAt = new Date(Date.now() + 86_400_000).toISOString();
      const response = await t.gql(CREATE_POLL_WITH_FIELDS, { input: { title: 'Tomorrow?', options: ['Yes', 'No'], closesAt } }, author.token);
      expectNoErrors(response);
      expect(response.data!.createPoll.poll).toMatchObject({ closesAt, isClosed: false });
    });

    it('treats explicit nulls as the defaults and a blank description as none', async () => {
      const response = await t.gql(
        CREATE_POLL_WITH_FIELDS,
        {
          input: {
            title: 'Nulls?',
            description: '   ',
            options: ['Yes', 'No'],
            allowsMultipleChoices: null,
            resultsVisibility: null,
            closesAt: null,
            topics: null,
          },
        },
        author.token,
      );
      expectNoErrors(response);
      expect(response.data!.createPoll.poll).toMatchObject({
        description: null,
        allowsMultipleChoices: false,
        resultsVisibility: 'ALWAYS',
        closesAt: null,
        isClosed: false,
      });
    });

    const manyOptions = (count: number) => Array.from({ length: count }, (_, index) => `Option ${index}`);
    it.each<[string, string, Record<string, unknown>]>([
      ['one option', 'input.options', { options: ['Only one'] }],
      ['no option', 'input.options', { options: [] }],
      ['21 options', 'input.options', { options: manyOptions(21) }],
      ['a blank label', 'input.options[1]', { options: ['Yes', '   ', 'No'] }],
      ['a 201-character label', 'input.options[2]', { options: ['Yes', 'No', 'y'.repeat(201)] }],
      ['a control character in a label', 'input.options[1]', { options: ['Yes', 'N\u0000o'] }],
      ['a newline in a label', 'input.options[0]', { options: ['Ye\ns', 'No'] }],
      ['a repeated label (case-insensitive, after trimming)', 'input.options[2]', { options: ['Yes', 'No', '  yES '] }],
      ['a label repeating an earlier one further down', 'input.options[3]', { options: ['AWS', 'Azure', 'GCP', 'azure'] }],
      ['a blank title', 'input.title', { title: ' \t ' }],
      ['a 301-character title', 'input.title', { title: 't'.repeat(301) }],
      ['a control character in the title', 'input.title', { title: 'Bad\u0007title' }],
      ['a 5,001-character description', 'input.description', { description: 'd'.repeat(5_001) }],
      ['a control character in the description', 'input.description', { description: 'Line one\u0007' }],
      ['closesAt in the past', 'input.closesAt', { closesAt: new Date(Date.now() - 60_000).toISOString() }],
    ])('refuses %s on %s', async (_what, field, change) => {
      const response = await t.gql(CREATE_POLL_WITH_FIELDS, { input: { title: 'A poll', options: ['Yes', 'No'], ...change } }, author.token);
      expectBadInput(response, field);
      expect(response.data?.createPoll ?? null).toBeNull();
    });

    it('refuses a malformed DateTime, in variables and in the document', async () => {
      for (const closesAt of ['tomorrow', '2030-01-01', '2030-13-45T10:00:00Z', '2030-01-01T10:00:00']) {
        const response = await t.gql(CREATE_POLL_WITH_FIELDS, { input: { title: 'When?', options: ['Yes', 'No'], closesAt } }, author.token);
        expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
      }
      // Written into the document, the bad literal makes the document itself invalid (Apollo's code for that).
      const literal = await t.gql(
        `mutation { createPoll(input: { title: "When?", options: ["Yes", "No"], closesAt: "next week" }) { poll { id } } }`,
        {},
        author.token,
      );
      expect(codesOf(literal)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });

    it('creates nothing when the input is refused', async () => {
      const before = await t.gql(`{ posts(kind: POLL, first: 100) { totalCount } }`);
      await t.gql(CREATE_POLL_WITH_FIELDS, { input: { title: 'Dupes', options: ['A', 'a'] } }, author.token);
      const after = await t.gql(`{ posts(kind: POLL, first: 100) { totalCount } }`);
      expect(after.data.posts.totalCount).toBe(before.data.posts.totalCount);
    });
  });

  describe('castVote', () => {
    let voter: { token: string; id: string };
    let other: { token: string; id: string };
    beforeAll(async () => {
      [voter, other] = await Promise.all([t.signUp(), t.signUp()]);
    });

    it('refuses anonymous votes', async () => {
      const poll = await createPoll({});
      const response = await vote(null, poll.id, [poll.options[0].id]);
      expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
      expect((await readPoll(poll.id)).results).toMatchObject({ participantCount: 0, version: 0 });
    });

    it('needs exactly one option on a single-choice poll', async () => {
      const poll = await createPoll({});
      expectBadInput(await vote(voter.token, poll.id, [poll.options[0].id, poll.options[1].id]), 'input.optionIds');
      expectBadInput(await vote(voter.token, poll.id, []), 'input.optionIds');
      expect((await readPoll(poll.id)).results).toMatchObject({ participantCount: 0, totalVotes: 0, version: 0 });
    });

    it('refuses repeated, foreign, unknown and malformed option ids, naming the offending one', async () => {
      const poll = await createPoll({ allowsMultipleChoices: true });
      const elsewhere = await createPoll({ allowsMultipleChoices: true });
      const [a, b] = poll.options.map((option) => option.id);
      expectBadInput(await vote(voter.token, poll.id, [a, b, a]), 'input.optionIds[2]');
      expectBadInput(await vote(voter.token, poll.id, [a, elsewhere.options[1].id]), 'input.optionIds[1]');
      expectBadInput(await vote(voter.token, poll.id, [a, 'not an id!']), 'input.optionIds[1]');
      expectBadInput(await vote(voter.token, poll.id, [Buffer.from('PollOption:abc').toString('base64url')]), 'input.optionIds[0]');
      // A well-formed id that names no option (the poll's own id, an unknown option) is NOT_FOUND on that field.
      for (const unknown of [poll.id, Buffer.from('PollOption:987654').toString('base64url')]) {
        const response = await vote(voter.token, poll.id, [a, unknown]);
        expect(codesOf(response)).toEqual(['NOT_FOUND']);
        expect(fieldOf(response)).toBe('input.optionIds[1]');
      }
      const read = await readPoll(poll.id, voter.token);
      expect(read.viewerChoices).toEqual([]);
      expect(read.results).toMatchObject({ participantCount: 0, totalVotes: 0, version: 0 });
      expect((await readPoll(elsewhere.id)).results).toMatchObject({ participantCount: 0, totalVotes: 0, version: 0 });
    });

    it('answers NOT_FOUND for a thread id or an unknown poll, BAD_USER_INPUT for a malformed poll id', async () => {
      const poll = await createPoll({});
      const thread = await t.gql(CREATE_THREAD, { input: { title: 'A thread', body: 'Not a poll.' } }, author.token);
      const threadId = thread.data!.createThread.thread.id;
      expect(codesOf(await vote(voter.token, threadId, [poll.options[0].id]))).toEqual(['NOT_FOUND']);
      expect(codesOf(await vote(voter.token, Buffer.from('Poll:987654').toString('base64url'), [poll.options[0].id]))).toEqual(['NOT_FOUND']);
      // The poll's database id named as a thread is not the poll.
      expect(codesOf(await vote(voter.token, Buffer.from(`Thread:${dbId(poll.id)}`).toString('base64url'), [poll.options[0].id]))).toEqual(['NOT_FOUND']);
      expectBadInput(await vote(voter.token, '???', [poll.options[0].id]), 'input.pollId');
      expect((await readPoll(poll.id)).results).toMatchObject({ participantCount: 0, version: 0 });
    });

    it("counts a vote, shows the viewer's choice, and publishes the new version", async () => {
      const poll = await createPoll({});
      const response = await vote(voter.token, poll.id, [poll.options[1].id]);
      expectNoErrors(response);
      const voted = response.data!.castVote.poll;
      expect(voted.viewerChoices).toEqual([poll.options[1].id]);
      expect(voted.results).toMatchObject({ version: 1, participantCount: 1, totalVotes: 1, isHidden: false });
      expect(voted.results.options.map((option) => [option.voteCount, option.percentage])).toEqual([
        [0, 0],
        [1, 100],
        [0, 0],
      ]);
      expect(pollEvents(poll.id)).toEqual([{ type: 'pollResultsChanged', pollId: dbId(poll.id), version: 1 }]);
      // Others see the tally but not the voter's choice.
      expect((await readPoll(poll.id, other.token)).viewerChoices).toEqual([]);
      expect((await readPoll(poll.id)).viewerChoices).toEqual([]);
      expect((await readPoll(poll.id, voter.token)).viewerChoices).toEqual([poll.options[1].id]);
    });

    it('replaces an earlier choice; choosing the same again changes nothing', async () => {
      const poll = await createPoll({});
      const [a, b] = poll.options.map((option) => option.id);
      expectNoErrors(await vote(voter.token, poll.id, [a]));
      expectNoErrors(await vote(other.token, poll.id, [a]));

      const before = (await readPoll(poll.id)).results.updatedAt;
      await new Promise((resolve) => setTimeout(resolve, 5)); // updatedAt has millisecond resolution
      const changed = await vote(voter.token, poll.id, [b]);
      expectNoErrors(changed);
      expect(Date.parse(changed.data!.castVote.poll.results.updatedAt)).toBeGreaterThan(Date.parse(before));
      expect(changed.data!.castVote.poll.viewerChoices).toEqual([b]);
      expect(changed.data!.castVote.poll.results).toMatchObject({ version: 3, participantCount: 2, totalVotes: 2 });
      expect(changed.data!.castVote.poll.results.options.map((option) => option.voteCount)).toEqual([1, 1, 0]);

      const same = await vote(voter.token, poll.id, [b]);
      expectNoErrors(same);
      expect(same.data!.castVote.poll.results.updatedAt).toBe(changed.data!.castVote.poll.results.updatedAt);
      expect(same.data!.castVote.poll.viewerChoices).toEqual([b]);
      expect(same.data!.castVote.poll.results).toMatchObject({ version: 3, participantCount: 2, totalVotes: 2 });
      expect(same.data!.castVote.poll.results.options.map((option) => option.voteCount)).toEqual([1, 1, 0]);
      expect(pollEvents(poll.id).map((event) => (event as { version: number }).version)).toEqual([1, 2, 3]);
    });

    it('takes several distinct options on a multiple-choice poll; participants count members, totalVotes counts choices', async () => {
      const poll = await createPoll({ allowsMultipleChoices: true, options: ['Kubernetes', 'Serverless', 'VMs', 'Bare metal'] });
      const [k, s, v, m] = poll.options.map((option) => option.id);
      const first = await vote(voter.token, poll.id, [v, k]);
      expectNoErrors(first);
      expect([...first.data!.castVote.poll.viewerChoices].sort()).toEqual([k, v].sort());
      expectNoErrors(await vote(other.token, poll.id, [s, v]));

      let results = (await readPoll(poll.id)).results;
      expect(results).toMatchObject({ participantCount: 2, totalVotes: 4, version: 2 });
      expect(results.options.map((option) => [option.voteCount, option.percentage])).toEqual([
        [1, 25],
        [1, 25],
        [2, 50],
        [0, 0],
      ]);

      // The same set in another order is the same vote.
      const same = await vote(voter.token, poll.id, [k, v]);
      expect(same.data!.castVote.poll.results.version).toBe(2);

      // A smaller set replaces the earlier one.
      const narrowed = await vote(voter.token, poll.id, [m]);
      expect(narrowed.data!.castVote.poll.viewerChoices).toEqual([m]);
      results = narrowed.data!.castVote.poll.results;
      expect(results).toMatchObject({ participantCount: 2, totalVotes: 3, version: 3 });
      expect(results.options.map((option) => option.voteCount)).toEqual([0, 1, 1, 1]);
      expect(results.options.map((option) => option.percentage)).toEqual([0, 34, 33, 33]);
    });
  });

  describe('retractVote', () => {
    it('removes the vote: participants -1, version +1, no choices left', async () => {
      const [voter, other] = await Promise.all([t.signUp(), t.signUp()]);
      const poll = await createPoll({});
      expectNoErrors(await vote(voter.token, poll.id, [poll.options[0].id]));
      expectNoErrors(await vote(other.token, poll.id, [poll.options[2].id]));

      const response = await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: poll.id } }, voter.token);
      expectNoErrors(response);
      const retracted = response.data!.retractVote.poll;
      expect(retracted.viewerChoices).toEqual([]);
      expect(retracted.results).toMatchObject({ version: 3, participantCount: 1, totalVotes: 1 });
      expect(retracted.results.options.map((option) => [option.voteCount, option.percentage])).toEqual([
        [0, 0],
        [0, 0],
        [1, 100],
      ]);
      expect(pollEvents(poll.id).map((event) => (event as { version: number }).version)).toEqual([1, 2, 3]);
      expect((await readPoll(poll.id, voter.token)).viewerChoices).toEqual([]);

      // The member may vote again afterwards.
      const again = await vote(voter.token, poll.id, [poll.options[1].id]);
      expect(again.data!.castVote.poll.results).toMatchObject({ version: 4, participantCount: 2, totalVotes: 2 });
    });

    it('without a vote returns the poll unchanged, with the same version', async () => {
      const [voter, bystander] = await Promise.all([t.signUp(), t.signUp()]);
      const poll = await createPoll({});
      expectNoErrors(await vote(voter.token, poll.id, [poll.options[0].id]));
      for (const token of [bystander.token, bystander.token]) {
        const response = await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: poll.id } }, token);
        expectNoErrors(response);
        expect(response.data!.retractVote.poll.results).toMatchObject({ version: 1, participantCount: 1, totalVotes: 1 });
      }
      // Retracting twice: the second one changes nothing.
      await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: poll.id } }, voter.token);
      const twice = await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: poll.id } }, voter.token);
      expect(twice.data!.retractVote.poll.results).toMatchObject({ version: 2, participantCount: 0, totalVotes: 0 });
      expect(pollEvents(poll.id)).toHaveLength(2);
    });

    it('refuses anonymous requests and answers NOT_FOUND for a non-poll', async () => {
      const poll = await createPoll({});
      expect(codesOf(await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: poll.id } }))).toEqual(['UNAUTHENTICATED']);
      const member = await t.signUp();
      expect(codesOf(await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: Buffer.from('Poll:987654').toString('base64url') } }, member.token))).toEqual([
        'NOT_FOUND',
      ]);
      expectBadInput(await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: 'x' } }, member.token), 'input.pollId');
    });
  });

  describe('closePoll', () => {
    it('is for the author only; a closed poll takes no vote, retraction or second close', async () => {
      const [voter, stranger] = await Promise.all([t.signUp(), t.signUp()]);
      const poll = await createPoll({});
      expectNoErrors(await vote(voter.token, poll.id, [poll.options[0].id]));

      expect(codesOf(await t.gql(CLOSE_POLL_WITH_FIELDS, { input: { pollId: poll.id } }))).toEqual(['UNAUTHENTICATED']);
      const forbidden = await t.gql(CLOSE_POLL_WITH_FIELDS, { input: { pollId: poll.id } }, stranger.token);
      expect(codesOf(forbidden)).toEqual(['FORBIDDEN']);
      expect(forbidden.data).toEqual({ closePoll: null });
      expect((await readPoll(poll.id)).isClosed).toBe(false);

      const closed = await t.gql(CLOSE_POLL_WITH_FIELDS, { input: { pollId: poll.id } }, author.token);
      expectNoErrors(closed);
      expect(closed.data!.closePoll.poll).toMatchObject({ isClosed: true, results: { isClosed: true, version: 2, participantCount: 1, totalVotes: 1 } });
      expect(pollEvents(poll.id)).toEqual([
        { type: 'pollResultsChanged', pollId: dbId(poll.id), version: 1 },
        { type: 'pollResultsChanged', pollId: dbId(poll.id), version: 2 },
      ]);

      expect(codesOf(await vote(stranger.token, poll.id, [poll.options[1].id]))).toEqual(['POLL_CLOSED']);
      expect(codesOf(await vote(voter.token, poll.id, [poll.options[1].id]))).toEqual(['POLL_CLOSED']);
      expect(codesOf(await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: poll.id } }, voter.token))).toEqual(['POLL_CLOSED']);
      expect(codesOf(await t.gql(CLOSE_POLL_WITH_FIELDS, { input: { pollId: poll.id } }, author.token))).toEqual(['POLL_CLOSED']);

      const after = await readPoll(poll.id, voter.token);
      expect(after.isClosed).toBe(true);
      expect(after.viewerChoices).toEqual([poll.options[0].id]);
      expect(after.results).toMatchObject({ isClosed: true, version: 2, participantCount: 1, totalVotes: 1 });
      expect(pollEvents(poll.id)).toHaveLength(2);
    });

    it('answers NOT_FOUND for a thread id', async () => {
      const thread = await t.gql(CREATE_THREAD, { input: { title: 'Close me?', body: 'A thread.' } }, author.token);
      const response = await t.gql(CLOSE_POLL_WITH_FIELDS, { input: { pollId: thread.data!.createThread.thread.id } }, author.token);
      expect(codesOf(response)).toEqual(['NOT_FOUND']);
    });
  });

  describe('closesAt', () => {
    it('reads say closed as soon as closesAt passes, votes are refused, and the scheduler records the close once', async () => {
      const voter = await t.signUp();
      const closesAt = Date.now() + 1_500;
      const poll = await createPoll({ closesAt: new Date(closesAt).toISOString() });
      // A twin closed by its author before closesAt: the scheduler must not close it a second time.
      const twin = await createPoll({ closesAt: new Date(closesAt).toISOString() });
      expectNoErrors(await t.gql(CLOSE_POLL_WITH_FIELDS, { input: { pollId: twin.id } }, author.token));
      const voted = await vote(voter.token, poll.id, [poll.options[0].id]);
      expectNoErrors(voted);
      expect(voted.data!.castVote.poll).toMatchObject({ isClosed: false, results: { isClosed: false, version: 1 } });
      expect(pollEvents(poll.id)).toEqual([{ type: 'pollResultsChanged', pollId: dbId(poll.id), version: 1 }]);

      // Waiting for the clock itself: nothing else can signal that closesAt passed.
      await new Promise((resolve) => setTimeout(resolve, closesAt - Date.now() + 10));
      const first = await readPoll(poll.id);
      expect(first.isClosed).toBe(true);
      expect(first.results.isClosed).toBe(true);
      expect([1, 2]).toContain(first.results.version);
      expect(codesOf(await vote(voter.token, poll.id, [poll.options[1].id]))).toEqual(['POLL_CLOSED']);
      expect(codesOf(await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: poll.id } }, voter.token))).toEqual(['POLL_CLOSED']);
      expect(codesOf(await t.gql(CLOSE_POLL_WITH_FIELDS, { input: { pollId: poll.id } }, author.token))).toEqual(['POLL_CLOSED']);

      // The scheduler (every 250 ms) makes the close a real write: version + 1, within about a second.
      const deadline = closesAt + 1_200;
      let results = first.results;
      while (results.version < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        results = (await readPoll(poll.id)).results;
      }
      expect(results).toMatchObject({ version: 2, isClosed: true, participantCount: 1, totalVotes: 1 });
      expect(pollEvents(poll.id)).toEqual([
        { type: 'pollResultsChanged', pollId: dbId(poll.id), version: 1 },
        { type: 'pollResultsChanged', pollId: dbId(poll.id), version: 2 },
      ]);
      // A closed poll is never closed twice: the votes after the close did nothing either.
      expect((await readPoll(poll.id)).results.version).toBe(2);
      expect((await readPoll(twin.id)).results).toMatchObject({ version: 1, isClosed: true });
      expect(pollEvents(twin.id)).toEqual([{ type: 'pollResultsChanged', pollId: dbId(twin.id), version: 1 }]);
    });
  });

  describe('results visibility', () => {
    async function resultsAs(poll: CreatedPoll, token: string | null) {
      const response = await t.gql(READ_RESULTS_AND_NODE, { pollId: poll.id, resultsId: poll.resultsId }, token);
      expectNoErrors(response);
      // Poll.results and node(results.id) show the same thing to the same viewer.
      expect(response.data!.node).toEqual(response.data!.post.results);
      return response.data!.post.results;
    }

    function expectHidden(results: PollResultsMessage, participantCount: number) {
      expect(results).toMatchObject({ isHidden: true, totalVotes: null, participantCount });
      for (const option of results.options) {
        expect(option.voteCount).toBeNull();
        expect(option.percentage).toBeNull();
        expect(typeof option.label).toBe('string');
      }
    }

    function expectShown(results: PollResultsMessage, counts: number[]) {
      expect(results.isHidden).toBe(false);
      expect(results.options.map((option) => option.voteCount)).toEqual(counts);
      expect(results.totalVotes).toBe(counts.reduce((sum, count) => sum + count, 0));
    }

    it('ALWAYS: everyone, anonymous included, sees the tallies', async () => {
      const voter = await t.signUp();
      const poll = await createPoll({ resultsVisibility: 'ALWAYS' });
      await vote(voter.token, poll.id, [poll.options[2].id]);
      expectShown(await resultsAs(poll, null), [0, 0, 1]);
      expectShown(await resultsAs(poll, (await t.signUp()).token), [0, 0, 1]);
    });

    it('ON_VOTE: hidden from anonymous and non-voters, shown to voters and the author, hidden again on retraction, shown to all once closed', async () => {
      const [voter, bystander] = await Promise.all([t.signUp(), t.signUp()]);
      const poll = await createPoll({ resultsVisibility: 'ON_VOTE' });

      const cast = await vote(voter.token, poll.id, [poll.options[0].id]);
      expectShown(cast.data!.castVote.poll.results, [1, 0, 0]);
      expectShown(await resultsAs(poll, voter.token), [1, 0, 0]);
      expectShown(await resultsAs(poll, author.token), [1, 0, 0]);
      expectHidden(await resultsAs(poll, null), 1);
      expectHidden(await resultsAs(poll, bystander.token), 1);
      const anonymousPoll = await readPoll(poll.id);
      expectHidden(anonymousPoll.results, 1);

      const retracted = await t.gql(RETRACT_VOTE_WITH_FIELDS, { input: { pollId: poll.id } }, voter.token);
      expectHidden(retracted.data!.retractVote.poll.results, 0);
      expectHidden(await resultsAs(poll, voter.token), 0);

      await vote(voter.token, poll.id, [poll.options[1].id]);
      expectHidden(await resultsAs(poll, bystander.token), 1);
      const closed = await t.gql(CLOSE_POLL_WITH_FIELDS, { input: { pollId: poll.id } }, author.token);
      expectShown(closed.data!.closePoll.poll.results, [0, 1, 0]);
      expectShown(await resultsAs(poll, null), [0, 1, 0]);
      expectShown(await resultsAs(poll, bystander.token), [0, 1, 0]);
    });

    it('ON_CLOSE: only the author until closed, everyone after', async () => {
      const [voter, bystander] = await Promise.all([t.signUp(), t.signUp()]);
      const poll = await createPoll({ resultsVisibility: 'ON_CLOSE' });
      const cast = await vote(voter.token, poll.id, [poll.options[1].id]);
      expectHidden(cast.data!.castVote.poll.results, 1);
      expect(cast.data!.castVote.poll.viewerChoices).toEqual([poll.options[1].id]);
      expectHidden(await resultsAs(poll, voter.token), 1);
      expectHidden(await resultsAs(poll, bystander.token), 1);
      expectHidden(await resultsAs(poll, null), 1);
      expectShown(await resultsAs(poll, author.token), [0, 1, 0]);

      const closed = await t.gql(CLOSE_POLL_WITH_FIELDS, { input: { pollId: poll.id } }, author.token);
      expectShown(closed.data!.closePoll.poll.results, [0, 1, 0]);
      for (const token of [voter.token, bystander.token, null]) expectShown(await resultsAs(poll, token), [0, 1, 0]);
    });

    it('the poll list hides tallies the same way', async () => {
      const voter = await t.signUp();
      const poll = await createPoll({ title: 'Listed hidden poll zebra', resultsVisibility: 'ON_CLOSE' });
      await vote(voter.token, poll.id, [poll.options[0].id]);
      const list = await t.gql(
        `{ posts(search: "zebra") { nodes { id ... on Poll { results { isHidden participantCount totalVotes options { label voteCount percentage } } } } } }`,
      );
      expect(list.data.posts.nodes).toHaveLength(1);
      expectHidden(list.data.posts.nodes[0].results, 1);
    });
  });

  describe('percentages (largest remainder, exactly 100)', () => {
    async function pollWithVotes(counts: number[]) {
      const poll = await createPoll({ options: counts.map((_, index) => `Choice ${index}`) });
      const voters = crowd;
      let next = 0;
      for (const [index, count] of counts.entries()) {
        for (let i = 0; i < count; i++) expectNoErrors(await vote(voters[next++].token, poll.id, [poll.options[index].id]));
      }
      return (await readPoll(poll.id)).results;
    }

    it.each([
      [
        [2, 1],
        [67, 33],
      ],
      [
        [1, 1, 1],
        [34, 33, 33],
      ],
      // Equal remainders: the leftover points go to more votes first, then the lower position.
      [
        [1, 1, 4],
        [17, 16, 67],
      ],
      [
        [0, 1, 0, 2],
        [0, 33, 0, 67],
      ],
    ])('votes %j give %j', async (counts, percentages) => {
      const results = await pollWithVotes(counts);
      expect(results.options.map((option) => option.voteCount)).toEqual(counts);
      expect(results.options.map((option) => option.percentage)).toEqual(percentages);
      expect(percentages.reduce((a, b) => a + b, 0)).toBe(100);
    });
  });

  describe('exactness under concurrency', () => {
    it('10 identical votes at once by one member count once, and none fails', async () => {
      const voter = await t.signUp();
      const poll = await createPoll({});
      const responses = await Promise.all(Array.from({ length: 10 }, () => vote(voter.token, poll.id, [poll.options[0].id])));
      for (const response of responses) {
        expectNoErrors(response);
        expect(response.data!.castVote.poll.viewerChoices).toEqual([poll.options[0].id]);
      }
      const results = (await readPoll(poll.id)).results;
      expect(results).toMatchObject({ participantCount: 1, totalVotes: 1, version: 1 });
      expect(results.options.map((option) => option.voteCount)).toEqual([1, 0, 0]);
      expect(pollEvents(poll.id)).toHaveLength(1);
    });

    it('concurrent changes of mind by one member leave exactly one vote', async () => {
      const voter = await t.signUp();
      const poll = await createPoll({});
      const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => vote(voter.token, poll.id, [poll.options[i % 3].id])));
      for (const response of responses) expectNoErrors(response);
      const read = await readPoll(poll.id, voter.token);
      expect(read.results).toMatchObject({ participantCount: 1, totalVotes: 1 });
      expect(read.results.options.map((option) => option.voteCount).reduce((a: number, b) => a + (b ?? 0), 0)).toBe(1);
      expect(read.viewerChoices).toHaveLength(1);
      expect(read.results.options.find((option) => option.voteCount === 1)?.optionId).toBe(read.viewerChoices[0]);
    });

    it('30 members voting at once are all counted', async () => {
      const poll = await createPoll({ allowsMultipleChoices: true, options: ['North', 'South', 'East'] });
      const voters = crowd;
      expect(voters).toHaveLength(30);
      const responses = await Promise.all(voters.map((voter, i) => vote(voter.token, poll.id, [poll.options[i % 3].id])));
      for (const response of responses) expectNoErrors(response);
      const results = (await readPoll(poll.id)).results;
      expect(results).toMatchObject({ participantCount: 30, totalVotes: 30, version: 30 });
      expect(results.options.map((option) => option.voteCount)).toEqual([10, 10, 10]);
      expect(results.options.map((option) => option.percentage)).toEqual([34, 33, 33]);
      const versions = pollEvents(poll.id)
        .map((event) => (event as { version: number }).version)
        .sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });
  });
});

/** A Poll as POLL_FIELDS selects it. */
interface PollFields {
  __typename: string;
  id: string;
  title: string;
  description: string | null;
  allowsMultipleChoices: boolean;
  resultsVisibility: string;
  closesAt: string | null;
  isClosed: boolean;
  viewerChoices: string[];
  author: { id: string };
  options: Array<{ id: string; label: string; position: number }>;
  results: PollResultsMessage;
}
const POLL_FIELDS = `
  __typename id title description allowsMultipleChoices resultsVisibility closesAt isClosed viewerChoices
  author { id }
  options { id label position }
  results { ${RESULTS_FIELDS} }`;
const CREATE_POLL_WITH_FIELDS = typed<{ createPoll: { poll: PollFields } }>(
  `mutation CreatePoll($input: CreatePollInput!) { createPoll(input: $input) { poll { ${POLL_FIELDS} } } }`,
);
const CAST_VOTE_WITH_FIELDS = typed<{ castVote: { poll: PollFields } }>(
  `mutation CastVote($input: CastVoteInput!) { castVote(input: $input) { poll { ${POLL_FIELDS} } } }`,
);
const RETRACT_VOTE_WITH_FIELDS = typed<{ retractVote: { poll: PollFields } }>(
  `mutation RetractVote($input: RetractVoteInput!) { retractVote(input: $input) { poll { ${POLL_FIELDS} } } }`,
);
const CLOSE_POLL_WITH_FIELDS = typed<{ closePoll: { poll: PollFields } }>(
  `mutation ClosePoll($input: ClosePollInput!) { closePoll(input: $input) { poll { ${POLL_FIELDS} } } }`,
);
const READ_POLL = typed<{ post: PollFields }>(`query ReadPoll($id: ID!) { post(id: $id) { ... on Poll { ${POLL_FIELDS} } } }`);
const READ_RESULTS_AND_NODE = typed<{ post: { results: PollResultsMessage }; node: PollResultsMessage | null }>(`
  query ReadResults($pollId: ID!, $resultsId: ID!) {
    post(id: $pollId) { ... on Poll { results { ${RESULTS_FIELDS} } } }
    node(id: $resultsId) { ... on PollResults { ${RESULTS_FIELDS} } }
  }`);
