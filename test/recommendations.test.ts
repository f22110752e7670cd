/**
 * Query.recommendations (insights.graphql): exactly recommendedPosts' posts in its order, each with
 * its reason, the topics it shares with relatedTo (most used first, then by slug) and a one-line
 * explanation; the same errors and visibility as recommendedPosts; the topics read in one batch.
 * One server for the file, one set of posts whose topics overlap by design:
 *
 *   post  kind    topics                                             state     popularity
 *   S     thread  Remote Work, Leadership, Hiring, Budgets, Vendors,  visible   60 (3 upvotes)
 *                 AI, Agile
 *   A     thread  Vendors, Budgets, Hiring, Leadership, Remote Work   visible   0
 *   B     poll    Hiring, Remote Work, Leadership, Other              visible   0
 *   C     thread  AI, Agile, Other                                    visible   0
 *   D     thread  Budgets                                             visible   0
 *   E     poll    Other                                               visible   20 (1 upvote)
 *   F     thread  (none)                                              visible   0
 *   H     thread  Remote Work, Leadership, Hiring                     hidden    0
 *   R     poll    Remote Work                                         removed   0
 *   G     thread  Hiring                                              deleted   0
 *
 * Topic.postCount (removed and deleted posts are not counted, hidden ones are): Hiring 4,
 * Leadership 4, Remote Work 4, Budgets 3, Other 3, Vendors 2, AI 2, Agile 2. So Budgets comes
 * after Remote Work (more used) though its slug sorts first; "AI" sorts before "Agile" by name
 * (code points), "agile" before "ai" by slug: ties follow the slug.
 */
import { ADD_UPVOTE, CREATE_POLL, CREATE_THREAD, dbId, typed } from './helpers/documents';
import { DELETE_POST } from './helpers/delete-documents';
import { MODERATE, setRole } from './helpers/moderation-content-documents';
import { codesOf, GraphQLResponse, isSchedulerLookup, startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

describe('Query.recommendations', () => {
  let t: TestServer;
  let author: Member;
  let other: Member;
  let moderator: Member;
  const ids: Record<string, string> = {};

  const ok = <T>(result: GraphQLResponse<T>): T => {
    expect(result.errors).toBeUndefined();
    return result.data!;
  };

  beforeAll(async () => {
    t = await startTestServer();
    [author, other, moderator] = [await t.signUp(), await t.signUp(), await t.signUp()];
    const voters = [other, moderator, await t.signUp()];
    await setRole(t, moderator.id, 'MODERATOR');
    const thread = async (title: string, topics: string[]) =>
      ok(await t.gql(CREATE_THREAD, { input: { title, body: 'Details.', topics } }, author.token)).createThread.thread.id;
    const poll = async (title: string, topics: string[]) =>
      ok(await t.gql(CREATE_POLL, { input: { title, options: ['Yes', 'No'], topics } }, author.token)).createPoll.poll.id;

    ids.S = await thread('Subject', ['Remote Work', 'Leadership', 'Hiring', 'Budgets', 'Vendors', 'AI', 'Agile']);
    ids.A = await thread('Shares five', ['Vendors', 'Budgets', 'Hiring', 'Leadership', 'Remote Work']);
    ids.B = await poll('Shares three', ['Hiring', 'Remote Work', 'Leadership', 'Other']);
    ids.C = await thread('Shares two', ['AI', 'Agile', 'Other']);
    ids.D = await thread('Shares one', ['Budgets']);
    ids.E = await poll('Shares none, popular', ['Other']);
    ids.F = await thread('No topics', []);
    ids.H = await thread('Hidden', ['Remote Work', 'Leadership', 'Hiring']);
    ids.R = await poll('Removed', ['Remote Work']);
    ids.G = await thread('Deleted', ['Hiring']);
    for (const voter of voters) ok(await t.gql(ADD_UPVOTE, { input: { subjectId: ids.S } }, voter.token));
    ok(await t.gql(ADD_UPVOTE, { input: { subjectId: ids.E } }, other.token));
    ok(await t.gql(MODERATE, { input: { subjectId: ids.H, action: 'HIDE', reason: 'SPAM' } }, moderator.token));
    ok(await t.gql(MODERATE, { input: { subjectId: ids.R, action: 'REMOVE', reason: 'SPAM' } }, moderator.token));
    ok(await t.gql(DELETE_POST, { input: { postId: ids.G } }, author.token));
  });

  /** Both queries in one request: recommendations must list recommendedPosts' posts in its order. */
  const recommend = async (variables: Record<string, unknown>, token: string | null = null) => {
    const data = ok(await t.gql(RECOMMEND_BOTH, variables, token));
    expect(data.recommendations!.map((entry) => entry.post.id)).toEqual(data.recommendedPosts!.map((post) => post.id));
    return data.recommendations!;
  };
  /** Each entry as [post, reason, shared slugs, explanation], with the post named by its key in `ids`. */
  const described = (entries: RecommendationEntry[]) =>
    entries.map((entry) => [nameOf(entry.post.id), entry.reason, entry.sharedTopics.map((topic) => topic.slug), entry.explanation]);
  const nameOf = (id: string) => Object.keys(ids).find((key) => ids[key] === id) ?? id;
  const popular = (name: string) => [name, 'POPULAR', [], 'Popular in the community'];

  it('explains recommendedPosts for a thread: most shared topics first, then the most popular', async () => {
    const entries = await recommend({ relatedTo: ids.S, first: 20 });
    expect(described(entries)).toEqual([
      ['A', 'SHARED_TOPICS', ['hiring', 'leadership', 'remote-work', 'budgets', 'vendors'], 'Shares Hiring, Leadership, Remote Work and 2 more'],
      ['B', 'SHARED_TOPICS', ['hiring', 'leadership', 'remote-work'], 'Shares Hiring, Leadership and Remote Work'],
      ['C', 'SHARED_TOPICS', ['agile', 'ai'], 'Shares Agile and AI'],
      ['D', 'SHARED_TOPICS', ['budgets'], 'Shares Budgets'],
      popular('E'),
      popular('F'),
    ]);
    // The shared topics are whole Topic objects with their counts (the order's first key).
    expect(entries[0].sharedTopics.map((topic) => [topic.name, topic.postCount])).toEqual([
      ['Hiring', 4],
      ['Leadership', 4],
      ['Remote Work', 4],
      ['Budgets', 3],
      ['Vendors', 2],
    ]);
    expect(entries.map((entry) => entry.post.__typename)).toEqual(['Thread', 'Poll', 'Thread', 'Thread', 'Poll', 'Thread']);
    expect(entries[1].post.title).toBe('Shares three');
  });

  it('explains the recommendations of a poll', async () => {
    expect(described(await recommend({ relatedTo: ids.E, first: 20 }))).toEqual([
      ['C', 'SHARED_TOPICS', ['other'], 'Shares Other'],
      ['B', 'SHARED_TOPICS', ['other'], 'Shares Other'],
      popular('S'),
      popular('F'),
      popular('D'),
      popular('A'),
    ]);
  });

  it('gives 5 by default and takes first 1..20 like recommendedPosts', async () => {
    expect((await recommend({ relatedTo: ids.S })).map((entry) => nameOf(entry.post.id))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect((await recommend({ relatedTo: ids.S, first: null })).map((entry) => nameOf(entry.post.id))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(described(await recommend({ relatedTo: ids.S, first: 2 }))).toEqual([
      ['A', 'SHARED_TOPICS', ['hiring', 'leadership', 'remote-work', 'budgets', 'vendors'], 'Shares Hiring, Leadership, Remote Work and 2 more'],
      ['B', 'SHARED_TOPICS', ['hiring', 'leadership', 'remote-work'], 'Shares Hiring, Leadership and Remote Work'],
    ]);
  });

  it('recommends the most popular posts, each POPULAR with no shared topics, when relatedTo is omitted', async () => {
    expect(described(await recommend({ first: 20 }))).toEqual(['S', 'E', 'F', 'D', 'C', 'B', 'A'].map(popular));
    expect(described(await recommend({}))).toEqual(['S', 'E', 'F', 'D', 'C'].map(popular));
    expect(described(await recommend({ relatedTo: null }))).toEqual(['S', 'E', 'F', 'D', 'C'].map(popular));
  });

  it('answers anonymous viewers and members alike, and works from a hidden post', async () => {
    const anonymous = await recommend({ relatedTo: ids.S, first: 20 });
    for (const token of [other.token, author.token, moderator.token]) expect(await recommend({ relatedTo: ids.S, first: 20 }, token)).toEqual(anonymous);
    // A hidden post keeps its place and its topics (only its text is withheld); hidden posts are never recommended.
    const fromHidden = [
      ['S', 'SHARED_TOPICS', ['hiring', 'leadership', 'remote-work'], 'Shares Hiring, Leadership and Remote Work'],
      ['B', 'SHARED_TOPICS', ['hiring', 'leadership', 'remote-work'], 'Shares Hiring, Leadership and Remote Work'],
      ['A', 'SHARED_TOPICS', ['hiring', 'leadership', 'remote-work'], 'Shares Hiring, Leadership and Remote Work'],
      popular('E'),
      popular('F'),
      popular('D'),
      popular('C'),
    ];
    for (const token of [null, other.token]) expect(described(await recommend({ relatedTo: ids.H, first: 20 }, token))).toEqual(fromHidden);
  });

  it('is NOT_FOUND from a removed post, except for its author and moderators, like recommendedPosts', async () => {
    for (const token of [null, other.token]) {
      const result = await t.gql(RECOMMEND_BOTH, { relatedTo: ids.R }, token);
      expect(codesOf(result)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
      expect(result.data).toEqual({ recommendations: null, recommendedPosts: null });
    }
    const fromRemoved = [
      ['S', 'SHARED_TOPICS', ['remote-work'], 'Shares Remote Work'],
      ['B', 'SHARED_TOPICS', ['remote-work'], 'Shares Remote Work'],
      ['A', 'SHARED_TOPICS', ['remote-work'], 'Shares Remote Work'],
      popular('E'),
      popular('F'),
      popular('D'),
      popular('C'),
    ];
    for (const token of [author.token, moderator.token]) expect(described(await recommend({ relatedTo: ids.R, first: 20 }, token))).toEqual(fromRemoved);
  });

  it('is NOT_FOUND with data null when relatedTo names no post', async () => {
    for (const relatedTo of [ids.G, fromDbId('Thread', 999_999), fromDbId('Thread', dbId(ids.B)), author.id]) {
      const result = await t.gql(RECOMMEND, { relatedTo });
      expect(codesOf(result)).toEqual(['NOT_FOUND']);
      expect(result.errors![0].path).toEqual(['recommendations']);
      expect(result.errors![0].extensions.field).toBe('relatedTo');
      expect(result.data).toEqual({ recommendations: null });
    }
  });

  it('is BAD_USER_INPUT on "first" outside 1..20 and on a malformed relatedTo', async () => {
    for (const first of [0, 21, -1]) {
      const result = await t.gql(RECOMMEND, { relatedTo: ids.S, first });
      expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].extensions.field).toBe('first');
      expect(result.data).toEqual({ recommendations: null });
    }
    const malformed = await t.gql(RECOMMEND, { relatedTo: '!!!' });
    expect(codesOf(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors![0].extensions.field).toBe('relatedTo');
  });

  it('reads the topics of relatedTo and of every post in one statement, however many posts', async () => {
    const statementsFor = async (first: number) => {
      t.probe.queryLog.captured = [];
      // no-cache: the response cache would answer a repeat without any statement.
      const result = await t.gql(RECOMMEND_WITH_TOPICS, { relatedTo: ids.S, first }, null, { 'cache-control': 'no-cache' });
      // The poll-closing scheduler's look for due polls runs on its own timer: not this request's.
      const sent = t.probe.queryLog.captured.filter((sql) => !isSchedulerLookup(sql));
      t.probe.queryLog.captured = null;
      expect(ok(result).recommendations).toHaveLength(first);
      return { all: sent.length, topics: sent.filter((sql) => /\bpost_count\b/.test(sql)).length };
    };
    const one = await statementsFor(1);
    const six = await statementsFor(6);
    // The recommended posts (with relatedTo's check), then one batch of topics for sharedTopics and post.topics alike.
    expect(six).toEqual(one);
    expect(six.topics).toBe(1);
  });
});

function fromDbId(type: string, id: number): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

interface RecommendationEntry {
  post: { __typename: string; id: string; title: string };
  reason: 'SHARED_TOPICS' | 'POPULAR';
  sharedTopics: Array<{ id: string; slug: string; name: string; postCount: number }>;
  explanation: string;
}

const ENTRY_FIELDS = 'post { __typename id title } reason sharedTopics { id slug name postCount } explanation';

const RECOMMEND_BOTH = typed<{ recommendations: RecommendationEntry[] | null; recommendedPosts: Array<{ id: string }> | null }>(`
  query RecommendBoth($relatedTo: ID, $first: Int) {
    recommendations(relatedTo: $relatedTo, first: $first) { ${ENTRY_FIELDS} }
    recommendedPosts(relatedTo: $relatedTo, first: $first) { id }
  }
`);

const RECOMMEND = typed<{ recommendations: RecommendationEntry[] | null }>(`
  query Recommend($relatedTo: ID, $first: Int) { recommendations(relatedTo: $relatedTo, first: $first) { ${ENTRY_FIELDS} } }
`);

const RECOMMEND_WITH_TOPICS = typed<{ recommendations: Array<{ post: { id: string; topics: Array<{ slug: string }> } }> | null }>(`
  query RecommendWithTopics($relatedTo: ID, $first: Int) {
    recommendations(relatedTo: $relatedTo, first: $first) { post { id topics { slug } } sharedTopics { slug } explanation }
  }
`);
