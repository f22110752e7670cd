/**
 * Poll.resultsBreakdown (api/insights.graphql): designed populations whose published figures follow
 * exactly from the rules — the time rule (k new participants per publication), complementary
 * suppression (`other` never 1..k-1, folding at close), visibility as for Poll.results — over HTTP,
 * with k = 5 (the default).
 */
import { CAST_VOTE, CLOSE_POLL, CREATE_POLL, RETRACT_VOTE } from './helpers/documents';
import { startTestServer, TestServer } from './helpers/server';

const BREAKDOWN = `query ($id: ID!, $by: BylineDimension!) { node(id: $id) { ... on Poll { resultsBreakdown(by: $by) {
  id pollId dimension minGroupSize participantCount publishedParticipantCount isClosed isHidden version updatedAt
  groups { label isOther industry companySize participantCount totalVotes options { label voteCount percentage } }
  other { label isOther industry companySize participantCount totalVotes options { label voteCount percentage } }
} } } }`;

interface Group {
  label: string;
  isOther: boolean;
  industry: string | null;
  companySize: string | null;
  participantCount: number;
  totalVotes: number;
  options: Array<{ label: string; voteCount: number | null; percentage: number | null }>;
}
interface Breakdown {
  id: string;
  pollId: string;
  dimension: string;
  minGroupSize: number;
  participantCount: number;
  publishedParticipantCount: number | null;
  isClosed: boolean;
  isHidden: boolean;
  version: number;
  updatedAt: string;
  groups: Group[];
  other: Group | null;
}

describe('poll breakdowns by byline', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  async function createPoll(token: string, extra: Record<string, unknown> = {}) {
    const created = await t.gql(CREATE_POLL, { input: { title: 'Where do your teams work?', options: ['Office', 'Hybrid', 'Remote'], ...extra } }, token);
    expect(created.errors).toBeUndefined();
    return created.data!.createPoll.poll;
  }

  async function breakdown(pollId: string, by: 'INDUSTRY' | 'COMPANY_SIZE', token?: string): Promise<Breakdown> {
    const answer = await t.gql<{ node: { resultsBreakdown: Breakdown } }>(BREAKDOWN, { id: pollId, by }, token);
    expect(answer.errors).toBeUndefined();
    return answer.data!.node.resultsBreakdown;
  }

  /** `count` new members of `industry` who each vote for option `option`. */
  async function voters(
    poll: { id: string; options: Array<{ id: string }> },
    industry: string | null,
    count: number,
    option = 0,
    companySize = 'EMPLOYEES_201_TO_500',
  ) {
    const members: Array<{ token: string }> = [];
    for (let i = 0; i < count; i++) {
      const member = await t.signUp({ industry, companySize });
      const voted = await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[option].id] } }, member.token);
      expect(voted.errors).toBeUndefined();
      members.push(member);
    }
    return members;
  }

  const summary = (b: Breakdown) => ({
    groups: b.groups.map((g) => [g.label, g.participantCount]),
    other: b.other ? b.other.participantCount : null,
    published: b.publishedParticipantCount,
  });

  it("publishes as the specification's worked example says, open and at close", async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token);
    const b0 = await breakdown(poll.id, 'INDUSTRY');
    expect(b0).toMatchObject({
      dimension: 'INDUSTRY',
      minGroupSize: 5,
      participantCount: 0,
      publishedParticipantCount: 0,
      groups: [],
      other: null,
      version: 1,
      isHidden: false,
      isClosed: false,
    });

    await voters(poll, 'Software', 5, 1);
    expect(summary(await breakdown(poll.id, 'INDUSTRY'))).toEqual({ groups: [['Software', 5]], other: null, published: 5 });
    await voters(poll, 'Software', 4, 2);
    const stillFive = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(stillFive)).toEqual({ groups: [['Software', 5]], other: null, published: 5 });
    expect(stillFive.participantCount).toBe(9);
    expect(stillFive.groups[0].options.map((o) => o.voteCount)).toEqual([0, 5, 0]);
    await voters(poll, 'Software', 1, 2);
    const ten = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(ten)).toEqual({ groups: [['Software', 10]], other: null, published: 10 });
    expect(ten.groups[0].options).toEqual([
      { label: 'Office', voteCount: 0, percentage: 0 },
      { label: 'Hybrid', voteCount: 5, percentage: 50 },
      { label: 'Remote', voteCount: 5, percentage: 50 },
    ]);
    expect(ten.groups[0]).toMatchObject({ isOther: false, industry: 'Software', companySize: null, totalVotes: 10 });

    await voters(poll, 'Banking', 4, 0);
    expect(summary(await breakdown(poll.id, 'INDUSTRY'))).toEqual({ groups: [['Software', 10]], other: null, published: 10 });
    await voters(poll, 'Healthcare', 1, 0);
    const other5 = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(other5)).toEqual({ groups: [['Software', 10]], other: 5, published: 15 });
    expect(other5.other).toMatchObject({ label: 'Other', isOther: true, industry: null, companySize: null, totalVotes: 5 });

    await voters(poll, 'Banking', 2, 1);
    await voters(poll, 'Healthcare', 2, 1);
    await voters(poll, 'Media', 1, 2);
    // `other` 10: promoting Banking (6) would leave 4, so Banking stays in it.
    expect(summary(await breakdown(poll.id, 'INDUSTRY'))).toEqual({ groups: [['Software', 10]], other: 10, published: 20 });
    await voters(poll, 'Media', 1, 2);
    await voters(poll, 'Software', 2, 0);
    const beforeClose = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(beforeClose)).toEqual({ groups: [['Software', 10]], other: 10, published: 20 });
    expect(beforeClose.participantCount).toBe(23);

    const closed = await t.gql(CLOSE_POLL, { input: { pollId: poll.id } }, author.token);
    expect(closed.errors).toBeUndefined();
    const final = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(final)).toEqual({
      groups: [
        ['Software', 12],
        ['Banking', 6],
      ],
      other: 5,
      published: 23,
    });
    expect(final.isClosed).toBe(true);
    expect(final.version).toBe(1 + 23 + 1);
    expect(final.groups[1].options.map((o) => o.voteCount)).toEqual([4, 2, 0]);
    expect(final.other!.options.map((o) => o.voteCount)).toEqual([1, 2, 2]);
  });

  it('counts a member who retracts and votes again as new only when the last publication did not count them', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token);
    const first = await voters(poll, 'Software', 5, 0);
    expect(summary(await breakdown(poll.id, 'INDUSTRY'))).toEqual({ groups: [['Software', 5]], other: null, published: 5 });
    // Counted by the last publication: retracting and voting again (for another option) is not new.
    expect((await t.gql(RETRACT_VOTE, { input: { pollId: poll.id } }, first[0].token)).errors).toBeUndefined();
    expect((await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[1].id] } }, first[0].token)).errors).toBeUndefined();
    await voters(poll, 'Software', 4, 0);
    const unchanged = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(unchanged)).toEqual({ groups: [['Software', 5]], other: null, published: 5 });
    expect(unchanged.groups[0].options.map((o) => o.voteCount)).toEqual([5, 0, 0]);
    await voters(poll, 'Software', 1, 0);
    const ten = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(ten)).toEqual({ groups: [['Software', 10]], other: null, published: 10 });
    expect(ten.groups[0].options.map((o) => o.voteCount)).toEqual([9, 1, 0]);

    // Retracted while the group was published again: not counted by that publication, so new when back.
    expect((await t.gql(RETRACT_VOTE, { input: { pollId: poll.id } }, first[1].token)).errors).toBeUndefined();
    await voters(poll, 'Software', 5, 2);
    expect(summary(await breakdown(poll.id, 'INDUSTRY'))).toEqual({ groups: [['Software', 14]], other: null, published: 14 });
    expect((await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[1].id] } }, first[1].token)).errors).toBeUndefined();
    await voters(poll, 'Software', 3, 2);
    expect(summary(await breakdown(poll.id, 'INDUSTRY'))).toEqual({ groups: [['Software', 14]], other: null, published: 14 });
    await voters(poll, 'Software', 1, 2);
    const back = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(back)).toEqual({ groups: [['Software', 19]], other: null, published: 19 });
    expect(back.groups[0].options.map((o) => o.voteCount)).toEqual([8, 2, 9]);
  });

  it('closes at closesAt at once for reads, with the same version and updatedAt before and after the scheduler writes the close', async () => {
    const author = await t.signUp();
    const closesAt = new Date(Date.now() + 2500);
    const poll = await createPoll(author.token, { closesAt: closesAt.toISOString() });
    await voters(poll, 'Software', 5);
    await voters(poll, 'Media', 2);
    const open = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(open)).toEqual({ groups: [['Software', 5]], other: null, published: 5 });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, closesAt.getTime() - Date.now()) + 20));
    const closedByTime = await breakdown(poll.id, 'INDUSTRY');
    // Media 2 alone could be recovered from the totals: Software folds into `other` with it.
    expect(summary(closedByTime)).toEqual({ groups: [], other: 7, published: 7 });
    expect(closedByTime).toMatchObject({ isClosed: true, version: open.version + 1, updatedAt: closesAt.toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await breakdown(poll.id, 'INDUSTRY')).toEqual(closedByTime);
  });

  it('folds Banking into `other` at close when `other` alone could be recovered from the totals', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token);
    await voters(poll, 'Software', 12, 0);
    await voters(poll, 'Banking', 6, 1);
    await voters(poll, 'Healthcare', 3, 2);
    await t.gql(CLOSE_POLL, { input: { pollId: poll.id } }, author.token);
    expect(summary(await breakdown(poll.id, 'INDUSTRY'))).toEqual({ groups: [['Software', 12]], other: 9, published: 21 });
  });

  it('shows nothing for a poll closed with fewer than k participants, and no group for no industry or "other"', async () => {
    const author = await t.signUp();
    const small = await createPoll(author.token);
    await voters(small, 'Software', 4);
    await t.gql(CLOSE_POLL, { input: { pollId: small.id } }, author.token);
    expect(summary(await breakdown(small.id, 'INDUSTRY'))).toEqual({ groups: [], other: null, published: 0 });

    const poll = await createPoll(author.token);
    await voters(poll, null, 3);
    await voters(poll, 'OTHER', 2);
    const open = await breakdown(poll.id, 'INDUSTRY');
    expect(summary(open)).toEqual({ groups: [], other: 5, published: 5 });
    await t.gql(CLOSE_POLL, { input: { pollId: poll.id } }, author.token);
    expect(summary(await breakdown(poll.id, 'INDUSTRY'))).toEqual({ groups: [], other: 5, published: 5 });
  });

  it('groups by company size with the bands as bylines write them, and a vote switch or a retraction publishes nothing', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token);
    const big = await voters(poll, 'Software', 5, 0, 'EMPLOYEES_10001_PLUS');
    const bySize = await breakdown(poll.id, 'COMPANY_SIZE');
    expect(bySize.groups.map((g) => [g.label, g.companySize, g.industry, g.participantCount])).toEqual([
      ['10,001+ employees', 'EMPLOYEES_10001_PLUS', null, 5],
    ]);
    const version = bySize.version;
    const switched = await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[2].id] } }, big[0].token);
    expect(switched.errors).toBeUndefined();
    const afterSwitch = await breakdown(poll.id, 'COMPANY_SIZE');
    expect(afterSwitch.version).toBe(version);
    expect(afterSwitch.groups[0].options.map((o) => o.voteCount)).toEqual([5, 0, 0]);
    await t.gql(RETRACT_VOTE, { input: { pollId: poll.id } }, big[1].token);
    const afterRetract = await breakdown(poll.id, 'COMPANY_SIZE');
    expect(afterRetract.version).toBe(version + 1);
    expect(afterRetract.participantCount).toBe(4);
    expect(afterRetract.groups[0].participantCount).toBe(5);
  });

  it('hides everything from a viewer who may not see the tallies, exactly as Poll.results', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token, { resultsVisibility: 'ON_VOTE' });
    await voters(poll, 'Software', 5);
    const stranger = await t.signUp({ industry: 'Software' });
    const hidden = await breakdown(poll.id, 'INDUSTRY', stranger.token);
    expect(hidden).toMatchObject({ isHidden: true, groups: [], other: null, publishedParticipantCount: null, participantCount: 5 });
    expect(await breakdown(poll.id, 'INDUSTRY')).toMatchObject({ isHidden: true, groups: [] });
    expect(summary(await breakdown(poll.id, 'INDUSTRY', author.token))).toEqual({ groups: [['Software', 5]], other: null, published: 5 });
    await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[0].id] } }, stranger.token);
    expect(summary(await breakdown(poll.id, 'INDUSTRY', stranger.token))).toEqual({ groups: [['Software', 5]], other: null, published: 5 });
  });
});
