import { ADD_COMMENT, ADD_UPVOTE, dbId, RECORD_VIEW, typed } from './helpers/documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

/**
 * Threads, topics, the posts list (orders, pagination, filters, search) and
 * recommendations, driven over HTTP as a client would. One server for the
 * file: each describe builds its own posts and asserts on them (or on the
 * whole list, read back in one page, where other describes' posts mix in).
 */
describe('posts, topics and lists', () => {
  let t: TestServer;
  let author: { token: string; id: string };
  let voters: Array<{ token: string; id: string }>;

  beforeAll(async () => {
    // TRUST_PROXY: anonymous views count once per client address and post, so view() sends each from its own address.
    t = await startTestServer({ env: { TRUST_PROXY: '1' } });
    author = await t.signUp();
    voters = [await t.signUp(), await t.signUp(), await t.signUp()];
  });

  const createThread = async (input: Record<string, unknown>, token = author.token) => {
    const result = await t.gql(CREATE_THREAD_WITH_FIELDS, { input: { body: 'Some details.', ...input } }, token);
    if (!result.data?.createThread) throw new Error(`createThread failed: ${JSON.stringify(result.errors)}`);
    return result.data.createThread.thread;
  };
  const createPoll = async (input: Record<string, unknown>, token = author.token) => {
    const result = await t.gql(CREATE_POLL_WITH_TOPICS, { input: { options: ['Yes', 'No'], ...input } }, token);
    if (!result.data?.createPoll) throw new Error(`createPoll failed: ${JSON.stringify(result.errors)}`);
    return result.data.createPoll.poll;
  };
  const ok = <T>(result: GraphQLResponse<T>): T => {
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const upvote = async (postId: string, count: number) => {
    for (const voter of voters.slice(0, count)) ok(await t.gql(ADD_UPVOTE, { input: { subjectId: postId } }, voter.token));
  };
  const view = async (postId: string, count: number) => {
    // Anonymous views count once per address and post: each comes from another address.
    for (let i = 0; i < count; i++) ok(await t.gql(RECORD_VIEW, { input: { postId } }, null, { 'x-forwarded-for': `10.0.0.${i + 1}` }));
  };
  const comment = async (postId: string, count: number) => {
    for (let i = 0; i < count; i++) ok(await t.gql(ADD_COMMENT, { input: { postId, body: `Comment ${i}` } }, voters[0].token));
  };
  const allPosts = async (variables: Record<string, unknown> = {}) => ok(await t.gql(POSTS_PAGE, { first: 100, ...variables })).posts;

  describe('createThread', () => {
    it('needs a signed-in member', async () => {
      const result = await t.gql(CREATE_THREAD_WITH_FIELDS, { input: { title: 'Anonymous?', body: 'No.' } });
      expect(codesOf(result)).toEqual(['UNAUTHENTICATED']);
      expect(result.data?.createThread ?? null).toBeNull();
    });

    it('returns the thread with its byline, topics, createdAt, zero counters and its own stats id', async () => {
      const before = Date.now();
      const result = await t.gql(
        CREATE_THREAD_WITH_FIELDS,
        { input: { title: '  How do you run on-call rotations?  ', body: 'First paragraph.\n\n\tSecond one.  ', topics: ['Site Reliability', 'On-Call'] } },
        author.token,
      );
      const thread = ok(result).createThread.thread;
      expect(thread).toMatchObject({
        __typename: 'Thread',
        title: 'How do you run on-call rotations?',
        body: 'First paragraph.\n\n\tSecond one.',
        viewCount: 0,
        upvoteCount: 0,
        commentCount: 0,
        viewerHasUpvoted: false,
        author: { id: author.id, byline: 'Director of IT in Software, 201 - 500 employees' },
        comments: { totalCount: 0 },
      });
      expect(thread.topics.map((topic) => [topic.slug, topic.name, topic.postCount]).sort()).toEqual([
        ['on-call', 'On-Call', 1],
        ['site-reliability', 'Site Reliability', 1],
      ]);
      const createdAt = Date.parse(thread.createdAt);
      expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
      expect(createdAt).toBeLessThanOrEqual(Date.now() + 1000);
      expect(thread.createdAt).toMatch(/Z$/);
      expect(thread.stats).toEqual({ id: expect.any(String), postId: thread.id, viewCount: 0, upvoteCount: 0, commentCount: 0 });
      expect(thread.stats.id).not.toBe(thread.id);

      // The post reads back the same way.
      const read = ok(await t.gql(`query ($id: ID!) { post(id: $id) { id title author { byline } } }`, { id: thread.id }));
      expect(read.post).toEqual({ id: thread.id, title: thread.title, author: { byline: thread.author.byline } });
    });

    it('counts lengths in characters and accepts the limits exactly', async () => {
      const thread = await createThread({ title: `  ${'😀'.repeat(300)}  `, body: 'é'.repeat(20_000), topics: ['x'.repeat(50)] });
      expect([...thread.title]).toHaveLength(300);
      expect(thread.body).toHaveLength(20_000);
      expect(thread.topics).toHaveLength(1);
      const ten = await createThread({ title: 'Ten topics', topics: Array.from({ length: 10 }, (_, i) => `Limit Topic ${i}`) });
      expect(ten.topics).toHaveLength(10);
      expect((await createThread({ title: 'No topics', topics: null })).topics).toEqual([]);
      expect((await createThread({ title: 'Empty topics', topics: [] })).topics).toEqual([]);
    });

    it.each([
      ['input.title', { title: '   ' }],
      ['input.title', { title: '' }],
      ['input.title', { title: 'x'.repeat(301) }],
      ['input.title', { title: '😀'.repeat(301) }],
      ['input.title', { title: 'Two\nlines' }],
      ['input.title', { title: 'A\ttab' }],
      ['input.title', { title: 'Bell\u0007' }],
      ['input.body', { body: '' }],
      ['input.body', { body: ' \n\t ' }],
      ['input.body', { body: 'y'.repeat(20_001) }],
      ['input.body', { body: 'Null\u0000byte' }],
      ['input.body', { body: 'Escape\u001b[31m' }],
      ['input.body', { body: 'Delete\u007f' }],
      ['input.topics', { topics: Array.from({ length: 11 }, (_, i) => `Too Many ${i}`) }],
      ['input.topics[0]', { topics: [''] }],
      ['input.topics[1]', { topics: ['Fine', '   '] }],
      ['input.topics[1]', { topics: ['Fine', 'z'.repeat(51)] }],
      ['input.topics[1]', { topics: ['Fine', '!!!'] }],
      ['input.topics[2]', { topics: ['Fine', 'Also fine', '— · —'] }],
      ['input.topics[0]', { topics: ['Line\nbreak'] }],
    ])('refuses invalid input on %s', async (field, change) => {
      const countPosts = async () => ok(await t.gql(`{ posts(first: 1) { totalCount } }`)).posts.totalCount;
      const before = await countPosts();
      const result = await t.gql(CREATE_THREAD_WITH_FIELDS, { input: { title: 'A valid title', body: 'A valid body.', ...change } }, author.token);
      expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].extensions!.field).toBe(field);
      expect(result.data?.createThread ?? null).toBeNull();
      // Refused before any write: no post, no topic.
      expect(await countPosts()).toBe(before);
      expect(ok(await t.gql(TOPIC, { slug: 'fine' })).topic).toBeNull();
    });

    it('collapses topic names that differ only in case, spacing or punctuation', async () => {
      const thread = await createThread({ title: 'Duplicates', topics: ['Hybrid Work', 'hybrid  work', ' HYBRID-WORK ', 'Hybrid_Work!'] });
      expect(thread.topics).toEqual([{ id: expect.any(String), slug: 'hybrid-work', name: 'Hybrid Work', postCount: 1 }]);
      const again = await createThread({ title: 'Same topic, other spelling', topics: ['hybrid work'] });
      expect(again.topics).toEqual([{ id: thread.topics[0].id, slug: 'hybrid-work', name: 'Hybrid Work', postCount: 2 }]);
    });

    it('accepts 11 names that collapse to 10 topics', async () => {
      const names = Array.from({ length: 10 }, (_, i) => `Collapse ${i}`);
      const thread = await createThread({ title: 'Collapsed', topics: [...names, 'collapse 0'] });
      expect(thread.topics).toHaveLength(10);
    });
  });

  describe('topics', () => {
    let topicIds: Record<string, string>;
    beforeAll(async () => {
      await createThread({ title: 'Remote 1', topics: ['Remote Work', 'Team Rituals'] });
      await createThread({ title: 'Remote 2', topics: ['remote work'] });
      await createPoll({ title: 'Remote 3', topics: ['REMOTE WORK', 'Team Rituals', 'Office Space'] });
      await createPoll({ title: 'Remote 4', topics: ['Remote   Work'] });
      const list = ok(await t.gql(TOPICS)).topics;
      topicIds = Object.fromEntries(list.map((topic) => [topic.slug, topic.id]));
    });

    it('creates topics on first use with a slug from the name, and counts their posts', async () => {
      const remote = ok(await t.gql(TOPIC, { slug: 'remote-work' })).topic;
      expect(remote).toEqual({ __typename: 'Topic', id: topicIds['remote-work'], slug: 'remote-work', name: 'Remote Work', postCount: 4 });
      expect(ok(await t.gql(TOPIC, { slug: 'team-rituals' })).topic).toMatchObject({ name: 'Team Rituals', postCount: 2 });
      expect(ok(await t.gql(TOPIC, { slug: 'office-space' })).topic).toMatchObject({ name: 'Office Space', postCount: 1 });
      // postCount is the number of posts listed under the topic.
      const listed = await allPosts({ topicSlug: 'remote-work' });
      expect(listed.totalCount).toBe(4);
      expect(listed.edges.map((edge) => edge.node.title).sort()).toEqual(['Remote 1', 'Remote 2', 'Remote 3', 'Remote 4']);
    });

    it('lists topics most used first', async () => {
      const list = ok(await t.gql(TOPICS)).topics;
      const counts = list.map((topic) => topic.postCount);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
      expect(list[0].slug).toBe('remote-work');
      const slugs = list.map((topic) => topic.slug);
      expect(slugs.indexOf('team-rituals')).toBeLessThan(slugs.indexOf('office-space'));
      expect(new Set(slugs).size).toBe(slugs.length);
    });

    it('finds a topic by slug, null for an unknown one, and by node id', async () => {
      expect(ok(await t.gql(TOPIC, { slug: 'no-such-topic' })).topic).toBeNull();
      const node = ok(await t.gql(NODE_TOPIC, { id: topicIds['remote-work'] })).node;
      expect(node).toEqual({ __typename: 'Topic', id: topicIds['remote-work'], slug: 'remote-work', name: 'Remote Work', postCount: 4 });
    });

    it('creates a new topic once when several posts name it at the same time', async () => {
      const created = await Promise.all(
        Array.from({ length: 6 }, (_, i) => createThread({ title: `Concurrent ${i}`, topics: [i % 2 ? 'Platform Teams' : 'platform  teams'] })),
      );
      expect(new Set(created.map((thread) => thread.topics[0].id)).size).toBe(1);
      expect(ok(await t.gql(TOPIC, { slug: 'platform-teams' })).topic).toMatchObject({ postCount: 6 });
      const slugs = ok(await t.gql(TOPICS)).topics.map((topic) => topic.slug);
      expect(slugs.filter((slug: string) => slug === 'platform-teams')).toHaveLength(1);
    });
  });

  describe('posts list: orders and pagination', () => {
    // Per post, in creation order: upvotes (by distinct members), anonymous views, comments.
    const UPVOTES = [0, 3, 1, 0, 2, 0, 1, 3, 0, 0, 2, 1, 0, 0, 1, 0, 2, 0, 0, 3, 0, 1, 0, 0];
    const VIEWS = [2, 0, 5, 1, 0, 0, 3, 1, 0, 4, 0, 0, 1, 0, 0, 2, 0, 6, 0, 0, 1, 0, 0, 3];
    const COMMENTS = [0, 1, 0, 2, 0, 0, 1, 0, 3, 0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0];

    beforeAll(async () => {
      for (let i = 0; i < UPVOTES.length; i++) {
        const post =
          i % 3 === 2
            ? await createPoll({ title: `List poll ${i}`, topics: ['Listing'] })
            : await createThread({ title: `List thread ${i}`, topics: ['Listing'] });
        await upvote(post.id, UPVOTES[i]);
        await view(post.id, VIEWS[i]);
        await comment(post.id, COMMENTS[i]);
      }
    });

    /** Walks every page of one list and checks each page's PageInfo on the way. */
    const walk = async (orderBy: string, first: number, filters: Record<string, unknown> = {}) => {
      const nodes: PostNode[] = [];
      let after: string | null = null;
      let totalCount: number | null = null;
      for (let pages = 0; ; pages++) {
        if (pages > 100) throw new Error('the walk does not end');
        const posts: PostsPage['posts'] = ok(await t.gql(POSTS_PAGE, { first, after, orderBy, ...filters })).posts;
        const { edges, pageInfo } = posts;
        totalCount ??= posts.totalCount;
        expect(posts.totalCount).toBe(totalCount);
        expect(posts.nodes.map((node) => node.id)).toEqual(edges.map((edge) => edge.node.id));
        expect(pageInfo.hasPreviousPage).toBe(after !== null);
        expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
        expect(pageInfo.endCursor).toBe(edges[edges.length - 1]?.cursor ?? null);
        if (totalCount! > 0) expect(edges.length).toBeGreaterThan(0);
        nodes.push(...edges.map((edge) => edge.node));
        if (!pageInfo.hasNextPage) break;
        expect(edges).toHaveLength(first);
        after = pageInfo.endCursor;
      }
      const ids = nodes.map((node) => node.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(totalCount!);
      return nodes;
    };

    const ORDER_KEYS: Record<string, (node: PostNode, now: number) => number> = {
      NEWEST: (node) => Date.parse(node.createdAt),
      MOST_UPVOTED: (node) => node.upvoteCount,
      MOST_VIEWED: (node) => node.viewCount,
      MOST_DISCUSSED: (node) => node.commentCount,
      TRENDING: (node, now) => trendingScore(node, now),
    };

    /** Sorted by the order's key, descending; equal keys by newest (highest) id. */
    const expectOrdered = (nodes: PostNode[], orderBy: string) => {
      const now = Date.now();
      for (let i = 1; i < nodes.length; i++) {
        const [a, b] = [ORDER_KEYS[orderBy](nodes[i - 1], now), ORDER_KEYS[orderBy](nodes[i], now)];
        expect(a).toBeGreaterThanOrEqual(b);
        if (a === b) expect(dbId(nodes[i - 1].id)).toBeGreaterThan(dbId(nodes[i].id));
      }
    };

    it('shows the counters the mutations produced', async () => {
      const listed = (await allPosts({ topicSlug: 'listing', orderBy: 'NEWEST' })).edges.map((edge) => edge.node).reverse();
      expect(listed.map((node) => node.upvoteCount)).toEqual(UPVOTES);
      expect(listed.map((node) => node.viewCount)).toEqual(VIEWS);
      expect(listed.map((node) => node.commentCount)).toEqual(COMMENTS);
      expect(listed.map((node) => node.__typename)).toEqual(UPVOTES.map((_, i) => (i % 3 === 2 ? 'Poll' : 'Thread')));
    });

    it('is one list of threads and polls', async () => {
      const all = await allPosts();
      const kinds = new Set(all.edges.map((edge) => edge.node.__typename));
      expect(kinds).toEqual(new Set(['Thread', 'Poll']));
      expect(all.totalCount).toBe(all.edges.length);
      expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
      // NEWEST is the default order.
      const byDefault = ok(await t.gql(typed<{ posts: { edges: Array<{ node: { id: string } }> } }>(`{ posts(first: 100) { edges { node { id } } } }`))).posts
        .edges;
      expect(byDefault.map((edge) => edge.node.id)).toEqual(all.edges.map((edge) => edge.node.id));
    });

    it.each(['NEWEST', 'MOST_UPVOTED', 'MOST_VIEWED', 'MOST_DISCUSSED', 'TRENDING'])(
      'walks every page of %s with first 2 and 3: each post once, none missing, in order',
      async (orderBy) => {
        const oneRead = await allPosts({ orderBy });
        expect(oneRead.totalCount).toBe(oneRead.edges.length);
        expect(oneRead.totalCount).toBeGreaterThan(24);
        const expected = oneRead.edges.map((edge) => edge.node.id);
        for (const first of [2, 3]) {
          const walked = await walk(orderBy, first);
          expect(walked.map((node) => node.id)).toEqual(expected);
          expectOrdered(walked, orderBy);
        }
      },
    );

    it('really orders by the counters, not by age', async () => {
      const titles = async (orderBy: string) => (await allPosts({ orderBy, topicSlug: 'listing' })).edges.map((edge) => edge.node.title);
      // The most upvoted (3 each) come first, newest of them first.
      expect((await titles('MOST_UPVOTED')).slice(0, 3)).toEqual(['List thread 19', 'List thread 7', 'List thread 1']);
      expect((await titles('MOST_VIEWED')).slice(0, 3)).toEqual(['List poll 17', 'List poll 2', 'List thread 9']);
      expect((await titles('MOST_DISCUSSED')).slice(0, 2)).toEqual(['List poll 8', 'List thread 22']);
      // TRENDING weighs 3 per upvote, 2 per comment, 1/100 per view (+1): thread 1 (3 upvotes, 1 comment)
      // scores 12, thread 7 (3 upvotes, 1 view) 10.01, thread 19 (3 upvotes) 10; at equal scores, newest first.
      const trending = await titles('TRENDING');
      expect(trending.slice(0, 3)).toEqual(['List thread 1', 'List thread 7', 'List thread 19']);
      expect(trending.slice(3, 7)).toEqual(['List thread 16', 'List thread 10', 'List poll 8', 'List thread 4']);
    });

    it('walks a filtered list the same way', async () => {
      for (const orderBy of ['NEWEST', 'MOST_UPVOTED', 'TRENDING']) {
        const polls = await walk(orderBy, 2, { kind: 'POLL' });
        expect(polls.length).toBeGreaterThanOrEqual(8);
        expect(polls.every((node) => node.__typename === 'Poll')).toBe(true);
        expectOrdered(polls, orderBy);
        const listing = await walk(orderBy, 3, { topicSlug: 'listing' });
        expect(listing).toHaveLength(24);
        expectOrdered(listing, orderBy);
      }
    });

    it('ends with hasNextPage false on a full last page', async () => {
      // 24 posts in "listing": 8 pages of 3, the 8th is full and the last.
      const page = async (after: string | null) => ok(await t.gql(POSTS_PAGE, { first: 3, after, topicSlug: 'listing' })).posts;
      let current = await page(null);
      let pages = 1;
      while (current.pageInfo.hasNextPage) {
        current = await page(current.pageInfo.endCursor);
        pages++;
      }
      expect(pages).toBe(8);
      expect(current.edges).toHaveLength(3);
      const exact = ok(await t.gql(POSTS_PAGE, { first: 24, topicSlug: 'listing' })).posts;
      expect(exact.pageInfo.hasNextPage).toBe(false);
      expect(exact.edges).toHaveLength(24);
    });

    it('defaults first to 20, also for an explicit null', async () => {
      const total = (await allPosts()).totalCount;
      expect(total).toBeGreaterThan(20);
      for (const variables of [{}, { first: null }, { first: null, orderBy: null }]) {
        const posts = ok(await t.gql(POSTS_PAGE, variables)).posts;
        expect(posts.edges).toHaveLength(20);
        expect(posts.pageInfo.hasNextPage).toBe(true);
      }
      expect(ok(await t.gql(`{ posts(first: null) { edges { cursor } } }`)).posts.edges).toHaveLength(20);
    });

    it.each([0, 101, -1])('refuses first: %p on field "first"', async (first) => {
      const result = await t.gql(POSTS_PAGE, { first });
      expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].extensions!.field).toBe('first');
    });

    it('refuses a garbage cursor and a cursor of another order on field "after"', async () => {
      const newest = ok(await t.gql(POSTS_PAGE, { first: 2, orderBy: 'NEWEST' })).posts.pageInfo.endCursor!;
      const trending = ok(await t.gql(POSTS_PAGE, { first: 2, orderBy: 'TRENDING' })).posts.pageInfo.endCursor!;
      const cases: Array<[string, string]> = [
        ['garbage!!', 'NEWEST'],
        ['', 'NEWEST'],
        [Buffer.from('not json').toString('base64url'), 'NEWEST'],
        [Buffer.from(JSON.stringify({ o: 'NEWEST', k: ['x'] })).toString('base64url'), 'NEWEST'],
        [newest, 'MOST_UPVOTED'],
        [newest, 'TRENDING'],
        [trending, 'NEWEST'],
        [trending, 'MOST_VIEWED'],
      ];
      for (const [after, orderBy] of cases) {
        const result = await t.gql(POSTS_PAGE, { first: 2, after, orderBy });
        expect([after, orderBy, codesOf(result)]).toEqual([after, orderBy, ['BAD_USER_INPUT']]);
        expect(result.errors![0].extensions!.field).toBe('after');
      }
    });

    it('filters by kind with a matching totalCount', async () => {
      const all = (await allPosts()).edges.map((edge) => edge.node);
      for (const [kind, typename] of [
        ['THREAD', 'Thread'],
        ['POLL', 'Poll'],
      ]) {
        const filtered = await allPosts({ kind });
        const expected = all.filter((node) => node.__typename === typename).map((node) => node.id);
        expect(filtered.edges.map((edge) => edge.node.id)).toEqual(expected);
        expect(filtered.totalCount).toBe(expected.length);
      }
    });

    it('filters by topic; an unknown slug is an empty list', async () => {
      const listing = await allPosts({ topicSlug: 'listing', kind: 'POLL' });
      expect(listing.totalCount).toBe(8);
      expect(listing.edges.every((edge) => edge.node.topics.some((topic) => topic.slug === 'listing'))).toBe(true);
      const none = ok(await t.gql(POSTS_PAGE, { topicSlug: 'no-such-topic' })).posts;
      expect(none).toEqual({
        totalCount: 0,
        edges: [],
        nodes: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      });
    });
  });

  describe('posts search', () => {
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      ids.multicloud = (await createThread({ title: 'Moving to Multicloud', body: 'We run Kubernetes on two providers.', topics: ['Cloud Strategy'] })).id;
      ids.budget = (await createThread({ title: 'Budget planning', body: 'Is 100% of budget_total spent on KUBERNETES licences?' })).id;
      ids.vendor = (
        await createPoll({
          title: 'Which vendor?',
          description: 'Picking a kubernetes distribution',
          options: ['OpenShift', 'Rancher'],
          topics: ['Cloud Strategy'],
        })
      ).id;
      ids.office = (await createPoll({ title: 'Office days', options: ['Zebrafish Tuesdays', 'Never'] })).id;
      ids.unicode = (await createThread({ title: 'Über die Zuverlässigkeit', body: 'ΣΥΣΤΗΜΑ' })).id;
    });

    const search = async (variables: Record<string, unknown>) => {
      const posts = await allPosts(variables);
      const found = posts.edges.map((edge) => edge.node.id);
      expect(posts.totalCount).toBe(found.length);
      return found.sort();
    };
    const idsOf = (...names: string[]) => names.map((name) => ids[name]).sort();

    it.each([
      ['cloud', ['multicloud']],
      ['MULTICLOUD', ['multicloud']],
      ['kubernetes', ['multicloud', 'budget', 'vendor']],
      ['Kubernetes multicloud', ['multicloud']],
      ['  multicloud   KUBERNETES ', ['multicloud']],
      ['kubernetes zebrafish', []],
      ['rancher', ['vendor']],
      ['distribution', ['vendor']],
      ['zebra tues', ['office']],
      ['100%', ['budget']],
      ['%', ['budget']],
      ['_', ['budget']],
      ['get_tot', ['budget']],
      ['budget%total', []],
      ['o_e', []],
      ['%zebrafish', []],
      ['ÜBER zuverläss', ['unicode']],
      ['συστημα', ['unicode']],
    ])('search %p finds %p', async (text, expected) => {
      expect(await search({ search: text })).toEqual(idsOf(...expected));
    });

    it('combines search with kind and topic', async () => {
      expect(await search({ search: 'kubernetes', kind: 'POLL' })).toEqual(idsOf('vendor'));
      expect(await search({ search: 'kubernetes', kind: 'THREAD' })).toEqual(idsOf('multicloud', 'budget'));
      expect(await search({ search: 'kubernetes', topicSlug: 'cloud-strategy' })).toEqual(idsOf('multicloud', 'vendor'));
      expect(await search({ search: 'kubernetes', topicSlug: 'cloud-strategy', kind: 'THREAD' })).toEqual(idsOf('multicloud'));
      expect(await search({ search: 'rancher', kind: 'THREAD' })).toEqual([]);
    });

    it('refuses more than 10 words, or control characters, on field "search"', async () => {
      expect(await search({ search: Array.from({ length: 10 }, (_, i) => `word${i}`).join(' ') })).toEqual([]);
      for (const text of [Array.from({ length: 11 }, (_, i) => `word${i}`).join(' '), 'bell\u0007', 'w'.repeat(201)]) {
        const result = await t.gql(POSTS_PAGE, { search: text });
        expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
        expect(result.errors![0].extensions!.field).toBe('search');
      }
    });

    it('keeps the order and pages of a search', async () => {
      const page = ok(await t.gql(POSTS_PAGE, { search: 'kubernetes', first: 2, orderBy: 'NEWEST' })).posts;
      expect(page.totalCount).toBe(3);
      expect(page.edges.map((edge) => edge.node.id)).toEqual([ids.vendor, ids.budget]);
      const next = ok(await t.gql(POSTS_PAGE, { search: 'kubernetes', first: 2, orderBy: 'NEWEST', after: page.pageInfo.endCursor })).posts;
      expect(next.edges.map((edge) => edge.node.id)).toEqual([ids.multicloud]);
      expect(next.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    });
  });

  describe('recommendedPosts', () => {
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      ids.subject = (await createThread({ title: 'Rec subject', topics: ['Rec Alpha', 'Rec Beta', 'Rec Gamma'] })).id;
      ids.three = (await createPoll({ title: 'Rec three shared', topics: ['Rec Gamma', 'Rec Beta', 'Rec Alpha', 'Rec Other'] })).id;
      ids.two = (await createThread({ title: 'Rec two shared', topics: ['Rec Alpha', 'Rec Beta'] })).id;
      ids.onePopular = (await createThread({ title: 'Rec one shared, popular', topics: ['Rec Alpha'] })).id;
      ids.oneQuiet = (await createThread({ title: 'Rec one shared, quiet', topics: ['Rec Gamma'] })).id;
      ids.nonePopular = (await createPoll({ title: 'Rec none shared, very popular', topics: ['Rec Other'] })).id;
      await upvote(ids.onePopular, 1); // popularity 20
      await view(ids.oneQuiet, 3); // popularity 3
      await upvote(ids.nonePopular, 3); // popularity 60 + 40 + 10 = 110, the most popular post of the file
      await comment(ids.nonePopular, 4);
      await view(ids.nonePopular, 10);
      await upvote(ids.subject, 3); // popularity 60 + 40 + 6 = 106, yet never recommended for itself
      await comment(ids.subject, 4);
      await view(ids.subject, 6);
    });

    const popularity = (node: PostNode) => 20 * node.upvoteCount + 10 * node.commentCount + node.viewCount;

    it('puts posts sharing the most topics first, then the most popular, never the post itself', async () => {
      const result = ok(await t.gql(RECOMMENDED, { relatedTo: ids.subject, first: 20 })).recommendedPosts;
      expect(result).toHaveLength(20);
      expect(result.map((node) => node.id).slice(0, 5)).toEqual([ids.three, ids.two, ids.onePopular, ids.oneQuiet, ids.nonePopular]);
      expect(result.map((node) => node.id)).not.toContain(ids.subject);
      expect(new Set(result.map((node) => node.id)).size).toBe(20);
      const subjectTopics = new Set(['rec-alpha', 'rec-beta', 'rec-gamma']);
      const shared = (node: PostNode) => node.topics.filter((topic) => subjectTopics.has(topic.slug)).length;
      for (let i = 1; i < result.length; i++) {
        const [a, b] = [result[i - 1], result[i]];
        expect(shared(a)).toBeGreaterThanOrEqual(shared(b));
        if (shared(a) === shared(b)) expect(popularity(a)).toBeGreaterThanOrEqual(popularity(b));
      }
    });

    it('recommends popular posts without relatedTo, 5 by default', async () => {
      const result = ok(await t.gql(RECOMMENDED, {})).recommendedPosts;
      expect(result).toHaveLength(5);
      expect(result[0].id).toBe(ids.nonePopular);
      expect(result[1].id).toBe(ids.subject);
      const all = (await allPosts()).edges.map((edge) => popularity(edge.node)).sort((a: number, b: number) => b - a);
      expect(result.map(popularity)).toEqual(all.slice(0, 5));
      const nulled = ok(await t.gql(RECOMMENDED, { relatedTo: null, first: null })).recommendedPosts;
      expect(nulled.map((node) => node.id)).toEqual(result.map((node) => node.id));
    });

    it('answers with the related posts of a poll too, and takes first up to 20', async () => {
      const result = ok(await t.gql(RECOMMENDED, { relatedTo: ids.three, first: 1 })).recommendedPosts;
      expect(result.map((node) => node.id)).toEqual([ids.subject]);
    });

    it('is NOT_FOUND for an id naming no post, BAD_USER_INPUT for a malformed one or a bad first', async () => {
      const thread = fromDbId('Thread', 999_999);
      const pollAsThread = fromDbId('Thread', dbId(ids.three));
      for (const relatedTo of [thread, pollAsThread, author.id]) {
        const result = await t.gql(RECOMMENDED, { relatedTo });
        expect(codesOf(result)).toEqual(['NOT_FOUND']);
        expect(result.data?.recommendedPosts ?? null).toBeNull();
      }
      const malformed = await t.gql(RECOMMENDED, { relatedTo: '!!!' });
      expect(codesOf(malformed)).toEqual(['BAD_USER_INPUT']);
      expect(malformed.errors![0].extensions!.field).toBe('relatedTo');
      for (const first of [0, 21, -1]) {
        const result = await t.gql(RECOMMENDED, { relatedTo: ids.subject, first });
        expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
        expect(result.errors![0].extensions!.field).toBe('first');
      }
    });
  });
});

/** The README's TRENDING score, from a post's counters and age at `now`. */
function trendingScore(node: { upvoteCount: number; commentCount: number; viewCount: number; createdAt: string }, now: number): number {
  const ageHours = Math.max(0, (now - Date.parse(node.createdAt)) / 3_600_000);
  return (3 * node.upvoteCount + 2 * node.commentCount + node.viewCount / 100 + 1) / (1 + ageHours / 24);
}

function fromDbId(type: string, id: number): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/** A post as POST_FIELDS selects it. */
interface PostNode {
  __typename: string;
  id: string;
  title: string;
  createdAt: string;
  upvoteCount: number;
  viewCount: number;
  commentCount: number;
  topics: Array<{ slug: string }>;
}
interface PostsPage {
  posts: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    edges: Array<{ cursor: string; node: PostNode }>;
    nodes: Array<{ id: string }>;
  };
}
type TopicRow = { id: string; slug: string; name: string; postCount: number };
interface CreatedThread {
  __typename: string;
  id: string;
  title: string;
  body: string;
  createdAt: string;
  viewCount: number;
  upvoteCount: number;
  commentCount: number;
  viewerHasUpvoted: boolean;
  author: { id: string; byline: string };
  topics: TopicRow[];
  stats: { id: string; postId: string; viewCount: number; upvoteCount: number; commentCount: number };
  comments: { totalCount: number };
}
const POST_FIELDS = `
  fragment PostFields on Post {
    __typename id title createdAt upvoteCount viewCount commentCount
    topics { slug }
  }`;
const CREATE_THREAD_WITH_FIELDS = typed<{ createThread: { thread: CreatedThread } }>(`
  mutation CreateThread($input: CreateThreadInput!) {
    createThread(input: $input) {
      thread {
        __typename id title body createdAt viewCount upvoteCount commentCount viewerHasUpvoted
        author { id byline }
        topics { id slug name postCount }
        stats { id postId viewCount upvoteCount commentCount }
        comments { totalCount }
      }
    }
  }`);
const CREATE_POLL_WITH_TOPICS = typed<{
  createPoll: { poll: { id: string; title: string; options: Array<{ id: string; label: string }>; topics: Array<{ slug: string }> } };
}>(`
  mutation CreatePoll($input: CreatePollInput!) {
    createPoll(input: $input) { poll { id title options { id label } topics { slug } } }
  }`);
const POSTS_PAGE = typed<PostsPage>(`
  query Posts($first: Int, $after: String, $orderBy: PostOrder, $kind: PostKind, $topicSlug: String, $search: String) {
    posts(first: $first, after: $after, orderBy: $orderBy, kind: $kind, topicSlug: $topicSlug, search: $search) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ...PostFields } }
      nodes { id }
    }
  }
  ${POST_FIELDS}`);
const TOPICS = typed<{ topics: TopicRow[] }>(`{ topics { id slug name postCount } }`);
const TOPIC = `query Topic($slug: String!) { topic(slug: $slug) { __typename id slug name postCount } }`;
const NODE_TOPIC = `query Node($id: ID!) { node(id: $id) { __typename id ... on Topic { slug name postCount } } }`;
const RECOMMENDED = typed<{ recommendedPosts: PostNode[] }>(`
  query Recommended($relatedTo: ID, $first: Int) {
    recommendedPosts(relatedTo: $relatedTo, first: $first) { ...PostFields }
  }
  ${POST_FIELDS}`);
