/** Poll.results is one moment's state: totals, version and option counts agree even while votes stream in. */
import { startTestServer, TestServer } from './helpers/server';

describe('Poll.results under concurrent votes', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  it('never shows totals that disagree with the option counts', async () => {
    const author = await t.signUp();
    const voters = await Promise.all(Array.from({ length: 10 }, () => t.signUp()));
    const poll = (await t.gql(`mutation { createPoll(input: { title: "Q", options: ["A", "B", "C"] }) { poll { id options { id } } } }`, {}, author.token)).data
      .createPoll.poll;
    const writes = voters.flatMap((voter, i) => [
      t.gql(VOTE, { i: { pollId: poll.id, optionIds: [poll.options[i % 3].id] } }, voter.token),
      t.gql(RETRACT, { i: { pollId: poll.id } }, voter.token),
      t.gql(VOTE, { i: { pollId: poll.id, optionIds: [poll.options[(i + 1) % 3].id] } }, voter.token),
    ]);
    const reads = Array.from({ length: 60 }, () => t.gql(READ, { id: poll.id }));
    const responses = await Promise.all([...writes, ...reads]);
    for (const response of responses) expect(response.errors).toBeUndefined();
    for (const read of responses.slice(writes.length)) {
      const results = read.data.post.results;
      const sum = results.options.reduce((total: number, option: { voteCount: number }) => total + option.voteCount, 0);
      expect(results.totalVotes).toBe(sum);
      expect(results.participantCount).toBe(sum); // single choice
      const percentages = results.options.reduce((total: number, option: { percentage: number }) => total + option.percentage, 0);
      expect(percentages).toBe(sum === 0 ? 0 : 100);
    }
  });
});

const VOTE = `mutation ($i: CastVoteInput!) { castVote(input: $i) { poll { id } } }`;
const RETRACT = `mutation ($i: RetractVoteInput!) { retractVote(input: $i) { poll { id } } }`;
const READ = `query ($id: ID!) { post(id: $id) { ... on Poll { results { totalVotes participantCount version options { voteCount percentage } } } } }`;
