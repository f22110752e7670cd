/** The demo community as a client sees it: the figures of its discussion page (DEMO_FIGURES: views, comments, participants). */
import { DEMO_ACCOUNT, DEMO_FIGURES } from '../src/demo/load-demo';
import { typed } from './helpers/documents';
import { startTestServer, TestServer } from './helpers/server';

describe('demo community', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ demo: true });
  });

  async function postTitled(title: string) {
    const found = await t.gql(FIND, { search: title.split(' ').slice(0, 6).join(' ') });
    const post = found.data!.posts.nodes.find((node) => node.title === title);
    expect(post).toBeDefined();
    return post!;
  }

  it('has the discussion thread: 463 views, 3 upvotes, 15 comments with bylines', async () => {
    const { id } = await postTitled(DEMO_FIGURES.discussionThreadTitle);
    const thread = (await t.gql(THREAD, { id })).data!.post;
    expect(thread).toMatchObject({ __typename: 'Thread', viewCount: 463, upvoteCount: 3, commentCount: 15 });
    const comments = thread.comments.nodes;
    const all = [...comments, ...comments.flatMap((c) => c.replies.nodes)];
    expect(all).toHaveLength(15);
    const bylines = all.map((c) => c.author.byline);
    for (const byline of bylines) expect(byline).toMatch(/^[^,]+(?: in [^,]+)?, (Self-employed|[\d,]+ - [\d,]+ employees|10,001\+ employees)$/);
    expect(bylines).toEqual(expect.arrayContaining(['Director of IT in Software, 201 - 500 employees']));
    const upvotes = all.map((c) => c.upvoteCount);
    expect(upvotes).toEqual(expect.arrayContaining([3, 1]));
    expect(all.some((c) => c.body.includes('\n\n'))).toBe(true);
  });

  it('has the return-to-office poll: six options, 203 participants, 42/32/13/10/1/2 percent', async () => {
    const { id } = await postTitled(DEMO_FIGURES.rtoPollTitle);
    const poll = (await t.gql(POLL, { id })).data!.post;
    expect(poll).toMatchObject({ __typename: 'Poll', viewCount: 1000, commentCount: 1, allowsMultipleChoices: false });
    expect(poll.options).toHaveLength(6);
    expect(poll.results).toMatchObject({ participantCount: 203, totalVotes: 203, isHidden: false });
    expect(poll.results.options.map((o) => o.percentage)).toEqual([42, 32, 13, 10, 1, 2]);
    expect(poll.results.options.map((o) => o.voteCount)).toEqual([85, 65, 26, 20, 2, 5]);
  });

  it('has the popular thread: at least 41,000 views, 131 upvotes, 319 comments', async () => {
    const { id } = await postTitled(DEMO_FIGURES.popularThreadTitle);
    const thread = (await t.gql(THREAD, { id })).data!.post;
    expect(thread.viewCount).toBeGreaterThanOrEqual(41000);
    expect(thread.upvoteCount).toBe(131);
    expect(thread.commentCount).toBe(319);
  });

  it('spreads threads and polls over several topics, with a multiple-choice poll and a hidden-results poll', async () => {
    const listing = (await t.gql(LISTING)).data!;
    expect(listing.threads.totalCount).toBeGreaterThanOrEqual(6);
    expect(listing.polls.totalCount).toBeGreaterThanOrEqual(4);
    expect(listing.topics.length).toBeGreaterThanOrEqual(5);
    const polls = listing.polls.nodes;
    expect(polls.some((p) => p.allowsMultipleChoices)).toBe(true);
    const hidden = polls.filter((p) => p.resultsVisibility !== 'ALWAYS' && !p.isClosed);
    expect(hidden.length).toBeGreaterThanOrEqual(1);
    // Anonymous readers do not see hidden tallies.
    for (const poll of hidden) expect(poll.results).toMatchObject({ isHidden: true, totalVotes: null });
  });

  it('shows the breakdowns of open polls as the rules leave them once their votes are in: every group of k or more, the rest in `other`', async () => {
    const answer = await t.gql<{
      posts: {
        nodes: Array<{
          isClosed: boolean;
          resultsVisibility: string;
          results: { participantCount: number };
          byIndustry: { publishedParticipantCount: number; groups: Array<{ participantCount: number }>; other: { participantCount: number } | null };
          bySize: { publishedParticipantCount: number; groups: Array<{ participantCount: number }>; other: { participantCount: number } | null };
        }>;
      };
    }>(`{ posts(kind: POLL, first: 100) { nodes { ... on Poll { isClosed resultsVisibility results { participantCount }
      byIndustry: resultsBreakdown(by: INDUSTRY) { publishedParticipantCount groups { participantCount } other { participantCount } }
      bySize: resultsBreakdown(by: COMPANY_SIZE) { publishedParticipantCount groups { participantCount } other { participantCount } } } } } }`);
    expect(answer.errors).toBeUndefined();
    const open = answer.data!.posts.nodes.filter((poll) => !poll.isClosed && poll.resultsVisibility === 'ALWAYS' && poll.results.participantCount >= 20);
    expect(open.length).toBeGreaterThanOrEqual(1);
    for (const poll of open) {
      for (const breakdown of [poll.byIndustry, poll.bySize]) {
        expect(breakdown.publishedParticipantCount).toBe(poll.results.participantCount);
        expect(breakdown.groups.length).toBeGreaterThanOrEqual(1);
        for (const group of breakdown.groups) expect(group.participantCount).toBeGreaterThanOrEqual(5);
        if (breakdown.other) expect(breakdown.other.participantCount).toBeGreaterThanOrEqual(5);
      }
    }
  });

  it('lets the documented demo account sign in', async () => {
    const login = await t.gql(
      typed<{ logIn: { member: { byline: string } } }>(`mutation ($input: LogInInput!) { logIn(input: $input) { member { byline } } }`),
      {
        input: DEMO_ACCOUNT,
      },
    );
    expect(login.data!.logIn.member.byline).toMatch(/, /);
  });

  it('recommends related content for the discussion thread, never the thread itself', async () => {
    const { id } = await postTitled(DEMO_FIGURES.discussionThreadTitle);
    const recommended = (
      await t.gql(typed<{ recommendedPosts: Array<{ id: string }> }>(`query ($id: ID!) { recommendedPosts(relatedTo: $id, first: 3) { id } }`), { id })
    ).data!.recommendedPosts;
    expect(recommended).toHaveLength(3);
    expect(recommended.map((p) => p.id)).not.toContain(id);
  });
});

const FIND = typed<{ posts: { nodes: Array<{ id: string; title: string }> } }>(
  `query ($search: String) { posts(search: $search, first: 10) { nodes { id title } } }`,
);
type DemoComment = { body: string; upvoteCount: number; author: { byline: string } };
const THREAD = typed<{
  post: {
    __typename: string;
    viewCount: number;
    upvoteCount: number;
    commentCount: number;
    comments: { nodes: Array<DemoComment & { replies: { nodes: DemoComment[] } }> };
  };
}>(`
  query ($id: ID!) {
    post(id: $id) {
      __typename viewCount upvoteCount commentCount
      comments(first: 100) { nodes { body upvoteCount author { byline } replies(first: 20) { nodes { body upvoteCount author { byline } } } } }
    }
  }
`);
const POLL = typed<{
  post: {
    __typename: string;
    viewCount: number;
    commentCount: number;
    allowsMultipleChoices: boolean;
    options: Array<{ label: string }>;
    results: {
      participantCount: number;
      totalVotes: number | null;
      isHidden: boolean;
      options: Array<{ voteCount: number | null; percentage: number | null }>;
    };
  };
}>(`
  query ($id: ID!) {
    post(id: $id) {
      __typename viewCount commentCount
      ... on Poll { allowsMultipleChoices options { label } results { participantCount totalVotes isHidden options { voteCount percentage } } }
    }
  }
`);
const LISTING = typed<{
  threads: { totalCount: number };
  polls: {
    totalCount: number;
    nodes: Array<{
      allowsMultipleChoices: boolean;
      resultsVisibility: string;
      isClosed: boolean;
      results: { isHidden: boolean; totalVotes: number | null };
    }>;
  };
  topics: Array<{ slug: string; postCount: number }>;
}>(`
  {
    threads: posts(kind: THREAD, first: 100) { totalCount }
    polls: posts(kind: POLL, first: 100) {
      totalCount
      nodes { ... on Poll { allowsMultipleChoices resultsVisibility isClosed results { isHidden totalVotes } } }
    }
    topics { slug postCount }
  }
`);
