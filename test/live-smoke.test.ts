import { collect, connect, last } from './helpers/live';
import { startTestServer, TestServer } from './helpers/server';

describe('live API smoke', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  it('pushes poll results at once and after a vote', async () => {
    const author = await t.signUp();
    const poll = (await t.gql(`mutation { createPoll(input: { title: "Q?", options: ["A", "B"] }) { poll { id options { id } } } }`, {}, author.token)).data
      .createPoll.poll;
    const client = connect(t);
    const results = collect(client, `subscription ($id: ID!) { pollResultsUpdated(pollId: $id) { version totalVotes } }`, { id: poll.id });
    await results.until((m) => m.length === 1);
    expect(last(results, 'pollResultsUpdated')).toEqual({ version: 0, totalVotes: 0 });
    await t.gql(
      `mutation ($i: CastVoteInput!) { castVote(input: $i) { poll { id } } }`,
      { i: { pollId: poll.id, optionIds: [poll.options[1].id] } },
      author.token,
    );
    await results.until((m) => m.length === 2);
    expect(last(results, 'pollResultsUpdated')).toEqual({ version: 1, totalVotes: 1 });
    await client.dispose();
  });
});
